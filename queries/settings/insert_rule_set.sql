-- Save a rule set's head (name, threshold, half-life, when); run inside the save's transaction.
INSERT INTO rule_sets VALUES ($name, $threshold, $half_life, $saved_at)
