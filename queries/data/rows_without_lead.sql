-- Rows of an import whose lead is neither stored nor imported with them (activities, feedback), in record order.
-- The caller names the rows to look at as `checked_rows` (record, lead_id) and the leads the import brings as
-- `checked_leads` (lead_id): temporary views or registered frames (leadfunnel.ingest.write.rows_without_lead). A row
-- without a lead id is not one of them: it is refused for that already. The one definition behind the reports that
-- name such rows (file and line) and the rows an import that accepts leaving bad rows out leaves out; the write
-- itself checks the stored activities again (unmatched_activities.sql).
SELECT r.record, r.lead_id
FROM checked_rows AS r
ANTI JOIN leads USING (lead_id)
ANTI JOIN checked_leads USING (lead_id)
WHERE r.lead_id IS NOT NULL
ORDER BY r.record
