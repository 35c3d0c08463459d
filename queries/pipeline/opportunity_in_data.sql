-- Whether the data has opportunity dates at all (the funnel's "in your data" for the opportunity stage): without
-- them every won lead skipped the stage, its effective opportunity time is its won time and its cycle 0 days,
-- so velocity would divide by nothing real.
SELECT coalesce(bool_or(opportunity_at IS NOT NULL), false) AS in_data FROM leads
