-- One row per (lead, stage it reached) with the stage's effective time (as in the lead_stages view: a
-- skipped stage counts as passed) and the lead's filter attributes. Rebuilt by every import
-- (database.refresh_rollups) so that the funnel and channel queries (stage_entries in queries/model)
-- filter stored times instead of computing least() over every lead on every date-range change.
-- Ordered by entered_at so a period query only reads the row groups of its date range.
CREATE OR REPLACE TABLE lead_stage_entries AS
WITH stages AS (
    SELECT
        lead_id, channel, industry, company_size, owner, amount, lead_entered_at AS created_at,
        [lead_entered_at, mql_entered_at, sal_entered_at, sql_entered_at, opportunity_entered_at,
         won_entered_at] AS entered
    FROM lead_stages
),

entries AS (
    SELECT
        lead_id, channel, industry, company_size, owner, amount, created_at,
        unnest(['lead', 'mql', 'sal', 'sql', 'opportunity', 'won']) AS stage,
        unnest([1, 2, 3, 4, 5, 6]) AS stage_order,
        unnest(entered) AS entered_at,
        unnest([NULL, entered[1], entered[2], entered[3], entered[4], entered[5]]) AS previous_entered_at
    FROM stages
)

SELECT * FROM entries
WHERE entered_at IS NOT NULL
ORDER BY entered_at, stage_order;
