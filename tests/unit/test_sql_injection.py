"""SQL-shaped text in headers, mappings, filter values and CLI options is data: it matches or it doesn't.

Every path reaches the database as bound parameters or Polars frames, never spliced into SQL. Each test
snapshots every table and its row count before and after and asserts they are the same (imports: only
the rows the import adds).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from leadfunnel import database
from leadfunnel.cli import app
from leadfunnel.filters import Filters
from leadfunnel.ingest.canonical import import_canonical
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS
from leadfunnel.ingest.readers import read_table
from leadfunnel.ingest.saved_mappings import mappings_for, save_mapping
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channels_report, funnel_report
from tests.conftest import SMALL_FILES

ATTACKS = [
    "x'); DROP TABLE leads; --",
    'name"; DROP TABLE leads; --',
    "' OR '1'='1",
    "webinar' OR 1=1 --",
    "webinar'; DELETE FROM leads; --",
    "$channels",
    "'; ATTACH '/tmp/evil.duckdb' AS evil; --",
]
HOSTILE_CHANNEL = "ads'); DROP TABLE leads; --"
HOSTILE_OWNER = "o'; DELETE FROM activities; --"


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every table of the database with its row count (quoted identifiers: names come from the catalogue)."""
    names = [n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                       "current_database() ORDER BY table_name").fetchall()]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """The small fixture plus one lead whose channel and owner are SQL-shaped."""
    leads = (SMALL_FILES[0].read_text(encoding="utf-8").rstrip("\n")
             + f'\nX1,2025-01-07 10:00,"{HOSTILE_CHANNEL}",Evil KK,Retail,1-49,"{HOSTILE_OWNER}",,,,,,,\n')
    (tmp_path / "leads.csv").write_text(leads, encoding="utf-8")
    path = tmp_path / "hostile.duckdb"
    con = database.connect(path)
    database.initialise(con)
    import_canonical(con, [tmp_path / "leads.csv", SMALL_FILES[1], SMALL_FILES[2]])
    con.close()
    return path


@pytest.fixture
def hostile_runner(hostile_db: Path):
    con = database.connect(hostile_db)
    yield QueryRunner(con)
    con.close()


def leads_of(report: dict) -> int:
    return report["stages"][0]["count"]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("field", ["channels", "industries", "company_sizes", "owners"])
def test_sql_shaped_filter_values_match_nothing(hostile_runner, attack, field):
    before = snapshot(hostile_runner.con)
    filters = Filters(**{field: (attack,)})
    for mode in ("cohort", "period"):
        assert leads_of(funnel_report(hostile_runner, filters, mode)) == 0
        assert channels_report(hostile_runner, filters, mode)["channels"] == []
    assert snapshot(hostile_runner.con) == before


def test_sql_shaped_values_that_exist_match_exactly_their_lead(hostile_runner):
    before = snapshot(hostile_runner.con)
    everyone = leads_of(funnel_report(hostile_runner, Filters(), "cohort"))
    assert everyone == before["leads"] == 8
    assert leads_of(funnel_report(hostile_runner, Filters(channels=(HOSTILE_CHANNEL,)), "cohort")) == 1
    assert leads_of(funnel_report(hostile_runner, Filters(owners=(HOSTILE_OWNER,)), "cohort")) == 1
    channels = channels_report(hostile_runner, Filters(), "cohort")["channels"]
    assert HOSTILE_CHANNEL in [c["channel"] for c in channels]
    assert snapshot(hostile_runner.con) == before


@pytest.mark.parametrize("report", ["funnel", "channels"])
@pytest.mark.parametrize("option", ["--channel", "--from"])
def test_cli_report_with_sql_shaped_options(hostile_db, report, option):
    before = _snapshot_file(hostile_db)
    result = CliRunner().invoke(app, ["report", report, "--db", str(hostile_db), option, "x'); DROP TABLE leads; --",
                                      "--channel", "webinar' OR 1=1 --", "--mode", "cohort"])
    if option == "--from":  # not a date: refused with a message, before any query
        assert result.exit_code != 0
        assert "DROP TABLE" in result.output or "date" in result.output.lower()
    else:
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert (leads_of(printed) if report == "funnel" else len(printed["channels"])) == 0
    assert _snapshot_file(hostile_db) == before


