-- The canonical data model. Every importer maps into these tables.
-- Timestamps are naive local time of the data (the team's own zone).

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per lead. Stage columns hold the first time the lead entered that stage (NULL = never).
CREATE TABLE IF NOT EXISTS leads (
    -- ids
    lead_id        VARCHAR PRIMARY KEY,
    -- attributes
    created_at     TIMESTAMP NOT NULL,
    channel        VARCHAR,               -- first-touch acquisition channel; NULL = not in the export (read as 'unknown')
    company        VARCHAR,
    industry       VARCHAR,
    company_size   VARCHAR,
    owner          VARCHAR,               -- sales owner
    -- stage timestamps
    mql_at         TIMESTAMP,
    sal_at         TIMESTAMP,
    sql_at         TIMESTAMP,
    opportunity_at TIMESTAMP,
    won_at         TIMESTAMP,
    lost_at        TIMESTAMP,
    -- measures
    amount         DOUBLE                 -- deal amount (won or open), currency of the data
);
-- Added in schema version 6 (fit scoring by role); appended so files from before keep their column order.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS job_title VARCHAR;
-- Added in schema version 9 (the funnel by account): the CRM's company / account id, when the export has one.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS account_id VARCHAR;

-- Behaviour and sales-touch events, many per lead.
CREATE TABLE IF NOT EXISTS activities (
    lead_id       VARCHAR NOT NULL,
    occurred_at   TIMESTAMP NOT NULL,
    activity_type VARCHAR NOT NULL,
    detail        VARCHAR
);

-- Added in schema version 11 (attribution): the channel and campaign of a touch, when the export has them (UTM
-- source/medium/campaign, a campaign member's campaign); empty: the channel follows from the activity type.
ALTER TABLE activities ADD COLUMN IF NOT EXISTS channel VARCHAR;
ALTER TABLE activities ADD COLUMN IF NOT EXISTS campaign VARCHAR;

-- Marketing spend per month, channel and (optionally) campaign, in the data's currency (schema version 11).
-- One amount per month × channel × campaign: a newer import of the same month, channel and campaign replaces it.
CREATE TABLE IF NOT EXISTS spend (
    month    VARCHAR NOT NULL,  -- YYYY-MM
    channel  VARCHAR NOT NULL,
    campaign VARCHAR,
    amount   DOUBLE NOT NULL
);

-- Sales' verdict on a handed-over lead.
CREATE TABLE IF NOT EXISTS feedback (
    lead_id VARCHAR NOT NULL,
    "at"    TIMESTAMP NOT NULL,  -- when sales gave the verdict
    verdict VARCHAR NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    reason  VARCHAR
);

-- The funnel's stages, in order (names for readers come from the message catalogues: model.stage_label).
CREATE OR REPLACE TABLE funnel_stages AS
SELECT * FROM (VALUES
    ('lead',        1),
    ('mql',         2),
    ('sal',         3),
    ('sql',         4),
    ('opportunity', 5),
    ('won',         6)
) AS s(stage, stage_order);
