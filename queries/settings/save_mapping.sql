-- Save a corrected column mapping by name, with the fingerprint of its file's headers: replace one of the same
-- name, or add it.
MERGE INTO saved_mappings
USING (SELECT $name AS name, $fingerprint AS fingerprint, $preset AS preset, $mapping AS mapping,
              $at AS saved_at) AS new
ON saved_mappings.name = new.name
WHEN MATCHED THEN UPDATE SET fingerprint = new.fingerprint, preset = new.preset, mapping = new.mapping,
                             saved_at = new.saved_at
WHEN NOT MATCHED THEN INSERT VALUES (new.name, new.fingerprint, new.preset, new.mapping, new.saved_at)
