-- The data's extent: the first and last day with any lead, stage entry or activity, the data's "now" (the
-- latest timestamp anywhere: leadfunnel.asof) and the last day a stage was entered (the default view ends at
-- now and reaches back far enough to hold stage entries).
WITH stamps AS (
    SELECT min(created_at) AS first_stamp,
           max(greatest(created_at, mql_at, sal_at, sql_at, opportunity_at, won_at, lost_at)) AS last_stage
    FROM leads
),

final AS (
    SELECT
        first_stamp::DATE AS first_day,
        greatest(last_stage, (SELECT max(occurred_at) FROM activities))::DATE AS last_day,
        greatest(last_stage, (SELECT max(occurred_at) FROM activities)) AS now,
        last_stage::DATE AS last_stage_day,
        (SELECT count(*) FROM leads) AS leads
    FROM stamps
)

SELECT * FROM final
