-- Pipeline velocity: what the opportunities created in a period are worth per day, and each factor of it.
--   $date_from, $date_to : DATE, both inclusive (NULL = open) — opportunities whose effective opportunity time
--                          (the opportunity date, or the won date of a lead that skipped it) falls in the range
--   $as_of               : TIMESTAMP — the data's now: what happened at or before it counts
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
-- One row for the whole view (grouping 'total', key NULL), one per month of the opportunity time (grouping
-- 'month', key 'YYYY-MM') and one per first-touch channel (grouping 'channel', key the channel).
-- Definitions (every factor NULL when it has no data — missing, never 0):
--   opportunities  = leads whose effective opportunity time is in the range and at or before $as_of
--   won / lost     = among them, won at or before $as_of / lost at or before $as_of and not won; closed = won + lost
--   win_rate       = won / closed
--   avg_won_amount = mean amount of the won ones that have an amount
--   avg_cycle_days = mean of (won time - effective opportunity time) in days over the won ones
--   velocity       = opportunities × win_rate × avg_won_amount / avg_cycle_days (money per day; NULL when a
--                    factor is missing or the cycle is 0 days)
WITH opportunities AS (
    SELECT
        coalesce(channel, 'unknown') AS channel,
        strftime(opportunity_entered_at, '%Y-%m') AS month,
        won_entered_at <= CAST($as_of AS TIMESTAMP) AS won,
        NOT coalesce(won_entered_at <= CAST($as_of AS TIMESTAMP), false)
            AND lost_at <= CAST($as_of AS TIMESTAMP) AS lost,
        amount,
        date_diff('second', opportunity_entered_at, won_entered_at) / 86400.0 AS cycle_days
    FROM lead_stage_times
    WHERE opportunity_entered_at >= coalesce(CAST($date_from AS DATE), DATE '0001-01-01')
      AND opportunity_entered_at < coalesce(CAST($date_to AS DATE), DATE '9999-12-30') + INTERVAL 1 DAY
      AND opportunity_entered_at <= CAST($as_of AS TIMESTAMP)
      AND in_segments(channel, industry, company_size, owner,
          CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
          CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
),

factors AS (
    SELECT
        CASE WHEN grouping(month) = 0 THEN 'month' WHEN grouping(channel) = 0 THEN 'channel' ELSE 'total' END
            AS grouping,
        coalesce(month, channel) AS key,
        count(*) AS opportunities,
        count(*) FILTER (WHERE won) AS won,
        count(*) FILTER (WHERE lost) AS lost,
        avg(amount) FILTER (WHERE won) AS avg_won_amount,
        avg(cycle_days) FILTER (WHERE won) AS avg_cycle_days
    FROM opportunities
    GROUP BY GROUPING SETS ((), (month), (channel))
),

final AS (
    SELECT
        grouping, key, opportunities, won, lost,
        won + lost AS closed,
        won / nullif(won + lost, 0) AS win_rate,
        avg_won_amount,
        avg_cycle_days,
        opportunities * (won / nullif(won + lost, 0)) * avg_won_amount / nullif(avg_cycle_days, 0) AS velocity
    FROM factors
)

SELECT * FROM final ORDER BY grouping, velocity DESC NULLS LAST, opportunities DESC, key
