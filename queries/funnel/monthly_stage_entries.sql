-- Stage entries per calendar month, for the trend chart under the funnel.
-- Parameters: as in funnel/stage_counts.sql.
-- In cohort mode a row counts the leads created in that month that reached the stage;
-- in period mode it counts the stage entries that happened in that month.
WITH entries AS (
    SELECT * FROM view_stage_entries($date_from, $date_to, $mode, $channels, $industries, $company_sizes, $owners, $unit)
),

final AS (
    SELECT
        date_trunc('month', CASE WHEN CAST($mode AS VARCHAR) = 'cohort' THEN created_at ELSE entered_at END)::DATE AS month,
        s.stage,
        s.stage_order,
        count(*) AS leads
    FROM entries AS e
    JOIN funnel_stages AS s USING (stage)
    GROUP BY ALL
)

SELECT * FROM final ORDER BY month, stage_order
