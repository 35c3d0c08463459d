-- Effective stage times per lead.
-- A lead that skipped a stage counts as having passed it: the effective time of a stage is the
-- earliest timestamp of that stage or any later one (LEAST ignores NULLs). The lead stage is created_at.
-- A channel the export did not have is stored as NULL (so a later export can fill it) and read as 'unknown'.
DROP VIEW IF EXISTS lead_stages;  -- its name up to schema 11
CREATE OR REPLACE VIEW lead_stage_times AS
WITH source AS (
    SELECT * FROM leads
),

final AS (
    SELECT
        -- ids and attributes
        lead_id, coalesce(channel, 'unknown') AS channel, company, account_id, industry, company_size, owner, job_title,
        amount, lost_at,
        -- effective stage times
        created_at                                           AS lead_entered_at,
        least(mql_at, sal_at, sql_at, opportunity_at, won_at) AS mql_entered_at,
        least(sal_at, sql_at, opportunity_at, won_at)         AS sal_entered_at,
        least(sql_at, opportunity_at, won_at)                 AS sql_entered_at,
        least(opportunity_at, won_at)                         AS opportunity_entered_at,
        won_at                                                AS won_entered_at
    FROM source
)

SELECT * FROM final;

-- The same effective times stored per (lead, stage reached), filled by queries/rollups/05_lead_stage_entries.sql
-- on every write; declared here so the stage_entries macro (03) can be created before the first fill.
CREATE TABLE IF NOT EXISTS lead_stage_entries (
    lead_id             VARCHAR,
    account_key         VARCHAR,
    channel             VARCHAR,
    industry            VARCHAR,
    company_size        VARCHAR,
    owner               VARCHAR,
    amount              DOUBLE,
    created_at          TIMESTAMP,
    stage               VARCHAR,
    stage_order         INTEGER,
    entered_at          TIMESTAMP,
    previous_entered_at TIMESTAMP
);

-- The account stage entries of views without segment filters, filled by queries/rollups/06_stage_entries_by_account.sql
-- on every write; declared here for the same reason (DuckDB binds a macro that calls stage_entries when it is
-- created): the columns of stage_entries, lead_id holding the account key.
CREATE TABLE IF NOT EXISTS stage_entries_by_account AS
SELECT lead_id, channel, amount, created_at, stage, stage_order, entered_at, previous_entered_at
FROM lead_stage_entries
LIMIT 0;
