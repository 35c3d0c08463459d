"""A throwaway PostgreSQL server on loopback for the DuckLake tests, and a fresh lake per test.

Debian's postgresql package provides the server (`make lake-deps` installs it). Without it the lake
tests are skipped with the reason shown in the summary — except in CI (CI=true), where a missing server
is a failure, so a green CI always means the multi-process backend was really tested.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadfunnel import extensions, lake

SERVER_USER = "postgres"  # the Debian package's account: PostgreSQL refuses to run as root
ROLE = "leadfunnel"


@dataclass(frozen=True)
class PostgresServer:
    bindir: Path
    port: int
    socket_dir: Path

    def connection_string(self, dbname: str) -> str:
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={ROLE}"

    def create_database(self, dbname: str) -> None:
        subprocess.run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", ROLE, dbname],
                       check=True, capture_output=True)


@dataclass(frozen=True)
class Lake:
    location: str
    data_path: Path

    def env(self) -> dict[str, str]:
        """The environment a CLI process needs to create or open this lake."""
        return {**os.environ, lake.DATA_PATH_ENV: str(self.data_path),
                extensions.EXTENSION_DIR_ENV: os.environ[extensions.EXTENSION_DIR_ENV]}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"DuckLake tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"DuckLake tests skipped: {reason}")


def _server_bindir() -> Path | None:
    """Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def extension_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private DuckDB extension directory for the session, filled from the wheels (no network)."""
    for name in extensions.REQUIRED_EXTENSIONS:
        if extensions.extension_file(name) is None:
            _unavailable(f"the {extensions.EXTENSION_WHEELS[name]} wheel is not installed "
                         "(pip install -r requirements.txt)")
    path = tmp_path_factory.mktemp("duckdb-extensions")
    previous = os.environ.get(extensions.EXTENSION_DIR_ENV)
    os.environ[extensions.EXTENSION_DIR_ENV] = str(path)
    extensions.extension_directory()
    yield path
    if previous is None:
        os.environ.pop(extensions.EXTENSION_DIR_ENV, None)
    else:
        os.environ[extensions.EXTENSION_DIR_ENV] = previous


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """initdb + pg_ctl in a temporary directory, listening on 127.0.0.1 only, trust auth; removed afterwards."""
    bindir = _server_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql "
                     "(`make lake-deps` does as root)")
    as_root = os.geteuid() == 0
    if as_root:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            _unavailable(f"running as root and there is no {SERVER_USER!r} account to run the server as")
    root = Path(tempfile.mkdtemp(prefix="leadfunnel-pg-"))
    if as_root:
        os.chown(root, account.pw_uid, account.pw_gid)
    prefix = ["runuser", "-u", SERVER_USER, "--"] if as_root else []
    data, log, port = root / "data", root / "server.log", _free_port()
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", ROLE, "-E", "UTF8",
                        "--no-locale", "--no-sync"], check=True, capture_output=True)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                        "-o", f"-h 127.0.0.1 -p {port} -k {root} -F -c max_connections=200", "start"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode(errors="replace").strip()
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {detail}", pytrace=False)
    try:
        yield PostgresServer(bindir, port, root)
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fresh_lake(postgres_server: PostgresServer, extension_dir: Path, tmp_path: Path) -> Lake:
    """An empty PostgreSQL database for a new lake, and the local directory its Parquet files go to."""
    del extension_dir  # only needed for its environment variable
    dbname = f"lake_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(dbname)
    return Lake(f"{lake.LAKE_PREFIX}{lake.CATALOG_PREFIX}{postgres_server.connection_string(dbname)}",
                tmp_path / "lake-data")
