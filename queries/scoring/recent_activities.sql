-- The latest activities (before the as-of instant) of a few leads, newest first, as one text per lead.
--   $lead_ids : VARCHAR[]
--   $as_of    : TIMESTAMP, exclusive
WITH recent AS (
    SELECT
        lead_id,
        occurred_at,
        activity_type,
        row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at DESC, activity_type) AS newest_first
    FROM activities
    WHERE list_contains(CAST($lead_ids AS VARCHAR[]), lead_id)
      AND occurred_at < CAST($as_of AS TIMESTAMP)
)

SELECT
    lead_id,
    max(occurred_at) AS last_activity,
    string_agg(activity_type, ', ' ORDER BY newest_first) FILTER (WHERE newest_first <= 5) AS recent_activities
FROM recent
GROUP BY lead_id
