-- Funnel: leads (or accounts) at each stage with conversion, drop-off and median days from the previous stage.
-- Parameters:
--   $date_from, $date_to : DATE, inclusive (NULL = open)
--   $mode                : 'cohort' | 'period' (see stage_entries in queries/model; view_stage_entries types
--                          the parameters)
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
--   $unit                : 'lead' | 'account' — what is counted (see stage_entries); the column stays `leads`
-- Definitions:
--   in_data            = some lead of the database has this stage's own date (lead: always). A stage no row ever
--                        has is "not in your data": no count, rate or days (the effective-time rule would
--                        otherwise copy the next stage's count into it). The stages below skip it.
--   previous stage     = the nearest earlier stage that is in the data
--   rate_from_previous = leads at this stage / leads at the previous stage (NULL over 0)
--   rate_from_lead     = leads at this stage / leads at the lead stage (NULL over 0)
--   drop_off           = leads at the previous stage - leads at this stage; in period mode the counts are stage
--                        entries in the range (not one group of leads), so a negative difference is NULL
--   median_days_from_previous = median over counted leads of (effective time of this stage
--                               - effective time of the previous stage), in days
WITH entries AS (
    SELECT * FROM view_stage_entries($date_from, $date_to, $mode, $channels, $industries, $company_sizes, $owners, $unit)
),

present AS (
    SELECT unnest(['lead', 'mql', 'sal', 'sql', 'opportunity', 'won']) AS stage,
           unnest([true, bool_or(mql_at IS NOT NULL), bool_or(sal_at IS NOT NULL), bool_or(sql_at IS NOT NULL),
                   bool_or(opportunity_at IS NOT NULL), bool_or(won_at IS NOT NULL)]) AS in_data
    FROM leads
),

stages AS (
    SELECT s.stage, s.stage_order, coalesce(p.in_data, s.stage = 'lead') AS in_data,
           max(s.stage_order) FILTER (WHERE coalesce(p.in_data, s.stage = 'lead')) OVER (
               ORDER BY s.stage_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_order
    FROM funnel_stages AS s
    LEFT JOIN present AS p USING (stage)
),

-- Entries of a previous stage that is not the one just before (a stage between is not in the data); usually none.
skipped AS (
    SELECT lead_id, stage_order, entered_at
    FROM view_stage_entries(NULL, NULL, 'period', $channels, $industries, $company_sizes, $owners, $unit)
    WHERE stage_order IN (SELECT previous_order FROM stages WHERE previous_order <> stage_order - 1)
),

counted AS (
    SELECT
        s.stage,
        s.stage_order,
        s.in_data,
        s.previous_order,
        count(e.lead_id) AS leads,
        median(date_diff('second', CASE WHEN s.previous_order = s.stage_order - 1 THEN e.previous_entered_at
                                        ELSE skipped.entered_at END, e.entered_at) / 86400.0) AS median_days_from_previous
    FROM stages AS s
    LEFT JOIN entries AS e ON e.stage = s.stage AND s.in_data
    LEFT JOIN skipped ON skipped.lead_id = e.lead_id AND skipped.stage_order = s.previous_order
    GROUP BY ALL
),

final AS (
    SELECT
        c.stage,
        c.stage_order,
        c.in_data,
        CASE WHEN c.in_data THEN c.leads END                                           AS leads,
        CASE WHEN c.in_data THEN c.leads / nullif(p.leads, 0) END                      AS rate_from_previous,
        CASE WHEN c.in_data THEN c.leads / nullif(first_value(c.leads) OVER stages_in_order, 0) END AS rate_from_lead,
        CASE WHEN c.in_data AND (CAST($mode AS VARCHAR) = 'cohort' OR p.leads >= c.leads)
             THEN p.leads - c.leads END                                                 AS drop_off,
        CASE WHEN c.in_data THEN c.median_days_from_previous END                       AS median_days_from_previous
    FROM counted AS c
    LEFT JOIN counted AS p ON p.stage_order = c.previous_order
    WINDOW stages_in_order AS (ORDER BY c.stage_order)
)

SELECT * FROM final ORDER BY stage_order
