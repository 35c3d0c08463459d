-- Every import: where it came from and what it changed (written in the same transaction as the data).
CREATE TABLE IF NOT EXISTS import_log (
    imported_at      TIMESTAMP NOT NULL,
    files            VARCHAR NOT NULL,   -- file names, comma-separated
    sha256           VARCHAR NOT NULL,   -- of the files' bytes, in order
    source           VARCHAR NOT NULL,   -- preset: hubspot, salesforce, mautic, generic, canonical
    rows_read        INTEGER NOT NULL,
    rows_rejected    INTEGER NOT NULL,
    leads_new        INTEGER NOT NULL,
    leads_updated    INTEGER NOT NULL,
    leads_unchanged  INTEGER NOT NULL,
    activities_added INTEGER NOT NULL
);
-- Added in schema version 11: spend rows added, and stored ones whose amount this import replaced.
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS spend_added INTEGER;
ALTER TABLE import_log ADD COLUMN IF NOT EXISTS spend_replaced INTEGER;

-- Column mappings the user corrected, offered again for a file with the same headers.
CREATE TABLE IF NOT EXISTS saved_mappings (
    name        VARCHAR PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,        -- of the sorted, normalised header names
    preset      VARCHAR NOT NULL,
    mapping     VARCHAR NOT NULL,        -- JSON: canonical field → source column
    saved_at    TIMESTAMP NOT NULL
);
