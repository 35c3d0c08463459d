-- Scoring rule sets, saved by name. The built-in default (the guide's example) is not stored.
CREATE TABLE IF NOT EXISTS rule_sets (
    name           VARCHAR PRIMARY KEY,
    threshold      DOUBLE NOT NULL,       -- hand-over threshold in points
    half_life_days DOUBLE,                -- recency decay half-life; NULL = no decay
    saved_at       TIMESTAMP NOT NULL
);

-- Behaviour points per activity type, with an optional cap on what one type can add.
CREATE TABLE IF NOT EXISTS rule_points (
    rule_set      VARCHAR NOT NULL,
    activity_type VARCHAR NOT NULL,
    points        DOUBLE NOT NULL,
    cap           DOUBLE,                 -- NULL = no cap
    PRIMARY KEY (rule_set, activity_type)
);

-- Fit (attribute) points: a lead whose attribute equals value gets the points once.
CREATE TABLE IF NOT EXISTS rule_fit (
    rule_set  VARCHAR NOT NULL,
    attribute VARCHAR NOT NULL,           -- industry, company_size, channel, owner or job_title
    value     VARCHAR NOT NULL,
    points    DOUBLE NOT NULL,
    PRIMARY KEY (rule_set, attribute, value)
);

-- lead_fit: the leads a score is given to at the instant as_of — created strictly before it; only those in lead_ids
-- when it is not NULL — with their fit points: the sum of the points of the fit rules (the parallel lists
-- fit_attributes, fit_values, fit_points) whose attribute (industry, company_size, channel — 'unknown' when empty —,
-- owner or job_title) holds the rule's value; 0 without any. The arguments may be untyped query parameters. The one
-- definition of fit for both score queries (queries/scoring/lead_scores.sql and lead_scores_rollup.sql).
CREATE OR REPLACE MACRO lead_fit(as_of, lead_ids, fit_attributes, fit_values, fit_points) AS TABLE
WITH fit_rules AS (
    SELECT
        unnest(CAST(fit_attributes AS VARCHAR[])) AS attribute,
        unnest(CAST(fit_values AS VARCHAR[]))     AS value,
        unnest(CAST(fit_points AS DOUBLE[]))      AS points
),

scored_leads AS (
    SELECT lead_id, coalesce(channel, 'unknown') AS channel, industry, company_size, owner, job_title
    FROM leads
    WHERE created_at < CAST(as_of AS TIMESTAMP)
        AND (CAST(lead_ids AS VARCHAR[]) IS NULL OR lead_id IN (SELECT unnest(CAST(lead_ids AS VARCHAR[]))))
),

fit AS (
    SELECT l.lead_id, sum(f.points) AS points
    FROM scored_leads AS l
    INNER JOIN fit_rules AS f
        ON (f.attribute = 'industry' AND l.industry = f.value)
        OR (f.attribute = 'company_size' AND l.company_size = f.value)
        OR (f.attribute = 'channel' AND l.channel = f.value)
        OR (f.attribute = 'owner' AND l.owner = f.value)
        OR (f.attribute = 'job_title' AND l.job_title = f.value)
    GROUP BY l.lead_id
)

SELECT l.lead_id, coalesce(fit.points, 0) AS fit
FROM scored_leads AS l
LEFT JOIN fit USING (lead_id);
