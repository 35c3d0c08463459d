-- stage_entries: the (unit, stage) pairs that count for a funnel view. The one definition every
-- funnel and channel metric builds on. It reads lead_stage_entries (queries/rollups), the effective
-- stage times of the lead_stage_times view stored at import.
--   date_from, date_to : DATE bounds, both inclusive (NULL = open)
--   mode               : 'cohort' = units created in the range, every stage they reached;
--                        'period' = stage entries whose effective time falls in the range
--   channels, industries, company_sizes, owners : VARCHAR[] filters (empty = all)
--   unit               : 'lead' = one row per lead and stage;
--                        'account' = one row per account and stage (lead_id holds the account key): an account
--                        enters a stage at the earliest effective time of that stage among its leads that pass
--                        the filters; its created_at and channel are those of its earliest lead (first by
--                        creation, then by lead id); its amount is the largest of its leads' amounts (several
--                        contacts of one company carry one deal)
-- The two modes are two branches with a plain range on one column each, so the scan skips the row
-- groups outside the range (the table is ordered by entered_at).
CREATE OR REPLACE MACRO stage_entries(date_from, date_to, mode, channels, industries, company_sizes, owners,
                                      unit := 'lead') AS TABLE
WITH filtered AS (
    SELECT lead_id, account_key, channel, amount, created_at, stage, stage_order, entered_at, previous_entered_at
    FROM lead_stage_entries
    WHERE in_segments(channel, industry, company_size, owner, channels, industries, company_sizes, owners)
),

account_firsts AS (
    SELECT account_key, min(created_at) AS created_at, arg_min(channel, (created_at, lead_id)) AS channel
    FROM filtered
    WHERE unit = 'account' AND stage = 'lead'
      AND len(channels) + len(industries) + len(company_sizes) + len(owners) > 0
    GROUP BY account_key
),

account_stages AS (
    SELECT account_key, stage, stage_order, min(entered_at) AS entered_at, max(amount) AS amount
    FROM filtered
    WHERE unit = 'account' AND len(channels) + len(industries) + len(company_sizes) + len(owners) > 0
    GROUP BY account_key, stage, stage_order
),

units AS (
    SELECT lead_id, channel, amount, created_at, stage, stage_order, entered_at, previous_entered_at
    FROM filtered
    WHERE unit <> 'account'
    UNION ALL
    SELECT
        s.account_key, f.channel, s.amount, f.created_at, s.stage, s.stage_order, s.entered_at,
        lag(s.entered_at) OVER (PARTITION BY s.account_key ORDER BY s.stage_order)
    FROM account_stages AS s
    INNER JOIN account_firsts AS f USING (account_key)
    WHERE len(channels) + len(industries) + len(company_sizes) + len(owners) > 0
    UNION ALL
    -- No segment filter: the same rows, stored at import (queries/rollups/06_stage_entries_by_account.sql).
    SELECT lead_id, channel, amount, created_at, stage, stage_order, entered_at, previous_entered_at
    FROM stage_entries_by_account
    WHERE unit = 'account' AND len(channels) + len(industries) + len(company_sizes) + len(owners) = 0
),

final AS (
    SELECT *
    FROM units
    WHERE mode = 'cohort'
      AND created_at >= coalesce(date_from, DATE '0001-01-01')
      AND created_at <  coalesce(date_to, DATE '9999-12-30') + INTERVAL 1 DAY
    UNION ALL
    SELECT *
    FROM units
    WHERE mode <> 'cohort'
      AND entered_at >= coalesce(date_from, DATE '0001-01-01')
      AND entered_at <  coalesce(date_to, DATE '9999-12-30') + INTERVAL 1 DAY
)

SELECT * FROM final;

-- view_stage_entries: stage_entries of a view from its query parameters as they are bound (untyped: $date_from,
-- $date_to, $mode, $channels, $industries, $company_sizes, $owners, $unit), typed here once for every funnel and
-- channel query.
CREATE OR REPLACE MACRO view_stage_entries(date_from, date_to, mode, channels, industries, company_sizes, owners,
                                           unit) AS TABLE
SELECT *
FROM stage_entries(
    CAST(date_from AS DATE), CAST(date_to AS DATE), CAST(mode AS VARCHAR),
    CAST(channels AS VARCHAR[]), CAST(industries AS VARCHAR[]),
    CAST(company_sizes AS VARCHAR[]), CAST(owners AS VARCHAR[]), CAST(unit AS VARCHAR));
