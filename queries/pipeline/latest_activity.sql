-- The latest activity in the database (NULL: none), from the per-lead rollup: an instant at or after it sees every
-- lead's latest sales touches as stored at import (queries/pipeline/open_leads.sql, $stored_touches).
SELECT max(last_activity_at) AS latest FROM lead_activity_rollup
