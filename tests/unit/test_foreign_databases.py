"""Files that are not a usable leadfunnel database are refused in one line and left as they were, and no
connection the product opens ever installs or loads a DuckDB extension by itself (issue #14, F17, F18).

The command-line cases (each kind of bad file through each command) are in tests/corpus/bad/database;
these tests cover what the corpus cannot: connection settings, a folder one may not write in (the
tests may run as root), the writer's clean-up, and what a restored database is."""

from __future__ import annotations

import builtins
import errno
import shutil
import sqlite3
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leadfunnel import database, extensions, lake, storage
from leadfunnel.cli import app
from leadfunnel.i18n import localized
from leadfunnel.storage import FileStorage

cli = CliRunner()
SETTINGS = ("autoinstall_known_extensions", "autoload_known_extensions")


def _settings(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {name: con.execute(f"SELECT current_setting('{name}')").fetchone()[0] for name in SETTINGS}


def _sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as lite:
        lite.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    return path


def _one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


def test_no_connection_installs_or_loads_extensions_by_itself(tmp_path, small_db_file):
    for con in (database.connect(":memory:"), database.connect(tmp_path / "new.duckdb"),
                FileStorage(small_db_file).open_reader()):
        try:
            assert _settings(con) == {name: False for name in SETTINGS}
        finally:
            con.close()


def test_the_lake_connections_do_not_load_extensions_by_themselves(tmp_path, monkeypatch):
    if any(extensions.extension_file(name) is None for name in extensions.REQUIRED_EXTENSIONS):
        pytest.skip("the DuckLake extension wheels are not installed")
    monkeypatch.setenv(extensions.EXTENSION_DIR_ENV, str(tmp_path / "extensions"))
    config = lake._config()
    assert {name: config[name] for name in SETTINGS} == {name: False for name in SETTINGS}
    # The lake's own connections still get DuckLake: the main database's type names it (no autoload needed).
    con = duckdb.connect(f"ducklake:{tmp_path / 'catalog.ducklake'}", config=config)
    try:
        assert con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
                           ).fetchone() == ("ducklake",)
    finally:
        con.close()


def test_a_sqlite_file_is_refused_at_once_without_the_network(tmp_path):
    path = _sqlite_file(tmp_path / "crm.db")
    started = time.monotonic()
    with pytest.raises(duckdb.IOException, match="Install it first"):  # DuckDB itself: no download tried
        database.connect(path).close()
    with pytest.raises(database.UnopenableDatabase) as raised:
        FileStorage(path).open_reader()
    assert time.monotonic() - started < 5
    assert str(raised.value) == f"{path} cannot be opened as a leadfunnel database: it is a SQLite file, not a " \
                                "DuckDB database"
    assert localized(raised.value, "ja") == (f"{path} を leadfunnel のデータベースとして開けません："
                                             "SQLite のファイルで、DuckDB のデータベースではありません")


def test_what_a_file_holds_is_told_before_anything_is_written(empty_db):
    blank = database.connect(":memory:")
    try:
        assert database.contents(blank) == "empty"
        database.prepare_for_import(blank, "new.duckdb")
        assert database.read_meta(blank, "kind") == "user"
        assert database.schema_version(blank) == database.SCHEMA_VERSION
    finally:
        blank.close()
    assert database.contents(empty_db) == "leadfunnel"
    empty_db.execute("UPDATE meta SET value = 'seven' WHERE key = 'schema_version'")
    assert database.contents(empty_db) == "unreadable_version"
    assert database.schema_version(empty_db) is None  # never a ValueError
    with pytest.raises(database.ForeignDatabase, match=r"has an unreadable schema version \('seven'\)"):
        database.prepare_for_import(empty_db, "team.duckdb")
    with pytest.raises(database.ForeignDatabase, match="unreadable schema version"):
        database.upgrade(empty_db, "team.duckdb")


@pytest.mark.parametrize(("kind", "message"), [("demo", "is the demo database"),
                                               ("parquet", "is marked as a 'parquet' database")])
