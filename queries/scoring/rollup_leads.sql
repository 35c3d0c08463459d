-- The backtest's leads (as in backtest_leads) with their activity counts: n_<type> = all activities,
-- before_sql_<type> / before_won_<type> = strictly before the effective SQL / won time. One table read
-- (lead_activity_rollup keeps each lead's attributes and effective stage times beside its counts, stored in
-- lead-number order, i.e. by lead_id): no join of a million rows and a cheap integer sort on the view's first paint.
--   $as_of : TIMESTAMP, exclusive
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
SELECT * EXCLUDE (lead_number)
FROM lead_activity_rollup
WHERE created_at < CAST($as_of AS TIMESTAMP)
  AND in_segments(channel, industry, company_size, owner,
      CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
      CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
ORDER BY lead_number
