-- stage_entries: the (lead, stage) pairs that count for a funnel view. The one definition every
-- funnel and channel metric builds on.
--   date_from, date_to : DATE bounds, both inclusive (NULL = open)
--   mode               : 'cohort' = leads created in the range, every stage they reached;
--                        'period' = stage entries whose effective time falls in the range
--   channels, industries, company_sizes, owners : VARCHAR[] filters (empty = all)
CREATE OR REPLACE MACRO stage_entries(date_from, date_to, mode, channels, industries, company_sizes, owners) AS TABLE
WITH filtered AS (
    SELECT *
    FROM lead_stages
    WHERE (len(channels) = 0 OR list_contains(channels, channel))
      AND (len(industries) = 0 OR list_contains(industries, industry))
      AND (len(company_sizes) = 0 OR list_contains(company_sizes, company_size))
      AND (len(owners) = 0 OR list_contains(owners, owner))
),

entries AS (
    SELECT lead_id, channel, amount, lead_entered_at AS created_at,
           'lead' AS stage, 1 AS stage_order, lead_entered_at AS entered_at,
           NULL::TIMESTAMP AS previous_entered_at
    FROM filtered
    UNION ALL
    SELECT lead_id, channel, amount, lead_entered_at, 'mql', 2, mql_entered_at, lead_entered_at
    FROM filtered WHERE mql_entered_at IS NOT NULL
    UNION ALL
    SELECT lead_id, channel, amount, lead_entered_at, 'sal', 3, sal_entered_at, mql_entered_at
    FROM filtered WHERE sal_entered_at IS NOT NULL
    UNION ALL
    SELECT lead_id, channel, amount, lead_entered_at, 'sql', 4, sql_entered_at, sal_entered_at
    FROM filtered WHERE sql_entered_at IS NOT NULL
    UNION ALL
    SELECT lead_id, channel, amount, lead_entered_at, 'opportunity', 5, opportunity_entered_at, sql_entered_at
    FROM filtered WHERE opportunity_entered_at IS NOT NULL
    UNION ALL
    SELECT lead_id, channel, amount, lead_entered_at, 'won', 6, won_entered_at, opportunity_entered_at
    FROM filtered WHERE won_entered_at IS NOT NULL
),

final AS (
    SELECT *
    FROM entries
    WHERE (CASE WHEN mode = 'cohort' THEN created_at ELSE entered_at END) >= coalesce(date_from, DATE '0001-01-01')
      AND (CASE WHEN mode = 'cohort' THEN created_at ELSE entered_at END) <  coalesce(date_to, DATE '9999-12-30') + INTERVAL 1 DAY
)

SELECT * FROM final;
