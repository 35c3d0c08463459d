-- Marketing spend in a period, per month, channel and campaign. A month that the period covers only in part counts
-- with the share of its days inside the period (a one-week view carries a week of the month's spend, not all of it).
--   $date_from, $date_to : DATE, inclusive (NULL = open)
--   $channels            : VARCHAR[] — channels to keep (empty = all)
-- Columns: month (YYYY-MM), channel, campaign (NULL: none), spend (the prorated amount), amount (the month's).
WITH months AS (
    SELECT
        month, channel, campaign, amount,
        CAST(strptime(month || '-01', '%Y-%m-%d') AS DATE) AS first_day
    FROM spend
    WHERE len(CAST($channels AS VARCHAR[])) = 0 OR list_contains(CAST($channels AS VARCHAR[]), channel)
),

covered AS (
    SELECT
        *,
        CAST(first_day + INTERVAL 1 MONTH AS DATE) AS next_first,
        datediff('day', greatest(first_day, coalesce(CAST($date_from AS DATE), first_day)),
                 least(CAST(first_day + INTERVAL 1 MONTH AS DATE),
                       coalesce(CAST($date_to AS DATE) + 1, CAST(first_day + INTERVAL 1 MONTH AS DATE)))) AS days_in
    FROM months
)

SELECT month, channel, campaign, amount * days_in / datediff('day', first_day, next_first) AS spend, amount
FROM covered
WHERE days_in > 0
ORDER BY month, channel, campaign NULLS FIRST
