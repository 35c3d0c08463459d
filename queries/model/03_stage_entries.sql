-- stage_entries: the (lead, stage) pairs that count for a funnel view. The one definition every
-- funnel and channel metric builds on. It reads lead_stage_entries (queries/rollups), the effective
-- stage times of the lead_stages view stored at import.
--   date_from, date_to : DATE bounds, both inclusive (NULL = open)
--   mode               : 'cohort' = leads created in the range, every stage they reached;
--                        'period' = stage entries whose effective time falls in the range
--   channels, industries, company_sizes, owners : VARCHAR[] filters (empty = all)
-- The two modes are two branches with a plain range on one column each, so the scan skips the row
-- groups outside the range (the table is ordered by entered_at).
CREATE OR REPLACE MACRO stage_entries(date_from, date_to, mode, channels, industries, company_sizes, owners) AS TABLE
WITH filtered AS (
    SELECT lead_id, channel, amount, created_at, stage, stage_order, entered_at, previous_entered_at
    FROM lead_stage_entries
    WHERE (len(channels) = 0 OR list_contains(channels, channel))
      AND (len(industries) = 0 OR list_contains(industries, industry))
      AND (len(company_sizes) = 0 OR list_contains(company_sizes, company_size))
      AND (len(owners) = 0 OR list_contains(owners, owner))
),

final AS (
    SELECT *
    FROM filtered
    WHERE mode = 'cohort'
      AND created_at >= coalesce(date_from, DATE '0001-01-01')
      AND created_at <  coalesce(date_to, DATE '9999-12-30') + INTERVAL 1 DAY
    UNION ALL
    SELECT *
    FROM filtered
    WHERE mode <> 'cohort'
      AND entered_at >= coalesce(date_from, DATE '0001-01-01')
      AND entered_at <  coalesce(date_to, DATE '9999-12-30') + INTERVAL 1 DAY
)

SELECT * FROM final;
