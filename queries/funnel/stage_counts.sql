-- Funnel: leads at each stage with conversion, drop-off and median days from the previous stage.
-- Parameters:
--   $date_from, $date_to : DATE, inclusive (NULL = open)
--   $mode                : 'cohort' | 'period' (see stage_entries in queries/model)
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
-- Definitions:
--   rate_from_previous = leads at this stage / leads at the previous stage (NULL over 0)
--   rate_from_lead     = leads at this stage / leads at the lead stage (NULL over 0)
--   drop_off           = leads at the previous stage - leads at this stage
--   median_days_from_previous = median over counted leads of (effective time of this stage
--                               - effective time of the previous stage), in days
WITH entries AS (
    SELECT *
    FROM stage_entries(
        CAST($date_from AS DATE), CAST($date_to AS DATE), CAST($mode AS VARCHAR),
        CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
        CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
),

counted AS (
    SELECT
        s.stage,
        s.stage_order,
        s.label,
        count(e.lead_id) AS leads,
        median(date_diff('second', e.previous_entered_at, e.entered_at) / 86400.0) AS median_days_from_previous
    FROM funnel_stages AS s
    LEFT JOIN entries AS e USING (stage)
    GROUP BY ALL
),

final AS (
    SELECT
        stage,
        stage_order,
        label,
        leads,
        leads / nullif(lag(leads) OVER stages_in_order, 0)         AS rate_from_previous,
        leads / nullif(first_value(leads) OVER stages_in_order, 0) AS rate_from_lead,
        lag(leads) OVER stages_in_order - leads                   AS drop_off,
        median_days_from_previous
    FROM counted
    WINDOW stages_in_order AS (ORDER BY stage_order)
)

SELECT * FROM final ORDER BY stage_order
