"""#13 (one "now"): the same view — dates, filters and as-of instant — opened as a page, as the meeting pack and
through the CLI gives the same numbers, because all three judge at one instant with the same domain functions.
SLA numbers on tests/fixtures/sla (its README: January, as of 2025-01-24 12:00); scoring on tests/fixtures/scoring
(as of 2025-06-01 00:00); the funnel on tests/fixtures/small (period February); the channels table on
tests/fixtures/small (period, first quarter); one channel counted by account on tests/fixtures/accounts (#16: every
number from one domain function, whatever the filters and the unit)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from leadfunnel.asof import default_as_of
from leadfunnel.cli import app as cli_app
from leadfunnel.cli.opening import open_for_reading
from leadfunnel.filters import Filters
from leadfunnel.format import days, money, percent, written
from leadfunnel.i18n import t
from leadfunnel.metrics import CHANNEL_METRICS
from leadfunnel.model import channel_label, stage_label
from leadfunnel.pack import build_pack
from leadfunnel.scoring.rules import DEFAULT_RULES
from leadfunnel.sla.policy import load_policy
from tests.app.test_pages import ENTRY

cli = CliRunner()


def opened(monkeypatch, db: Path, name: str, start: date, end: date, as_of: datetime | None = None, *,
           mode: str | None = None, unit: str | None = None, channels: list[str] | None = None) -> AppTest:
    """`name` on `db` with the sidebar set to this view (as-of, mode, unit and channels only where given)."""
    monkeypatch.setenv("LEADFUNNEL_DB", str(db))
    app = AppTest.from_file(ENTRY, default_timeout=60).run()
    app.switch_page(name).run()
    app.date_input(key="date_range").set_value((start, end))
    if as_of is not None:
        app.date_input(key="as_of_day").set_value(as_of.date())
        app.time_input(key="as_of_time").set_value(as_of.time())
    if mode is not None:
        app.radio(key="mode").set_value(mode)
    if unit is not None:
        app.radio(key="unit").set_value(unit)
    if channels is not None:
        app.multiselect(key="channels").set_value(channels)
    app.run()
    assert not app.exception
    return app


def page(monkeypatch, db: Path, name: str, start: date, end: date, as_of: datetime) -> dict[str, str]:
    return {m.label: m.value for m in opened(monkeypatch, db, name, start, end, as_of).metric}


def rows_of(document: str) -> dict[str, list[str]]:
    """Every table row of a pack, header rows too, by its first cell (the first table with it wins)."""
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", document):
        cells = [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        if cells:
            rows.setdefault(cells[0], cells[1:])
    return rows


def pack_rows(db: Path, tmp_path: Path, start: date, end: date, as_of: datetime) -> dict[str, list[str]]:
    out = tmp_path / "pack.html"
    result = cli.invoke(cli_app, ["pack", "--db", str(db), "--out", str(out), "--from", start.isoformat(),
                                  "--to", end.isoformat(), "--as-of", f"{as_of:%Y-%m-%d %H:%M}"])
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    assert f"As of {as_of:%Y-%m-%d %H:%M}" in document  # the pack says at which instant it judged
    return rows_of(document)


def pack_rows_for(db: Path, filters: Filters, mode: str) -> dict[str, list[str]]:
    """The pack of a view the `pack` command has no option for (the unit): built as the sidebar's button builds it."""
    with open_for_reading(str(db)) as runner:
        document = build_pack(runner, filters, mode, DEFAULT_RULES, None, load_policy(runner.con),
                              default_as_of(runner))
    return rows_of(document)


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


