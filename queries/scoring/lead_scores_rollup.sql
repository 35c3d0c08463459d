-- The same scores as lead_scores.sql without decay, from the per-lead rollup instead of every activity:
-- the rollup counts every stored activity, so the activities at or after the as-of instant (none, at the
-- default as-of; a time-range scan otherwise) are taken off again. leadfunnel.scoring.scores uses it when the
-- rules have no decay and give points only to canonical types (one rollup column each), and lead_scores.sql
-- otherwise; tests/unit/test_scoring.py compares the two.
--   score = fit + Σ_type min(cap, points · count before as-of)   ($points_<type> 0 when the rules give none,
--   $cap_<type> NULL for no cap). The lines ending in "for each activity type" are written once per type of
--   leadfunnel.model.ACTIVITY_TYPES (database.read_sql). The leads and their fit points come from lead_fit
--   (queries/model/10_scoring.sql); $lead_ids: only these leads (NULL: every lead).
WITH scored_leads AS (
    SELECT lead_id, fit FROM lead_fit($as_of, $lead_ids, $fit_attributes, $fit_values, $fit_points)
),

late AS (
    SELECT
        lead_id,
        count(*) FILTER (WHERE activity_type = '{type}') AS n_{type},  -- for each activity type
    FROM activities
    WHERE occurred_at >= CAST($as_of AS TIMESTAMP)
        AND ($lead_ids IS NULL OR lead_id IN (SELECT unnest(CAST($lead_ids AS VARCHAR[]))))
    GROUP BY lead_id
)

SELECT
    l.lead_id,
    l.fit
        + least(coalesce($cap_{type}, 'infinity'::DOUBLE), (coalesce(r.n_{type}, 0) - coalesce(late.n_{type}, 0)) * $points_{type})  -- for each activity type
        AS score
FROM scored_leads AS l
LEFT JOIN lead_activity_rollup AS r USING (lead_id)
LEFT JOIN late USING (lead_id)
ORDER BY l.lead_id
