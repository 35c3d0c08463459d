-- One row per (lead, stage it reached) with the stage's effective time (as in the lead_stage_times view: a
-- skipped stage counts as passed) and the lead's filter attributes. Rebuilt by every import
-- (database.refresh_rollups) so that the funnel and channel queries (stage_entries in queries/model)
-- filter stored times instead of computing least() over every lead on every date-range change.
-- Ordered by entered_at so a period query only reads the row groups of its date range.
-- account_key: the company the lead belongs to (leadfunnel.accounts: the account id, else the normalised company
-- name, else the lead itself as 'lead:<id>'); account_key() is that Python function, registered by
-- database.refresh_rollups and called once per distinct (account id, company) pair.
CREATE OR REPLACE TABLE lead_stage_entries AS
WITH pairs AS (
    SELECT DISTINCT account_id, company FROM lead_stage_times
),

keys AS (
    SELECT account_id, company, account_key(account_id, company) AS account_key FROM pairs
),

stages AS (
    SELECT
        s.lead_id, coalesce(k.account_key, 'lead:' || s.lead_id) AS account_key, s.channel, s.industry,
        s.company_size, s.owner, s.amount, s.lead_entered_at AS created_at,
        [s.lead_entered_at, s.mql_entered_at, s.sal_entered_at, s.sql_entered_at, s.opportunity_entered_at,
         s.won_entered_at] AS entered
    FROM lead_stage_times AS s
    LEFT JOIN keys AS k
        ON k.account_id IS NOT DISTINCT FROM s.account_id AND k.company IS NOT DISTINCT FROM s.company
),

entries AS (
    SELECT
        lead_id, account_key, channel, industry, company_size, owner, amount, created_at,
        unnest(['lead', 'mql', 'sal', 'sql', 'opportunity', 'won']) AS stage,
        unnest([1, 2, 3, 4, 5, 6]) AS stage_order,
        unnest(entered) AS entered_at,
        unnest([NULL, entered[1], entered[2], entered[3], entered[4], entered[5]]) AS previous_entered_at
    FROM stages
)

SELECT * FROM entries
WHERE entered_at IS NOT NULL
ORDER BY entered_at, stage_order;