def test_an_import_refuses_the_demo_and_unknown_kinds(empty_db, kind, message):
    database.set_meta(empty_db, {"kind": kind})
    with pytest.raises(database.ForeignDatabase, match=message):
        database.prepare_for_import(empty_db, "team.duckdb")


def test_another_applications_meta_table_is_foreign():
    con = database.connect(":memory:")
    try:
        con.execute("CREATE TABLE meta (id INTEGER, created DATE)")  # same name, other columns
        assert database.read_meta(con, "kind") is None
        with pytest.raises(database.ForeignDatabase, match="it holds other tables"):
            database.prepare_for_import(con, "their.duckdb")
    finally:
        con.close()


def test_a_writer_that_cannot_open_its_copy_leaves_nothing_behind(small_db_file, tmp_path):
    path = tmp_path / "team.duckdb"
    data = Path(small_db_file).read_bytes()
    path.write_bytes(data[: len(data) // 3])  # a DuckDB header, but cut short
    before = path.read_bytes()
    with pytest.raises(database.UnopenableDatabase) as raised, FileStorage(path).writing():
        pytest.fail("the writer opened a truncated file")
    message = str(raised.value)
    assert message.startswith(f"{path} cannot be opened as a leadfunnel database: ") and "\n" not in message
    assert ".tmp-" not in message  # the scratch copy's name is not the user's file
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.duckdb", "team.duckdb.lock"]


def test_a_folder_one_may_not_write_in_gives_one_line(small_db_file, tmp_path, monkeypatch):
    """What a read-only folder does for a user who is not root, simulated (the tests may run as root)."""
    path = shutil.copy(small_db_file, tmp_path / "team.duckdb")
    before = Path(path).read_bytes()
    real_open = builtins.open

    def open_without_write_permission(file, mode="r", *args, **kwargs):
        if str(file).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(storage, "open", open_without_write_permission, raising=False)
    leads = Path(__file__).parents[1] / "fixtures" / "small" / "leads.csv"
    result = cli.invoke(app, ["import", str(leads), "--db", str(path)])
    assert result.exit_code == 1
    assert _one_line_error(result.output) == (f"error: {path} cannot be opened as a leadfunnel database: no "
                                              "permission to read the file or to write in its folder")
    assert Path(path).read_bytes() == before


def _backup_of_kind(small_db_file: Path, tmp_path: Path, kind: str) -> Path:
    db = shutil.copy(small_db_file, tmp_path / "team.duckdb")
    out = tmp_path / "backup"
    assert cli.invoke(app, ["backup", "--db", str(db), "--out", str(out)]).exit_code == 0
    con = database.connect(":memory:")
    meta = out / "meta.parquet"
    con.execute(f"COPY (SELECT key, CASE key WHEN 'kind' THEN '{kind}' ELSE value END AS value "
                f"FROM read_parquet('{meta}')) TO '{out / 'meta2.parquet'}'")
    con.close()
    (out / "meta2.parquet").replace(meta)
    return out


def test_a_restored_database_is_the_teams_own_so_the_demo_never_overwrites_it(small_db_file, tmp_path):
    backup = _backup_of_kind(small_db_file, tmp_path, "demo")
    restored = tmp_path / "restored.duckdb"
    result = cli.invoke(app, ["restore", str(backup), "--db", str(restored)])
    assert result.exit_code == 0, result.output
    con = database.connect(restored, read_only=True)
    try:
        assert database.read_meta(con, "kind") == "user"
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (7,)
    finally:
        con.close()
    before = restored.read_bytes()
    refused = cli.invoke(app, ["demo", "--db", str(restored), "--leads", "20"])
    assert refused.exit_code == 1 and "the demo never overwrites it" in refused.output
    assert restored.read_bytes() == before


def test_a_backup_that_is_refused_leaves_no_folder(tmp_path):
    foreign = tmp_path / "their.duckdb"
    con = database.connect(foreign)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    result = cli.invoke(app, ["backup", "--db", str(foreign), "--out", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert "is not a leadfunnel database" in _one_line_error(result.output)
    assert not (tmp_path / "backup").exists()
