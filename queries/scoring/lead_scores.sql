-- Score of every lead created before the as-of instant, using only activities strictly before it:
--   score = fit + Σ_type min(cap, Σ points · 0.5^(age_days / half_life))   (no decay when half_life is NULL)
-- Rules arrive as parallel lists: $types/$points/$caps and $fit_attributes/$fit_values/$fit_points; the leads and
-- their fit points come from lead_fit (queries/model/10_scoring.sql).
-- $lead_ids: only these leads (NULL: every lead), e.g. the hand-overs the SLA page lists.
WITH rules AS (
    SELECT
        unnest(CAST($types AS VARCHAR[])) AS activity_type,
        unnest(CAST($points AS DOUBLE[])) AS points,
        unnest(CAST($caps AS DOUBLE[]))   AS cap
),

scored_leads AS (
    SELECT lead_id, fit FROM lead_fit($as_of, $lead_ids, $fit_attributes, $fit_values, $fit_points)
),

behaviour_by_type AS (
    SELECT
        a.lead_id,
        r.activity_type,
        least(
            coalesce(r.cap, 'infinity'::DOUBLE),
            sum(r.points * CASE
                WHEN CAST($half_life AS DOUBLE) IS NULL THEN 1.0
                ELSE pow(0.5, epoch(CAST($as_of AS TIMESTAMP) - a.occurred_at) / 86400.0 / CAST($half_life AS DOUBLE))
            END)
        ) AS points
    FROM activities AS a
    INNER JOIN rules AS r USING (activity_type)
    WHERE a.occurred_at < CAST($as_of AS TIMESTAMP)
        AND ($lead_ids IS NULL OR a.lead_id IN (SELECT unnest(CAST($lead_ids AS VARCHAR[]))))
    GROUP BY a.lead_id, r.activity_type, r.cap
),

behaviour AS (
    SELECT lead_id, sum(points) AS points
    FROM behaviour_by_type
    GROUP BY lead_id
),

final AS (
    SELECT
        l.lead_id,
        l.fit + coalesce(behaviour.points, 0) AS score
    FROM scored_leads AS l
    LEFT JOIN behaviour USING (lead_id)
)

SELECT * FROM final
ORDER BY lead_id
