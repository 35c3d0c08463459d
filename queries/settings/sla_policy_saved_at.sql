-- When the SLA policy of this name was last saved (no row: the built-in default is in force).
SELECT saved_at
FROM sla_policies
WHERE name = $name
