-- Remove a rule set's head row; run inside the caller's transaction (save, delete), after its points and fit.
DELETE FROM rule_sets WHERE name = $name
