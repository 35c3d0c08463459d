-- Remove a rule set's behaviour points; run inside the caller's transaction (save, delete).
DELETE FROM rule_points WHERE rule_set = $name
