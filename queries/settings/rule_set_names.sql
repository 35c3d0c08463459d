-- The names of the saved scoring rule sets, alphabetically (the built-in default is not stored).
SELECT name
FROM rule_sets
ORDER BY name