def test_cli_report_on_a_channel_that_is_sql_shaped_counts_it(hostile_db):
    result = CliRunner().invoke(app, ["report", "funnel", "--db", str(hostile_db), "--channel", HOSTILE_CHANNEL,
                                      "--mode", "cohort"])
    assert result.exit_code == 0, result.output
    assert leads_of(json.loads(result.stdout)) == 1


HOSTILE_HEADER = 'name"; DROP TABLE leads; --'
HOSTILE_ID_HEADER = "id'); DELETE FROM leads; --"


def hostile_export() -> bytes:
    return (f'"{HOSTILE_ID_HEADER}","{HOSTILE_HEADER.replace(chr(34), chr(34) * 2)}",Create Date,Source\n'
            "Z1,\"Robert'); DROP TABLE leads; --\",2025-03-01 09:00,webinar\n"
            "Z2,\"x\"\"; DELETE FROM activities; --\",2025-03-02 09:00,seo\n").encode()


def test_sql_shaped_column_names_in_a_mapping_import_as_plain_values(hostile_db):
    con = database.connect(hostile_db)
    try:
        before = snapshot(con)
        table = read_table(hostile_export(), "export.csv")
        id_header, name_header = table.frame.columns[:2]
        # Polars keeps a quoted header's doubled quotes (pola-rs/polars#20294): compare loosely.
        assert id_header == HOSTILE_ID_HEADER and name_header.replace('""', '"') == HOSTILE_HEADER
        mapping = {"lead_id": id_header, "company": name_header, "created_at": "Create Date", "channel": "Source"}
        result = check(con, [Upload("export.csv", hostile_export())], [table], PRESETS["generic"], mapping)
        assert snapshot(con) == before  # checking writes nothing
        assert not result.problems and result.leads_new == 2
        save_mapping(con, "m'); DROP TABLE saved_mappings; --", table.frame.columns, "generic", mapping)
        saved = mappings_for(con, table.frame.columns)
        assert [(m.name, m.mapping) for m in saved] == [("m'); DROP TABLE saved_mappings; --", mapping)]
        commit(con, result)
        after = snapshot(con)
        assert after.keys() == before.keys()
        grown = {name: after[name] - before[name] for name in after if after[name] != before[name]}
        assert grown.pop("leads") == 2 and grown.pop("saved_mappings") == 1 and grown.pop("import_log") == 1
        assert all(name in _derived() for name in grown), grown  # only tables rebuilt from leads
        companies = con.execute("SELECT company FROM leads WHERE company LIKE '%;%' ORDER BY company").fetchall()
        assert companies == [("Robert'); DROP TABLE leads; --",), ('x"; DELETE FROM activities; --',)]
    finally:
        con.close()


def test_a_mapping_to_a_missing_sql_shaped_column_is_a_clear_error(hostile_db):
    con = database.connect(hostile_db)
    try:
        before = snapshot(con)
        table = read_table(hostile_export(), "export.csv")
        mapping = {"lead_id": HOSTILE_ID_HEADER, "created_at": "Create Date",
                   "company": "nope\"; DROP TABLE leads; --"}
        with pytest.raises(pl.exceptions.ColumnNotFoundError, match="DROP TABLE leads"):
            check(con, [Upload("export.csv", hostile_export())], [table], PRESETS["generic"], mapping)
        assert snapshot(con) == before
    finally:
        con.close()


def _derived() -> set[str]:
    from leadfunnel.database import derived_tables

    return derived_tables()


def _snapshot_file(path: Path) -> dict[str, int]:
    copy = path.with_suffix(".snapshot.duckdb")
    shutil.copy(path, copy)  # read a copy: the CLI under test opens the file itself
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()
        copy.unlink()
