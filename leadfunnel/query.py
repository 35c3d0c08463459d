"""The query layer: runs the parameterised `.sql` files in `queries/` and returns Polars frames.

The CLI, the pages and the tests all go through `QueryRunner.run`, so there is one path from data
to number; a statement that must run on a caller's cursor or transaction (saving a setting) goes through
`execute`, from the same files. Values are always bound parameters; a query only receives the parameters it names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import duckdb
import polars as pl

from leadfunnel.database import data_version, read_sql
from leadfunnel.paths import QUERY_DIR

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


@cache
def load_query(name: str) -> tuple[str, frozenset[str]]:
    """The SQL of `queries/<name>.sql` (per-activity-type lines expanded: database.read_sql) and the `$parameters`
    it uses."""
    path = (QUERY_DIR / f"{name}.sql").resolve()
    if QUERY_DIR.resolve() not in path.parents:
        raise ValueError(f"not a query name: {name!r}")
    sql = read_sql(path)
    names = frozenset(_PARAMETER.findall(_LINE_COMMENT.sub("", sql)))
    return sql, names


def _bound(name: str, params: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The SQL of `queries/<name>.sql` and the parameters it names, taken from `params` (KeyError if one is missing)."""
    sql, wanted = load_query(name)
    given = dict(params or {})
    missing = wanted - given.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    return sql, {key: given[key] for key in wanted}


def execute(cursor: duckdb.DuckDBPyConnection, name: str,
            params: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run `queries/<name>.sql` on the caller's cursor (inside its transaction, if one is open); fetch the rows
    from what it returns. For statements that belong to a caller's transaction, such as saving a setting."""
    sql, values = _bound(name, params)
    return cursor.execute(sql, values)


class QueryRunner:
    """Owns one DuckDB connection; every call runs on its own cursor (safe across threads)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, quiet: bool = False) -> None:
        self.con = con
        self.quiet = quiet  # no progress bar on stdout, where the CLI prints JSON and CSV

    def run(self, name: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        sql, values = _bound(name, params)
        cursor = self.con.cursor()
        try:
            if self.quiet:  # a per-connection setting: cursors do not inherit it
                cursor.execute("SET enable_progress_bar = false")
            return cursor.execute(sql, values).pl()
        finally:
            cursor.close()

    def data_version(self) -> str:
        """The database's data version (changes on every import); part of result-cache keys."""
        cursor = self.con.cursor()
        try:
            return data_version(cursor)
        finally:
            cursor.close()
