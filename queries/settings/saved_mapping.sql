-- One saved mapping by name (no row: none of that name).
SELECT name, preset, mapping
FROM saved_mappings
WHERE name = $name
