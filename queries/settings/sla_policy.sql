-- The stored SLA policy of this name, as JSON of leadfunnel.sla.policy.SlaPolicy (no row: the default applies).
SELECT policy
FROM sla_policies
WHERE name = $name
