-- Open leads at an instant, each in its current stage (for stage aging: stuck leads).
--   $as_of        : TIMESTAMP — the instant judged at
--   $touch_types  : VARCHAR[] — activity types that count as a sales touch (the SLA policy's)
--   $limits       : MAP(VARCHAR, DOUBLE) — days allowed per stage (a stage not in it has no limit)
--   $scale        : DOUBLE — at most how many clock days one calendar day can be: 1 for calendar days,
--                   24 ÷ working hours per day for business days, so `may_be_stuck` (a superset, with room
--                   for rounding) never misses a lead that the exact age in leadfunnel.pipeline.aging finds stuck
--   $stored_touches : BOOLEAN — the instant is at or after every activity and the touch types are among sales_call,
--                   sales_email and meeting (leadfunnel.pipeline.aging decides): the stored latest touches answer
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
-- Open = created at or before $as_of, not won and not lost at or before it.
-- Current stage = the last of lead, mql, sal, sql, opportunity (in that order) whose own timestamp (not the
-- effective time) is at or before $as_of; `lead` is created_at. entered_at = that timestamp.
-- Every open lead is counted; lead_id, company, channel, owner and last_touch_at are read only for those that may
-- be stuck (the others are counted, never listed), which keeps a million rows cheap. Two kinds of rows:
--   listed = false : one row per stage, `entered` = the entry times of its open leads that cannot be stuck
--   listed = true  : one row per lead that may be stuck, with entered_at and its details
-- (a list per stage instead of ~900k rows of mostly empty columns: a third of the time at 1M leads).
-- last_touch_at = the latest sales touch with entered_at <= occurred_at <= $as_of (NULL: none).
WITH open_leads AS (
    SELECT
        lead_id,
        company,
        coalesce(channel, 'unknown') AS channel,
        nullif(trim(owner), '') AS owner,
        CASE
            WHEN opportunity_at <= CAST($as_of AS TIMESTAMP) THEN 'opportunity'
            WHEN sql_at <= CAST($as_of AS TIMESTAMP) THEN 'sql'
            WHEN sal_at <= CAST($as_of AS TIMESTAMP) THEN 'sal'
            WHEN mql_at <= CAST($as_of AS TIMESTAMP) THEN 'mql'
            ELSE 'lead'
        END AS stage,
        CASE
            WHEN opportunity_at <= CAST($as_of AS TIMESTAMP) THEN opportunity_at
            WHEN sql_at <= CAST($as_of AS TIMESTAMP) THEN sql_at
            WHEN sal_at <= CAST($as_of AS TIMESTAMP) THEN sal_at
            WHEN mql_at <= CAST($as_of AS TIMESTAMP) THEN mql_at
            ELSE created_at
        END AS entered_at
    FROM leads
    WHERE created_at <= CAST($as_of AS TIMESTAMP)
      AND (won_at IS NULL OR won_at > CAST($as_of AS TIMESTAMP))
      AND (lost_at IS NULL OR lost_at > CAST($as_of AS TIMESTAMP))
      AND in_segments(coalesce(channel, 'unknown'), industry, company_size, owner,
          CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
          CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
),

limits AS (  -- one row per stage with a limit: joined, rather than looked up in the map for every lead
    SELECT unnest(map_keys(CAST($limits AS MAP(VARCHAR, DOUBLE)))) AS stage,
           unnest(map_values(CAST($limits AS MAP(VARCHAR, DOUBLE)))) AS limit_days
),

flagged AS (
    SELECT
        o.*,
        coalesce((epoch_us(CAST($as_of AS TIMESTAMP)) - epoch_us(o.entered_at)) / 86400e6 * CAST($scale AS DOUBLE)
                 >= l.limit_days - 1e-6, false) AS may_be_stuck
    FROM open_leads AS o
    LEFT JOIN limits AS l USING (stage)
),

-- The latest touch at or before the instant; it is "since entering the stage" when it is not before entered_at.
-- With $stored_touches the latest sales call, sales email and meeting stored at import (lead_activity_rollup) are
-- those latest touches, and the activities are not read at all (a bound false prunes a branch).
latest_touch AS (
    SELECT
        lead_id,
        greatest(
            CASE WHEN list_contains(CAST($touch_types AS VARCHAR[]), 'sales_call') THEN last_sales_call_at END,
            CASE WHEN list_contains(CAST($touch_types AS VARCHAR[]), 'sales_email') THEN last_sales_email_at END,
            CASE WHEN list_contains(CAST($touch_types AS VARCHAR[]), 'meeting') THEN last_meeting_at END
        ) AS touched_at
    FROM lead_activity_rollup
    WHERE CAST($stored_touches AS BOOLEAN)
      AND coalesce(last_sales_call_at, last_sales_email_at, last_meeting_at) IS NOT NULL  -- touched at all
    UNION ALL
    SELECT lead_id, max(occurred_at) AS touched_at
    FROM activities
    WHERE NOT CAST($stored_touches AS BOOLEAN)
      AND list_contains(CAST($touch_types AS VARCHAR[]), activity_type)
      AND occurred_at <= CAST($as_of AS TIMESTAMP)
    GROUP BY lead_id
)

SELECT
    false AS listed, stage, list(entered_at) AS entered, NULL::VARCHAR AS lead_id, NULL::TIMESTAMP AS entered_at,
    NULL::VARCHAR AS company, NULL::VARCHAR AS channel, NULL::VARCHAR AS owner, NULL::TIMESTAMP AS last_touch_at
FROM flagged
WHERE NOT may_be_stuck
GROUP BY stage
UNION ALL
SELECT
    true, f.stage, NULL, f.lead_id, f.entered_at, f.company, f.channel, f.owner,
    CASE WHEN t.touched_at >= f.entered_at THEN t.touched_at END
FROM flagged AS f
LEFT JOIN latest_touch AS t USING (lead_id)
WHERE f.may_be_stuck
