-- Hand-overs in the period with their first sales touch, as of an instant.
--   $handover       : 'mql' | 'sal' — which stage's effective time is the hand-over
--   $date_from, $date_to : DATE, inclusive (NULL = open): the hand-over falls in this range
--   $as_of          : TIMESTAMP; hand-overs after it are left out, touches after it are not seen yet
--   $touch_types    : VARCHAR[] — activity types that count as a sales touch
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
-- first_touch_at = the earliest sales touch at or after the hand-over and not after the as-of instant.
WITH handed_over AS (
    SELECT
        lead_id,
        company,
        channel,
        owner,
        CASE CAST($handover AS VARCHAR) WHEN 'sal' THEN sal_entered_at ELSE mql_entered_at END AS handover_at
    FROM lead_stage_times
    WHERE in_segments(channel, industry, company_size, owner,
        CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
        CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
),

in_period AS (
    SELECT *
    FROM handed_over
    WHERE handover_at IS NOT NULL
      AND handover_at <= CAST($as_of AS TIMESTAMP)
      AND handover_at >= coalesce(CAST($date_from AS DATE), DATE '0001-01-01')
      AND handover_at < coalesce(CAST($date_to AS DATE), DATE '9999-12-30') + INTERVAL 1 DAY
),

first_touch AS (
    SELECT p.lead_id, min(a.occurred_at) AS first_touch_at
    FROM in_period AS p
    INNER JOIN activities AS a
        ON a.lead_id = p.lead_id
       AND a.occurred_at >= p.handover_at
       AND a.occurred_at <= CAST($as_of AS TIMESTAMP)
       AND list_contains(CAST($touch_types AS VARCHAR[]), a.activity_type)
    GROUP BY p.lead_id
),

verdicts AS (
    SELECT
        f.lead_id,
        arg_max(f.verdict, f."at") AS verdict,
        arg_max(f.reason, f."at")  AS reason,
        max(f."at")                AS feedback_at
    FROM feedback AS f
    INNER JOIN in_period AS p USING (lead_id)
    WHERE f."at" <= CAST($as_of AS TIMESTAMP)
    GROUP BY f.lead_id
)

SELECT
    p.lead_id,
    p.company,
    p.channel,
    p.owner,
    p.handover_at,
    t.first_touch_at,
    v.verdict,
    v.reason,
    v.feedback_at
FROM in_period AS p
LEFT JOIN first_touch AS t USING (lead_id)
LEFT JOIN verdicts AS v USING (lead_id)
ORDER BY p.handover_at, p.lead_id
