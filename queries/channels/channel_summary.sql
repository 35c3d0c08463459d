-- Conversion by first-touch acquisition channel.
-- Parameters: as in funnel/stage_counts.sql. By account ($unit = 'account'), an account counts for the channel of
-- its earliest lead, and the counts are accounts.
-- Definitions (stage counts use effective times, so a skipped stage counts as passed):
--   mql_rate = MQL / leads;  sql_rate = SQL / MQL;  win_rate = won / SQL;  lead_to_won_rate = won / leads
--   (NULL when the denominator is 0)
--   median_days_to_sql = median of (effective SQL time - created_at) in days over the channel's SQLs
--   won_amount         = sum of amount over won leads (0 without a win; NULL when won leads have no
--                        amount in the data: missing, not 0)
WITH entries AS (
    SELECT * FROM view_stage_entries($date_from, $date_to, $mode, $channels, $industries, $company_sizes, $owners, $unit)
),

per_channel AS (
    SELECT
        channel,
        -- counts
        count(*) FILTER (WHERE stage = 'lead')        AS leads,
        count(*) FILTER (WHERE stage = 'mql')         AS mql,
        count(*) FILTER (WHERE stage = 'sql')         AS sql,
        count(*) FILTER (WHERE stage = 'opportunity') AS opportunity,
        count(*) FILTER (WHERE stage = 'won')         AS won,
        -- timing and value
        median(date_diff('second', created_at, entered_at) / 86400.0) FILTER (WHERE stage = 'sql') AS median_days_to_sql,
        CASE WHEN count(*) FILTER (WHERE stage = 'won') = 0 THEN 0
             ELSE sum(amount) FILTER (WHERE stage = 'won') END AS won_amount
    FROM entries
    GROUP BY channel
),

final AS (
    SELECT
        channel,
        leads, mql, sql, opportunity, won,
        mql / nullif(leads, 0) AS mql_rate,
        sql / nullif(mql, 0)   AS sql_rate,
        won / nullif(sql, 0)   AS win_rate,
        won / nullif(leads, 0) AS lead_to_won_rate,
        median_days_to_sql,
        won_amount
    FROM per_channel
)

SELECT * FROM final ORDER BY leads DESC, channel
