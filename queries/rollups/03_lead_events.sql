-- Every activity of a stored lead as three integers, stored in (lead_number, time) order: the lead's number
-- (lead_numbers), the time in µs since the epoch and the type's code (event_types). The one pass over the
-- activities that joins them to their leads by id: the per-lead rollup (04) groups these integers, and the
-- backtest loads them (queries/scoring/backtest_events.sql) without a join or a sort of 20M rows per view.
-- An activity whose lead is not stored has no row here (imports refuse them: queries/data/unmatched_activities).
CREATE OR REPLACE TABLE lead_events AS
SELECT
    n.lead_number,
    epoch_us(a.occurred_at) AS at_us,
    t.type_code
FROM activities AS a
INNER JOIN lead_numbers AS n USING (lead_id)
INNER JOIN event_types AS t USING (activity_type)
ORDER BY n.lead_number, at_us;
