-- One row per (account, stage it reached), for views without segment filters: what stage_entries (queries/model)
-- computes for unit = 'account' when no channel, industry, size or owner is chosen — most views — stored at import
-- instead of grouping a million leads by account on every date-range change. Built from lead_stage_entries (this
-- file's name sorts after it: database.refresh_rollups runs the rollups in name order). Same columns and order
-- (entered_at) as stage_entries: lead_id holds the account key; created_at and channel are the account's earliest
-- lead's (first by creation, then by lead id); amount is the largest of its leads'.
CREATE OR REPLACE TABLE stage_entries_by_account AS
WITH firsts AS (
    SELECT account_key, min(created_at) AS created_at, arg_min(channel, (created_at, lead_id)) AS channel
    FROM lead_stage_entries
    WHERE stage = 'lead'
    GROUP BY account_key
),

stages AS (
    SELECT account_key, stage, stage_order, min(entered_at) AS entered_at, max(amount) AS amount
    FROM lead_stage_entries
    GROUP BY account_key, stage, stage_order
)

SELECT
    s.account_key AS lead_id, f.channel, s.amount, f.created_at, s.stage, s.stage_order, s.entered_at,
    lag(s.entered_at) OVER (PARTITION BY s.account_key ORDER BY s.stage_order) AS previous_entered_at
FROM stages AS s
INNER JOIN firsts AS f USING (account_key)
ORDER BY s.entered_at, s.stage_order;
