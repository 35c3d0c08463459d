-- Distinct values offered by the sidebar filters, one row per (field, value).
WITH final AS (
    SELECT 'channel' AS field, coalesce(channel, 'unknown') AS value FROM leads
    UNION SELECT 'industry', industry FROM leads WHERE industry IS NOT NULL
    UNION SELECT 'company_size', company_size FROM leads WHERE company_size IS NOT NULL
    UNION SELECT 'owner', owner FROM leads WHERE owner IS NOT NULL
)

SELECT * FROM final ORDER BY field, value
