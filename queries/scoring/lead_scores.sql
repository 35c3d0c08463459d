-- Score of every lead created before the as-of instant, using only activities strictly before it:
--   score = fit + Σ_type min(cap, Σ points · 0.5^(age_days / half_life))   (no decay when half_life is NULL)
-- Rules arrive as parallel lists: $types/$points/$caps and $fit_attributes/$fit_values/$fit_points.
WITH rules AS (
    SELECT
        unnest(CAST($types AS VARCHAR[])) AS activity_type,
        unnest(CAST($points AS DOUBLE[])) AS points,
        unnest(CAST($caps AS DOUBLE[]))   AS cap
),

fit_rules AS (
    SELECT
        unnest(CAST($fit_attributes AS VARCHAR[])) AS attribute,
        unnest(CAST($fit_values AS VARCHAR[]))     AS value,
        unnest(CAST($fit_points AS DOUBLE[]))      AS points
),

-- $lead_ids: only these leads (NULL: every lead), e.g. the hand-overs the SLA page lists.
wanted AS (
    SELECT unnest(CAST($lead_ids AS VARCHAR[])) AS lead_id
),

scored_leads AS (
    SELECT lead_id, coalesce(channel, 'unknown') AS channel, industry, company_size, owner, job_title
    FROM leads
    WHERE created_at < CAST($as_of AS TIMESTAMP)
        AND ($lead_ids IS NULL OR lead_id IN (SELECT lead_id FROM wanted))
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
        AND ($lead_ids IS NULL OR a.lead_id IN (SELECT lead_id FROM wanted))
    GROUP BY a.lead_id, r.activity_type, r.cap
),

behaviour AS (
    SELECT lead_id, sum(points) AS points
    FROM behaviour_by_type
    GROUP BY lead_id
),

fit AS (
    SELECT l.lead_id, sum(f.points) AS points
    FROM scored_leads AS l
    INNER JOIN fit_rules AS f
        ON (f.attribute = 'industry' AND l.industry = f.value)
        OR (f.attribute = 'company_size' AND l.company_size = f.value)
        OR (f.attribute = 'channel' AND l.channel = f.value)
        OR (f.attribute = 'owner' AND l.owner = f.value)
        OR (f.attribute = 'job_title' AND l.job_title = f.value)
    GROUP BY l.lead_id
),

final AS (
    SELECT
        l.lead_id,
        coalesce(fit.points, 0) + coalesce(behaviour.points, 0) AS score
    FROM scored_leads AS l
    LEFT JOIN behaviour USING (lead_id)
    LEFT JOIN fit USING (lead_id)
)

SELECT * FROM final
ORDER BY lead_id
