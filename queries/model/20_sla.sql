-- The SLA policy the teams agreed on (JSON of leadfunnel.sla.policy.SlaPolicy), by name.
CREATE TABLE IF NOT EXISTS sla_policies (
    name     VARCHAR PRIMARY KEY,
    policy   VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
