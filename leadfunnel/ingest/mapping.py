"""A tool's export, read and mapped → canonical lead and activity rows, with every problem found.

Rows that cannot be imported (no id, a date that is not a date, an id twice in the file) are
rejected with file, line and column; stage dates out of order are warnings. Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import polars as pl

from leadfunnel.i18n import Message
from leadfunnel.ingest.errors import RowProblem
from leadfunnel.ingest.presets import (
    LEAD_FIELDS,
    SALESFORCE,
    SALESFORCE_CONVERTED_OPPORTUNITY,
    SALESFORCE_OPPORTUNITY_COLUMNS,
    TIMESTAMP_FIELDS,
    Preset,
    activity_type,
    channel_key,
    fold,
    guess_mapping,
    size_band,
)
from leadfunnel.ingest.readers import RawTable
from leadfunnel.ingest.store import TABLE_SCHEMAS
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, parse_timestamps

LINE = "__line"
UNKNOWN_CHANNEL = "unknown"
STAGE_ORDER = ("created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at")


@dataclass
class Prepared:
    """What an import would write, and why some rows would not be."""

    leads: pl.DataFrame
    activities: pl.DataFrame
    problems: list[RowProblem] = field(default_factory=list)  # rejected rows
    warnings: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rejected_lines(self) -> int:
        return len({(p.file, p.line) for p in self.problems})


def prepare(tables: list[RawTable], preset: Preset, mapping: dict[str, str] | None = None,
            zone: str = DATA_TIMEZONE) -> Prepared:
    """Map the lead table (the first), and for Salesforce an opportunities table, for Mautic a points log."""
    leads_table, *others = tables
    used = mapping if mapping is not None else guess_mapping(leads_table.frame.columns, preset)
    prepared = _prepare_leads(leads_table, preset, used, zone)
    for table in others:
        if preset.key == "salesforce" and _has_any(table, SALESFORCE_OPPORTUNITY_COLUMNS["stage"]):
            _join_salesforce_opportunities(prepared, leads_table, table, zone)
        elif preset.activity_columns:
            _add_activities(prepared, table, preset, zone)
        else:
            prepared.problems.append(RowProblem.of(table.name, 1, "-", None, "import.not_for_preset",
                                                   preset=Message(f"preset.{preset.key}")))
    return prepared


def _prepare_leads(table: RawTable, preset: Preset, mapping: dict[str, str], zone: str) -> Prepared:
    raw = table.frame.with_row_index(LINE, offset=2)
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def report(into: list[RowProblem], mask: pl.Series, source: str, key: str, **params: Message) -> None:
        for line, value in raw.filter(mask).select(LINE, source).iter_rows():
            into.append(RowProblem.of(table.name, line, source, value, key, **params))

    id_source = mapping.get("lead_id") or mapping.get("email")
    if id_source is None or "created_at" not in mapping:
        missing = [name for name, absent in (("id", id_source is None), ("created", "created_at" not in mapping))
                   if absent]
        problems.append(RowProblem.of(table.name, 1, "-", None, "import.map_columns",
                                      columns=Message(f"import.missing_{'_and_'.join(missing)}")))
        return Prepared(_empty("leads"), _empty("activities"), problems, warnings, raw.height)

    ids = raw[id_source]
    if id_source == mapping.get("email"):
        ids = ids.str.to_lowercase()
    report(problems, ids.is_null(), id_source, "import.empty_id")
    duplicated = ids.is_duplicated() & ids.is_not_null()
    report(problems, duplicated, id_source, "import.duplicate_id")

    columns: dict[str, pl.Series] = {"lead_id": (preset.id_prefix + ids).alias("lead_id")}
    for name in LEAD_FIELDS[1:]:
        source = mapping.get(name)
        if source is None:
            columns[name] = pl.Series(name, [None] * raw.height, dtype=TABLE_SCHEMAS["leads"][name])
            continue
        text = raw[source]
        if name in TIMESTAMP_FIELDS:
            parsed = parse_timestamps(text, zone, excel_serials=table.from_spreadsheet)
            report(problems, text.is_not_null() & parsed.is_null(), source, "import.not_a_date")
            if name == "created_at":
                report(problems, text.is_null(), source, "import.empty_created")
            columns[name] = parsed.alias(name)
        elif name == "amount":
            number = (text.str.replace_all(r"[,\s¥￥$€円]", "").cast(pl.Float64, strict=False))
            report(problems, text.is_not_null() & number.is_null(), source, "import.not_a_number")
            columns[name] = number.alias(name)
        elif name == "channel":
            columns[name] = text.map_elements(channel_key, return_dtype=pl.String).fill_null(UNKNOWN_CHANNEL)
        elif name == "company_size":
            columns[name] = text.map_elements(size_band, return_dtype=pl.String)
        else:
            columns[name] = text.alias(name)
    if "channel" not in mapping:
        columns["channel"] = pl.Series("channel", [UNKNOWN_CHANNEL] * raw.height)
    leads = pl.DataFrame(columns).with_columns(raw[LINE])

    stages = [s for s in STAGE_ORDER if mapping.get(s)]
    for earlier, later in pairwise(stages):
        backwards = (leads[later] < leads[earlier]).fill_null(False)
        report(warnings, backwards, mapping[later], "import.dates_out_of_order",
               later=Message(f"import.date.{later}"), earlier=Message(f"import.date.{earlier}"))
    rejected = {p.line for p in problems}
    valid = leads.filter(~pl.col(LINE).is_in(list(rejected)))
    return Prepared(valid, _empty("activities"), problems, warnings, raw.height)


def _join_salesforce_opportunities(prepared: Prepared, leads_table: RawTable, opportunities: RawTable,
                                   zone: str) -> None:
    """Converted leads get their opportunity's dates: opportunity = conversion, won or lost = close date."""
    link = _first_present(leads_table, SALESFORCE_CONVERTED_OPPORTUNITY)
    lead_id = _first_present(leads_table, SALESFORCE.columns["lead_id"])
    columns = {k: _first_present(opportunities, v) for k, v in SALESFORCE_OPPORTUNITY_COLUMNS.items()}
    if link is None or lead_id is None or columns["opportunity_id"] is None or columns["close_date"] is None:
        prepared.problems.append(RowProblem.of(opportunities.name, 1, "-", None, "import.salesforce_columns"))
        return
    raw = opportunities.frame

    def text(key: str) -> pl.Series:
        return raw[columns[key]].str.to_lowercase() if columns[key] else pl.Series([None] * raw.height, dtype=pl.String)

    won = (text("won").is_in(["true", "1", "yes"]) | (text("stage") == "closed won")).fill_null(False)
    closed = (text("stage").str.starts_with("closed") | text("won").is_in(["false", "0", "no"])).fill_null(False)
    opportunities_frame = pl.DataFrame({
        "opportunity_id": raw[columns["opportunity_id"]], "close": parse_timestamps(raw[columns["close_date"]], zone),
        "won": won, "closed": closed,
        "opportunity_amount": text("amount").str.replace_all(r"[,\s¥￥$€円]", "").cast(pl.Float64, strict=False),
    }).select("opportunity_id", "opportunity_amount", won_close=pl.when("won").then("close"),
              lost_close=pl.when(pl.col("closed") & ~pl.col("won")).then("close"))
    links = pl.DataFrame({"lead_id": SALESFORCE.id_prefix + leads_table.frame[lead_id],
                          "opportunity_id": leads_table.frame[link]})
    prepared.leads = (
        prepared.leads.join(links, on="lead_id", how="left")
        .join(opportunities_frame, on="opportunity_id", how="left")
        .with_columns(
            opportunity_at=pl.coalesce("opportunity_at", pl.when(pl.col("opportunity_id").is_not_null())
                                       .then(pl.col("sql_at"))),
            won_at=pl.coalesce("won_at", "won_close"),
            lost_at=pl.coalesce("lost_at", "lost_close"),
            amount=pl.coalesce("amount", "opportunity_amount"),
        )
        .drop("opportunity_id", "won_close", "lost_close", "opportunity_amount")
    )


