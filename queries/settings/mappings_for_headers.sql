-- The saved mappings made for files with these headers (same fingerprint), newest first, then by name.
SELECT name, preset, mapping
FROM saved_mappings
WHERE fingerprint = $fingerprint
ORDER BY saved_at DESC, name
