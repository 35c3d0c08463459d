-- What the database holds and when it was last imported into and backed up.
SELECT
    (SELECT value FROM meta WHERE key = 'kind')           AS kind,
    (SELECT count(*) FROM leads)                          AS leads,
    (SELECT count(*) FROM activities)                     AS activities,
    (SELECT count(*) FROM feedback)                       AS feedback,
    (SELECT max(imported_at) FROM import_log)             AS last_import_at,
    (SELECT value FROM meta WHERE key = 'last_backup_at') AS last_backup_at
