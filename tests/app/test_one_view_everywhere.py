"""#13 (one "now"): the same view — dates, filters and as-of instant — opened as a page, as the meeting pack and
through the CLI gives the same numbers, because all three judge at one instant with the same domain functions.
SLA numbers on tests/fixtures/sla (its README: January, as of 2025-01-24 12:00); scoring on tests/fixtures/scoring
(as of 2025-06-01 00:00); the funnel on tests/fixtures/small (period February)."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime, time
from pathlib import Path

from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from leadfunnel.cli import app as cli_app
from tests.app.test_pages import ENTRY

cli = CliRunner()


def page(monkeypatch, db: Path, name: str, start: date, end: date, as_of: datetime) -> dict[str, str]:
    monkeypatch.setenv("LEADFUNNEL_DB", str(db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page(name).run()
    app.date_input(key="date_range").set_value((start, end))
    app.date_input(key="as_of_day").set_value(as_of.date())
    app.time_input(key="as_of_time").set_value(as_of.time()).run()
    assert not app.exception
    return {m.label: m.value for m in app.metric}


def pack_rows(db: Path, tmp_path: Path, start: date, end: date, as_of: datetime) -> dict[str, list[str]]:
    out = tmp_path / "pack.html"
    result = cli.invoke(cli_app, ["pack", "--db", str(db), "--out", str(out), "--from", start.isoformat(),
                                  "--to", end.isoformat(), "--as-of", f"{as_of:%Y-%m-%d %H:%M}"])
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    assert f"As of {as_of:%Y-%m-%d %H:%M}" in document  # the pack says at which instant it judged
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", document):
        cells = [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        if cells:
            rows.setdefault(cells[0], cells[1:])
    return rows


def cli_json(*args: str) -> dict:
    result = cli.invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sla_page_pack_and_cli_agree(monkeypatch, sla_app_db, tmp_path):
    start, end, as_of = date(2025, 1, 1), date(2025, 1, 31), datetime(2025, 1, 24, 12, 0)
    shown = page(monkeypatch, sla_app_db, "pages/sla.py", start, end, as_of)
    pack = pack_rows(sla_app_db, tmp_path, start, end, as_of)
    report = cli_json("report", "sla", "--db", str(sla_app_db), "--from", "2025-01-01", "--to", "2025-01-31",
                      "--as-of", "2025-01-24 12:00")
    assert shown["Compliance"] == pack["Compliance"][0] == f"{report['compliance_rate']:.1%}" == "33.3%"
    for label, key in (("Met", "met"), ("Breached", "breached"), ("Overdue now", "overdue_open"),
                       ("Pending", "pending")):
        assert shown[label] == pack[label][0] == f"{report[key]:,}", label


def test_scoring_page_pack_and_cli_agree(monkeypatch, scoring_app_db, tmp_path):
    start, end, as_of = date(2025, 1, 1), date(2025, 5, 31), datetime(2025, 6, 1, 0, 0)
    shown = page(monkeypatch, scoring_app_db, "pages/scoring.py", start, end, as_of)
    pack = pack_rows(scoring_app_db, tmp_path, start, end, as_of)
    backtest = cli_json("report", "scores", "--db", str(scoring_app_db), "--as-of", "2025-06-01 00:00")["backtest"]
    guide = pack["The guide's default"] if "The guide's default" in pack else pack["Guide default"]
    # pack columns: threshold, handed over, caught, recall, precision, days earlier
    assert shown["Handed over"] == guide[1] == f"{backtest['crossed']:,}" == "3"
    assert shown["Caught"] == guide[2] == f"{backtest['caught']:,}" == "1"
    assert shown["Recall"] == guide[3] == f"{backtest['recall']:.1%}"


def test_funnel_page_pack_and_cli_agree(monkeypatch, small_app_db, tmp_path):
    start, end, as_of = date(2025, 2, 1), date(2025, 2, 28), datetime.combine(date(2025, 5, 1), time(0, 0))
    shown = page(monkeypatch, small_app_db, "pages/funnel.py", start, end, as_of)
    pack = pack_rows(small_app_db, tmp_path, start, end, as_of)
    report = cli_json("report", "funnel", "--db", str(small_app_db), "--from", "2025-02-01", "--to", "2025-02-28",
                      "--mode", "period")
    counts = {s["stage"]: s["count"] for s in report["stages"]}
    for label, stage in (("Lead", "lead"), ("MQL", "mql"), ("SQL", "sql"), ("Won", "won")):
        assert shown[label] == pack[label][0] == f"{counts[stage]:,}", label
