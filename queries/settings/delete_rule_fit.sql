-- Remove a rule set's fit points; run inside the caller's transaction (save, delete).
DELETE FROM rule_fit WHERE rule_set = $name
