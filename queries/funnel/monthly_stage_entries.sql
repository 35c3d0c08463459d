-- Stage entries per calendar month, for the trend chart under the funnel.
-- Parameters: as in funnel/stage_counts.sql.
-- In cohort mode a row counts the leads created in that month that reached the stage;
-- in period mode it counts the stage entries that happened in that month.
WITH entries AS (
    SELECT *
    FROM stage_entries(
        CAST($date_from AS DATE), CAST($date_to AS DATE), CAST($mode AS VARCHAR),
        CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
        CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]), CAST($unit AS VARCHAR))
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
