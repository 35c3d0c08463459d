"""DuckDB extensions from wheels, never from the network: a DuckLake needs ducklake and postgres_scanner.

The extensions come from the `duckdb-extension-ducklake` and `duckdb-extension-postgres-scanner` wheels
(nothing can be downloaded at run time); they are installed once into a private extension directory so
that DuckDB can open a lake as its main database.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
from pathlib import Path

import duckdb

from leadfunnel import database
from leadfunnel.storage import LakeError, sql_string

EXTENSION_DIR_ENV = "LEADFUNNEL_EXTENSION_DIR"
# Extension → the wheel (import name) that ships it for this DuckDB version. httpfs is optional: it is
# installed when its wheel is, so that a lake whose data path is on object storage (s3://…) can be read.
EXTENSION_WHEELS = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
}
REQUIRED_EXTENSIONS = ("ducklake", "postgres_scanner")
def extension_file(name: str) -> Path | None:
    """The `.duckdb_extension` file a `duckdb-extension-*` wheel ships for this DuckDB, or None without it."""
    spec = importlib.util.find_spec(EXTENSION_WHEELS[name])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}" / \
        f"{name}.duckdb_extension"
    return path if path.is_file() else None


def load_extensions(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = REQUIRED_EXTENSIONS) -> None:
    """LOAD extensions by file path into an existing connection (for ATTACH-style use)."""
    for name in names:
        path = extension_file(name)
        if path is None:
            raise LakeError(_missing_wheel(name))
        con.execute(f"LOAD {sql_string(path)}")


def _missing_wheel(name: str) -> str:
    package = EXTENSION_WHEELS[name].replace("_", "-")
    return (f"the DuckDB extension {name} is not installed: `pip install {package}=={duckdb.__version__}` "
            "(requirements.txt pins it)")


def extension_directory() -> Path:
    """A DuckDB extension directory holding the wheels' extensions, so DuckDB can autoload them.

    LEADFUNNEL_EXTENSION_DIR, else ~/.cache/leadfunnel/duckdb-extensions. Installing is a file copy from
    the wheel (no network); done once per directory and DuckDB version, under a file lock.
    """
    configured = os.environ.get(EXTENSION_DIR_ENV)
    root = Path(configured) if configured else Path.home() / ".cache" / "leadfunnel" / "duckdb-extensions"
    platform_dir = root / f"v{duckdb.__version__}"
    wanted = {name: path for name in EXTENSION_WHEELS if (path := extension_file(name)) is not None}
    for name in REQUIRED_EXTENSIONS:
        if name not in wanted:
            raise LakeError(_missing_wheel(name))

    def installed() -> bool:
        return all(any(platform_dir.glob(f"*/{name}.duckdb_extension")) for name in wanted)

    if installed():
        return root
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".install.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not installed():
            con = duckdb.connect(config={"extension_directory": str(root), **database.NO_AUTOMATIC_EXTENSIONS})
            try:
                for path in wanted.values():
                    con.execute(f"FORCE INSTALL {sql_string(path)}")
            finally:
                con.close()
    return root


def load_object_storage(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD httpfs when its wheel is installed, so a data path on object storage (s3://…) is readable without
    DuckDB's auto-loading (which is off)."""
    if extension_file("httpfs") is not None:
        con.execute("LOAD httpfs")


