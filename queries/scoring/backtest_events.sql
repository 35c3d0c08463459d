-- Activities before the as-of instant of the leads a backtest looks at (same filters as
-- backtest_leads), in time order per lead. All types are loaded, so moving a weight needs no query.
--   $as_of : TIMESTAMP, exclusive
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
SELECT
    a.lead_id,
    a.occurred_at,
    a.activity_type
FROM activities AS a
INNER JOIN leads AS l USING (lead_id)
WHERE a.occurred_at < CAST($as_of AS TIMESTAMP)
  AND l.created_at < CAST($as_of AS TIMESTAMP)
  AND (len(CAST($channels AS VARCHAR[])) = 0 OR list_contains(CAST($channels AS VARCHAR[]), l.channel))
  AND (len(CAST($industries AS VARCHAR[])) = 0 OR list_contains(CAST($industries AS VARCHAR[]), l.industry))
  AND (len(CAST($company_sizes AS VARCHAR[])) = 0 OR list_contains(CAST($company_sizes AS VARCHAR[]), l.company_size))
  AND (len(CAST($owners AS VARCHAR[])) = 0 OR list_contains(CAST($owners AS VARCHAR[]), l.owner))
ORDER BY a.lead_id, a.occurred_at, a.activity_type