def _add_activities(prepared: Prepared, table: RawTable, preset: Preset, zone: str) -> None:
    columns = {k: _first_present(table, v) for k, v in preset.activity_columns.items()}
    missing = [k for k, v in columns.items() if v is None]
    if missing:
        prepared.problems.append(RowProblem.of(table.name, 1, "-", None, "import.no_activity_columns",
                                               columns=", ".join(missing)))
        return
    raw = table.frame.with_row_index(LINE, offset=2)
    occurred = parse_timestamps(raw[columns["occurred_at"]], zone, excel_serials=table.from_spreadsheet)
    for line, value in raw.filter(occurred.is_null()).select(LINE, columns["occurred_at"]).iter_rows():
        prepared.problems.append(RowProblem.of(table.name, line, columns["occurred_at"], value, "import.not_a_date"))
    activities = pl.DataFrame({
        "lead_id": preset.id_prefix + raw[columns["lead_id"]],
        "occurred_at": occurred,
        "activity_type": raw[columns["activity_type"]].map_elements(activity_type, return_dtype=pl.String),
        "detail": raw[columns["activity_type"]],
    }).filter(pl.col("occurred_at").is_not_null() & pl.col("lead_id").is_not_null())
    prepared.activities = pl.concat([prepared.activities, activities.cast(TABLE_SCHEMAS["activities"])])


def _first_present(table: RawTable, candidates: tuple[str, ...]) -> str | None:
    by_fold = {fold(c): c for c in table.frame.columns}
    return next((by_fold[fold(c)] for c in candidates if fold(c) in by_fold), None)


def _has_any(table: RawTable, candidates: tuple[str, ...]) -> bool:
    return _first_present(table, candidates) is not None


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLE_SCHEMAS[table])
