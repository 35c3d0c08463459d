-- The leads a backtest looks at: created before the as-of instant and matching the segment filters,
-- with effective stage times (a skipped stage counts as passed) and the attributes fit points use, and the lead's
-- number (lead_numbers: the replay finds its events in lead_events by it). Ordered by lead_id, i.e. by number.
--   $as_of : TIMESTAMP, exclusive
--   $channels, $industries, $company_sizes, $owners : VARCHAR[] (empty = all)
SELECT
    lead_id,
    channel,
    industry,
    company_size,
    owner,
    company,
    job_title,
    lead_entered_at AS created_at,
    mql_entered_at  AS mql_at,
    sql_entered_at  AS sql_at,
    won_entered_at  AS won_at,
    lead_number
FROM lead_stage_times
INNER JOIN lead_numbers USING (lead_id)
WHERE lead_entered_at < CAST($as_of AS TIMESTAMP)
  AND in_segments(channel, industry, company_size, owner,
      CAST($channels AS VARCHAR[]), CAST($industries AS VARCHAR[]),
      CAST($company_sizes AS VARCHAR[]), CAST($owners AS VARCHAR[]))
ORDER BY lead_number
