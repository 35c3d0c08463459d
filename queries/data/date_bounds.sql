-- First and last day with any lead or stage activity; the date pickers' limits and default range.
WITH stamps AS (
    SELECT created_at AS stamp FROM leads
    UNION ALL SELECT greatest(mql_at, sal_at, sql_at, opportunity_at, won_at, lost_at) FROM leads
    UNION ALL SELECT max(occurred_at) FROM activities
),

final AS (
    SELECT min(stamp)::DATE AS first_day, max(stamp)::DATE AS last_day, (SELECT count(*) FROM leads) AS leads
    FROM stamps
)

SELECT * FROM final
