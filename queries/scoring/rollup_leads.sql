-- The backtest's leads (as in backtest_leads) with their activity counts from lead_activity_rollup:
-- n_<type> = all activities, before_sql_<type> / before_won_<type> = strictly before the effective SQL / won
-- time.
--   $as_of : TIMESTAMP, exclusive
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
SELECT
    s.lead_id,
    s.channel,
    s.industry,
    s.company_size,
    s.owner,
    s.company,
    s.job_title,
    s.lead_entered_at AS created_at,
    s.mql_entered_at  AS mql_at,
    s.sql_entered_at  AS sql_at,
    s.won_entered_at  AS won_at,
    r.* EXCLUDE (lead_id)
FROM lead_stage_times AS s
INNER JOIN lead_activity_rollup AS r USING (lead_id)
WHERE s.lead_entered_at < CAST($as_of AS TIMESTAMP)
  AND in_segments(s.channel, s.industry, s.company_size, s.owner,
      CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
      CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
ORDER BY s.lead_id