def cli_csv(*args: str) -> list[dict[str, str]]:
    result = cli.invoke(cli_app, [*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def assert_funnel_agrees(app: AppTest, pack: dict[str, list[str]], report: dict, frame: list[dict[str, str]]) -> None:
    """Counts and both rates of every stage: the page's figures and table, the pack's funnel table and `report
    funnel` (JSON; the rate from lead, which the JSON leaves out, from its CSV) say the same."""
    shown = {m.label: m.value for m in app.metric}
    table = {row["Stage"]: row for row in app.dataframe[0].value.to_dict("records")}
    counted = next(c for c in app.dataframe[0].value.columns if c in ("Leads", "Accounts"))
    from_previous = {c["to"]: c["rate"] for c in report["conversion"]}
    from_lead = {row["stage"]: float(row["rate_from_lead"]) if row["rate_from_lead"] else None for row in frame}
    assert [s["stage"] for s in report["stages"]] == [row["stage"] for row in frame]
    assert len(table) == len(report["stages"])
    for stage in report["stages"]:
        label = stage_label(stage["stage"])
        written_count = f"{stage['count']:,}" if stage["in_data"] else t("funnel.not_in_data")
        # pack columns: count, previous period, change, from previous, from lead
        assert table[label][counted] == pack[label][0] == written_count, label
        rate = percent(from_previous.get(stage["stage"]))
        assert table[label]["From previous"] == pack[label][3] == rate, label
        assert table[label]["From lead"] == pack[label][4] == percent(from_lead[stage["stage"]]), label
    counts = {s["stage"]: s["count"] for s in report["stages"]}
    for label, stage in (("Lead", "lead"), ("MQL", "mql"), ("SQL", "sql"), ("Won", "won")):
        assert shown[label] == pack[label][0] == f"{counts[stage]:,}", label
    assert shown["Lead → won"] == pack["Won"][4] == percent(from_lead["won"])


def page_cell(value: Any, kind: str) -> Any:
    """A channels-table value as the page writes it (leadfunnel.ui.tables: rates, days and amounts as text, "–"
    when missing; counts stay numbers)."""
    if kind == "count":
        return value
    if value is None:
        return "–"
    return {"percent": percent, "days": days, "money": money}[kind](value)


def assert_channels_agree(app: AppTest, pack: dict[str, list[str]], report: dict, unit: str) -> None:
    """Every CHANNEL_METRICS column of every channel: the page's table, the pack's channels table and `report
    channels` (JSON) hold the same value, each written its own way."""
    table = app.dataframe[0].value
    assert {m.column for m in CHANNEL_METRICS} <= set(table.columns)
    shown = {row["channel"]: row for row in table.to_dict("records")}
    header = t("col.channel")
    assert [header, *pack[header]] == [t(m.label_for(unit)) for m in CHANNEL_METRICS]  # the pack's columns
    assert report["channels"] and len(shown) == len(report["channels"])
    for row in report["channels"]:
        label = channel_label(row["channel"])
        on_page, in_pack = shown[label], [label, *pack[label]]
        for position, metric in enumerate(CHANNEL_METRICS):
            value = row[metric.column]
            if metric.kind == "text":
                assert on_page[metric.column] == in_pack[position] == label
                continue
            assert on_page[metric.column] == page_cell(value, metric.kind), (label, metric.column)
            assert in_pack[position] == written(value, metric.kind), (label, metric.column)


def test_funnel_rates_page_pack_and_cli_agree(monkeypatch, small_app_db, tmp_path):
    start, end, as_of = date(2025, 2, 1), date(2025, 2, 28), datetime.combine(date(2025, 5, 1), time(0, 0))
    app = opened(monkeypatch, small_app_db, "pages/funnel.py", start, end, as_of)
    pack = pack_rows(small_app_db, tmp_path, start, end, as_of)
    view = ("--db", str(small_app_db), "--from", "2025-02-01", "--to", "2025-02-28", "--mode", "period")
    report = cli_json("report", "funnel", *view)
    assert_funnel_agrees(app, pack, report, cli_csv("report", "funnel", *view))
    # Period February (tests/fixtures/small/README.md): MQL 2 of 2 leads, SAL 1, SQL 1, won 1.
    assert [c["rate"] for c in report["conversion"]][:2] == [1.0, 0.5]


def test_channels_page_pack_and_cli_agree(monkeypatch, small_app_db, tmp_path):
    start, end, as_of = date(2025, 1, 1), date(2025, 3, 31), datetime.combine(date(2025, 5, 1), time(0, 0))
    app = opened(monkeypatch, small_app_db, "pages/channels.py", start, end, as_of)
    pack = pack_rows(small_app_db, tmp_path, start, end, as_of)
    report = cli_json("report", "channels", "--db", str(small_app_db), "--from", "2025-01-01", "--to", "2025-03-31",
                      "--mode", "period")
    assert_channels_agree(app, pack, report, "lead")
    # Missing values ("–") and money are among the compared cells, not only counts.
    assert any(row["win_rate"] is None for row in report["channels"])
    assert any(row["won_amount"] for row in report["channels"])


def test_one_channel_by_account_page_pack_and_cli_agree(monkeypatch, tmp_path):
    from tests.conftest import fixture_database

    db = fixture_database(tmp_path, "accounts")
    start, end = date(2025, 1, 1), date(2025, 1, 31)
    options = ("--db", str(db), "--from", "2025-01-01", "--to", "2025-01-31", "--mode", "cohort", "--channel", "seo")
    out = tmp_path / "pack.html"
    written = cli.invoke(cli_app, ["pack", *options, "--by", "account", "--out", str(out)])
    assert written.exit_code == 0, written.output
    pack = rows_of(out.read_text(encoding="utf-8"))
    assert pack == pack_rows_for(db, Filters(start, end, channels=("seo",), unit="account"), "cohort")  # as the button
    funnel_report = cli_json("report", "funnel", *options, "--by", "account")
    funnel = opened(monkeypatch, db, "pages/funnel.py", start, end, mode="cohort", unit="account", channels=["seo"])
    assert_funnel_agrees(funnel, pack, funnel_report, cli_csv("report", "funnel", *options, "--by", "account"))
    channels = opened(monkeypatch, db, "pages/channels.py", start, end, mode="cohort", unit="account",
                      channels=["seo"])
    channels_report = cli_json("report", "channels", *options, "--by", "account")
    assert [row["channel"] for row in channels_report["channels"]] == ["seo"]
    assert_channels_agree(channels, pack, channels_report, "account")
    # The unit reaches every path: counted by lead, the same view has MQL 1 and SQL 1; by account, 2 and 2.
    by_lead = {s["stage"]: s["count"] for s in cli_json("report", "funnel", *options)["stages"]}
    by_account = {s["stage"]: s["count"] for s in funnel_report["stages"]}
    assert (by_lead["mql"], by_account["mql"]) == (1, 2) and (by_lead["sql"], by_account["sql"]) == (1, 2)
