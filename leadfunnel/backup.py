"""Backups as a folder of Parquet files plus the schema (DuckDB EXPORT/IMPORT DATABASE).

A backup can be read by any DuckDB, survives DuckDB file-format changes, and restores into a new
file that is swapped in only when complete; a database it would replace is kept beside it.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from leadfunnel import database
from leadfunnel.storage import FileStorage, sql_string


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with the reason."""


def backup(db: Path, out: Path) -> None:
    """Export every table of `db` into the empty or new folder `out`, and record when in the database."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty; choose a new folder so no earlier backup is overwritten")
    out.mkdir(parents=True, exist_ok=True)
    with FileStorage(db).writing() as con:
        database.check_schema(con, db)
        database.set_meta(con, {"last_backup_at": datetime.now().isoformat(timespec="seconds"),
                                "last_backup_to": str(out.resolve())})
        con.execute(f"EXPORT DATABASE {sql_string(out.resolve())} (FORMAT parquet)")


def restore(source: Path, db: Path, *, replace: bool = False) -> Path | None:
    """Rebuild a database from a backup folder; returns where a replaced database was kept (or None).

    The schema comes from this version's model, not from the folder's schema.sql, and only the Parquet
    files of known tables are read: a backup folder is data, never code that runs.
    """
    meta_file = source / "meta.parquet"
    if not meta_file.is_file():
        raise BackupError(f"{source} is not a leadfunnel backup (no meta.parquet); make one with `backup --out DIR`")
    if db.exists() and not replace:
        raise BackupError(f"{db} exists; restore into a new file, or pass --replace to keep it as a copy and swap")
    kept = None
    with FileStorage(db).writing(fresh=True) as con:
        meta = dict(con.execute("SELECT key, value FROM read_parquet($f)", {"f": str(meta_file)}).fetchall())
        found = int(meta.get("schema_version", 0))
        if not 1 <= found <= database.SCHEMA_VERSION:
            raise BackupError(f"{source} holds schema version {found}; this leadfunnel reads 1 to "
                              f"{database.SCHEMA_VERSION}")
        database.initialise(con, kind=meta.get("kind", "user"))
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM meta")
        for table in database.stored_tables(con):
            data = source / f"{table}.parquet"
            if data.is_file():
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM read_parquet($f)', {"f": str(data)})
        con.execute("COMMIT")
        database.upgrade(con, source)
        database.refresh_rollups(con)
        if db.exists():  # kept under another name (a second link to the same file: instant, no copy)
            kept = db.with_name(f"{db.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            os.link(db, kept)
    return kept
