-- The latest imports, newest first (what the Data page shows). spend_added / spend_replaced: spend amounts added,
-- and stored ones a newer spend.csv replaced (NULL before schema 11).
SELECT imported_at, files, source, rows_read, rows_rejected, leads_new, leads_updated, leads_unchanged,
       activities_added, spend_added, spend_replaced
FROM import_log
ORDER BY imported_at DESC
LIMIT 20
