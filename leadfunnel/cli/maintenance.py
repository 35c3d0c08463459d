"""The database's life: `demo`, `backup`, `restore`, `upgrade`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.progress import Progress

from leadfunnel import database
from leadfunnel.backends import storage_for
from leadfunnel.backup import BackupError, backup, restore
from leadfunnel.cli.opening import file_location
from leadfunnel.cli.options import (
    DbOption,
)
from leadfunnel.cli.output import err, fail
from leadfunnel.demo import build_demo_database
from leadfunnel.paths import database_location
from leadfunnel.storage import StorageBusy


def demo(
    db: DbOption = None,
    leads: Annotated[int, typer.Option(min=1, help="Number of leads to simulate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 42,
) -> None:
    """(Re)build the demo database with realistic, deterministic B2B data."""
    target = file_location(db)
    try:
        if target.exists():  # only a demo database is rebuilt: anything else (unreadable too) is someone's
            con = storage_for(target).open_reader()
            try:
                database.refuse_unusable(con, target)
                kind = database.read_meta(con, "kind")
            finally:
                con.close()
            if kind != "demo":
                raise fail(f"{target} holds imported data; the demo never overwrites it. Choose another --db.")
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Building demo data", total=1.0)
            build_demo_database(target, leads, seed,
                                lambda done, text: progress.update(task, completed=done, description=text))
    except (database.SchemaVersionError, StorageBusy, duckdb.Error, OSError) as error:
        raise fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Demo database written to {target} ({leads:,} leads, seed {seed}).", highlight=False)


def backup_command(
    out: Annotated[Path, typer.Option("--out", help="A new folder for the backup (Parquet files + schema).")],
    db: DbOption = None,
) -> None:
    """Back up the database into a folder that any DuckDB can read."""
    target = file_location(db)
    if not target.exists():
        raise fail(f"{target}: no such database")
    try:
        backup(target, out)
    except (BackupError, database.SchemaVersionError, duckdb.Error, StorageBusy, OSError) as error:
        raise fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Backed up {target} to {out}.", highlight=False)


def restore_command(
    source: Annotated[Path, typer.Argument(help="A folder written by `backup`.")],
    db: DbOption = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing database (kept beside it as a copy).")] = False,
) -> None:
    """Rebuild a database from a backup folder."""
    target = file_location(db)
    try:
        kept = restore(source, target, replace=replace)
    except (BackupError, database.SchemaVersionError, duckdb.Error, StorageBusy, OSError) as error:
        raise fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Restored {source} into {target}." + (f" The previous database is kept as {kept}." if kept else ""),
              highlight=False)


def upgrade(db: DbOption = None) -> None:
    """Upgrade a database written by an older leadfunnel to this version's schema, keeping all data."""
    target = storage_for(db or database_location())
    if not target.exists():
        raise fail(f"{target.location}: no such database")
    try:
        with target.writing() as con:
            changed = database.upgrade(con, target.location)
    except (database.SchemaVersionError, StorageBusy, duckdb.Error, OSError) as error:
        raise fail(str(error).strip().splitlines()[0]) from None
    if changed:
        err.print(f"Upgraded {target.location} to schema version {database.SCHEMA_VERSION}.", highlight=False)
