-- The latest imports, newest first (what the Data page shows).
SELECT imported_at, files, source, rows_read, rows_rejected, leads_new, leads_updated, leads_unchanged,
       activities_added
FROM import_log
ORDER BY imported_at DESC
LIMIT 20
