"""Backups as a folder of Parquet files plus the schema (DuckDB EXPORT/IMPORT DATABASE).

A backup can be read by any DuckDB, survives DuckDB file-format changes, and restores into a new
file that is swapped in only when complete; a database it would replace is kept beside it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from leadfunnel import database
from leadfunnel.i18n import LocalizedRuntimeError
from leadfunnel.storage import FileStorage, short_reason, sql_string

REQUIRED_FILES = ("meta.parquet", "leads.parquet")
LEAD_TABLES = ("activities", "feedback")  # tables whose every row names a lead of leads.parquet


class BackupError(LocalizedRuntimeError):
    """A backup or restore that cannot be done, with the reason (English in `str`, as the CLI prints it)."""


def backup(db: Path, out: Path) -> None:
    """Export every table of `db` into the empty or new folder `out`, and record when in the database.

    The folder is created only once the database was found usable, and removed again if the export
    fails, so a refused backup leaves no empty or half-written folder that looks like a backup.
    """
    if out.exists() and not out.is_dir():
        raise BackupError("backup.out_is_file", out=str(out))
    try:
        if out.exists() and any(out.iterdir()):
            raise BackupError("backup.out_not_empty", out=str(out))
    except OSError as error:
        raise BackupError("backup.cannot_write", out=str(out), reason=short_reason(error)) from None
    created = not out.exists()
    try:
        with FileStorage(db).writing() as con:
            database.check_schema(con, db)
            try:
                out.mkdir(parents=True, exist_ok=True)
                database.set_meta(con, {"last_backup_at": datetime.now().isoformat(timespec="seconds"),
                                        "last_backup_to": str(out.resolve())})
                con.execute(f"EXPORT DATABASE {sql_string(out.resolve())} (FORMAT parquet)")
            except (OSError, duckdb.Error) as error:
                raise BackupError("backup.cannot_write", out=str(out), reason=short_reason(error)) from None
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise


def restore(source: Path, db: Path, *, replace: bool = False) -> Path | None:
    """Rebuild a database from a backup folder; returns where a replaced database was kept (or None).

    The schema comes from this version's model, not from the folder's schema.sql, and only the Parquet
    files of known tables are read: a backup folder is data, never code that runs. The folder is checked
    before anything is written: meta.parquet and leads.parquet must be there, its schema version a number
    this version reads, its kind demo or user, and every activity and feedback row must name a lead of
    leads.parquet. The restored database is always of kind user, whatever the backup says: it now holds
    data someone restored on purpose, so `demo --db` refuses to overwrite it.
    """
    _check_backup(source)
    if db.exists() and not replace:
        raise BackupError("backup.target_exists", db=str(db))
    kept = None
    with FileStorage(db).writing(fresh=True) as con:
        database.initialise(con, kind="user")
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM meta")
        for table in database.stored_tables(con):
            data = source / f"{table}.parquet"
            if data.is_file():
                try:
                    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM read_parquet($f)', {"f": str(data)})
                except duckdb.Error as error:
                    raise BackupError("backup.unreadable_file", source=str(source), file=data.name,
                                      reason=short_reason(error, data)) from None
        database.set_meta(con, {"kind": "user", "data_version": uuid.uuid4().hex})
        con.execute("COMMIT")
        database.upgrade(con, source)
        database.refresh_rollups(con)
        if db.exists():  # kept under another name (a second link to the same file: instant, no copy)
            kept = db.with_name(f"{db.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
            os.link(db, kept)
    return kept


def _check_backup(source: Path) -> None:
    """Refuse a folder that is not a whole leadfunnel backup this version can restore, reading only Parquet."""
    for name in REQUIRED_FILES:
        if not (source / name).is_file():
            raise BackupError("backup.not_a_backup", source=str(source), file=name)
    con = database.connect(":memory:")
    reading = "meta.parquet"
    try:
        meta = dict(con.execute("SELECT key, value FROM read_parquet($f)", {"f": str(source / reading)}).fetchall())
        reading = "leads.parquet"
        leads = str(source / reading)
        con.execute("SELECT count(lead_id) FROM read_parquet($l)", {"l": leads}).fetchone()
        for table in LEAD_TABLES:
            data = source / f"{table}.parquet"
            if not data.is_file():
                continue
            reading = data.name
            row = con.execute("SELECT count(*) FROM read_parquet($f) AS t ANTI JOIN read_parquet($l) AS l "
                              "ON t.lead_id = l.lead_id", {"f": str(data), "l": leads}).fetchone()
            assert row is not None  # count(*) without GROUP BY returns exactly one row
            orphans = row[0]
            if orphans:
                raise BackupError("backup.orphans", source=str(source), count=orphans, table=table)
    except duckdb.Error as error:
        raise BackupError("backup.unreadable_file", source=str(source), file=reading,
                          reason=short_reason(error, source / reading)) from None
    finally:
        con.close()
    value = meta.get("schema_version")
    if value is None:
        raise BackupError("backup.not_a_backup", source=str(source), file="schema_version in meta.parquet")
    try:
        found = int(value)
    except (TypeError, ValueError):
        raise BackupError("backup.unreadable_version", source=str(source), value=str(value)) from None
    if not 1 <= found <= database.SCHEMA_VERSION:
        raise BackupError("backup.version", source=str(source), found=found, reads=database.SCHEMA_VERSION)
    kind = meta.get("kind")
    if kind not in database.KINDS:
        raise BackupError("backup.bad_kind", source=str(source), kind="(none)" if kind is None else str(kind))
