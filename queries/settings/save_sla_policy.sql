-- Save the SLA policy of this name (JSON) and when: replace the stored one, or add it.
MERGE INTO sla_policies
USING (SELECT $name AS name, $policy AS policy, $at AS saved_at) AS new
ON sla_policies.name = new.name
WHEN MATCHED THEN UPDATE SET policy = new.policy, saved_at = new.saved_at
WHEN NOT MATCHED THEN INSERT VALUES (new.name, new.policy, new.saved_at)
