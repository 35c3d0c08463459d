-- Activities that belong to no stored lead: every activity minus those the per-lead rollup counted (it joins
-- activities to leads, so a stored activity without its lead is in the first count only). An import runs this
-- inside its transaction, after the rollups are rebuilt, and rolls back when it is not 0 — the check rides on
-- the rollup's join instead of a second pass over every activity. The line ending in "for each activity type" is
-- written once per canonical type (database.read_sql).
SELECT
    (SELECT count(*) FROM activities)
    - (SELECT coalesce(sum(
        other_activities
        + n_{type}  -- for each activity type
    ), 0) FROM lead_activity_rollup) AS unmatched
