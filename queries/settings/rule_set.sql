-- One saved rule set's threshold and recency half-life (no row: no rule set of that name).
SELECT threshold, half_life_days
FROM rule_sets
WHERE name = $name
