"""A folder of (hive-partitioned) Parquet files exported from a warehouse, read in place and never written.

`parquet:<folder>` names one; `ParquetFolderStorage` implements the `leadfunnel.storage.Storage` protocol.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from leadfunnel import database
from leadfunnel.model import SQL_TYPES, TABLE_SCHEMAS
from leadfunnel.storage import LakeError, closed_on_error, sql_string

PARQUET_PREFIX = "parquet:"


def is_parquet_location(location: Path | str) -> bool:
    return str(location).startswith(PARQUET_PREFIX)


class ParquetFolderStorage:
    """A folder of Parquet files exported from a warehouse, read in place (nothing is copied or written).

    One sub-folder (or file) per table: `leads/`, `activities/`, optional `feedback/`, each holding
    Parquet files, hive-partitioned or not (`leads/year=2026/month=05/part-0.parquet`). Partition
    columns that are not part of the model are ignored; model columns missing from the files read as
    NULL. The model's views and macros are created over them in a private in-memory database, and the
    derived tables (queries/rollups) are computed when the reader opens.
    """

    def __init__(self, location: str | Path) -> None:
        text = str(location)
        self.folder = Path(text[len(PARQUET_PREFIX):] if is_parquet_location(text) else text).expanduser()
        self.location = f"{PARQUET_PREFIX}{self.folder}"

    def exists(self) -> bool:
        return bool(self._table_sources().get("leads"))

    def snapshot(self) -> str:
        """Changes when a Parquet file is added, removed or rewritten."""
        stats = []
        for path in sorted(self.folder.rglob("*.parquet")):
            with suppress(FileNotFoundError):
                stat = path.stat()
                stats.append(f"{path.relative_to(self.folder)}:{stat.st_mtime_ns}:{stat.st_size}")
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(stats)))

    def open_reader(self) -> duckdb.DuckDBPyConnection:
        sources = self._table_sources()
        if "leads" not in sources:
            raise FileNotFoundError(f"{self.folder}: no leads/ folder (or leads.parquet) of Parquet files")
        with closed_on_error(database.connect(":memory:")) as con:
            database.initialise(con, kind="parquet")
            for table, schema in TABLE_SCHEMAS.items():
                pattern = sources.get(table)
                if pattern is None:
                    continue  # an empty table from the model stands in for it
                found = {row[0] for row in con.execute(
                    "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($p, hive_partitioning = true, "
                    "union_by_name = true))", {"p": pattern}).fetchall()}
                columns = ", ".join(
                    f'CAST({_quoted(name) if name in found else "NULL"} AS {SQL_TYPES[dtype]}) AS {_quoted(name)}'
                    for name, dtype in schema.items())
                con.execute(f"DROP TABLE {table}")
                con.execute(f"CREATE VIEW {table} AS SELECT {columns} FROM read_parquet({sql_string(pattern)}, "
                            "hive_partitioning = true, union_by_name = true)")
            database.refresh_rollups(con)
            con.execute("UPDATE meta SET value = $v WHERE key = 'data_version'", {"v": self.snapshot()})
            # The views read the folder on every query: keep it readable after database.lock_down.
            con.execute("SET allowed_directories = $directories", {"directories": [f"{self.folder.resolve()}/"]})
        return con

    @contextmanager
    def writing(self, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        del fresh
        raise LakeError(f"{self.location} is read in place and never written: import into a DuckDB file or a "
                        "DuckLake instead")
        yield  # pragma: no cover  (makes this a generator for @contextmanager)

    def _table_sources(self) -> dict[str, str]:
        """Table → a read_parquet glob, for each model table the folder holds."""
        sources = {}
        for table in TABLE_SCHEMAS:
            folder, single = self.folder / table, self.folder / f"{table}.parquet"
            if folder.is_dir() and any(folder.rglob("*.parquet")):
                sources[table] = str(folder / "**" / "*.parquet")
            elif single.is_file():
                sources[table] = str(single)
        return sources


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
