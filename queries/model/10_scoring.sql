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
