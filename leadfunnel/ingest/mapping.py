"""A tool's export, read and mapped → canonical lead and activity rows, with every problem found.

Each file is recognised by what it holds, not by its position: a contacts / leads export, an activity log
(Mautic's points log, a sheet of activities) or Salesforce opportunities. Rows that cannot be imported
(no way to identify the lead, a date that is not a date or lies outside the plausible range, a number that
is not one, an id twice in the file, a control character) are rejected with file, physical line and
column; stage dates out of order are warnings. Nothing is written here.

A row without an id gets a stable one: the email when one is mapped, else `auto:` and a hash of the
normalised name, company and created date — the same row imported again gets the same id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from leadfunnel.i18n import Message
from leadfunnel.ingest.errors import RowProblem
from leadfunnel.ingest.presets import (
    CAMPAIGN_TYPE_ACTIVITIES,
    IDENTITY_FIELDS,
    LEAD_FIELDS,
    SALESFORCE,
    SALESFORCE_CAMPAIGN_MEMBER_COLUMNS,
    SALESFORCE_CONVERTED_OPPORTUNITY,
    SALESFORCE_OPPORTUNITY_COLUMNS,
    TIMESTAMP_FIELDS,
    TOUCH_ACTIVITY,
    TOUCH_FIELDS,
    Preset,
    activity_type,
    channel_key,
    fold,
    guess_mapping,
    size_band,
)
from leadfunnel.ingest.readers import RawTable
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, parse_timestamps
from leadfunnel.ingest.values import control_characters, implausible, parse_numbers, range_text
from leadfunnel.model import TABLE_SCHEMAS

LINE = "__line"
FILE = "__file"
STAGE_ORDER = ("created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at")
GENERATED_ID_PREFIX = "auto:"
KEY_FIELDS = frozenset({"lead_id", "email", "channel"})


@dataclass
class Prepared:
    """What an import would write, and why some rows would not be."""

    leads: pl.DataFrame  # canonical lead columns + LINE
    activities: pl.DataFrame  # canonical activity columns + LINE and FILE (where each row came from)
    problems: list[RowProblem] = field(default_factory=list)  # rejected rows
    warnings: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0
    generated_ids: int = 0  # leads whose id was made from their name, company and created date

    @property
    def rejected_lines(self) -> int:
        return len({(p.file, p.line) for p in self.problems})


def prepare(tables: list[RawTable], preset: Preset, mapping: dict[str, str] | None = None,
            zone: str = DATA_TIMEZONE, channel_values: dict[str, str] | None = None) -> Prepared:
    """Map the contacts / leads file, and each other file by what it is: Salesforce opportunities, an activity
    log, or a file this preset does not read (refused with a reason)."""
    roles = [role_of(table, preset) for table in tables]
    lead_tables = [table for table, role in zip(tables, roles, strict=True) if role == "leads"]
    prepared = Prepared(_empty("leads"), _empty("activities"))
    leads_table = lead_tables[0] if lead_tables else None
    if leads_table is not None:
        used = mapping if mapping is not None else guess_mapping(leads_table.frame.columns, preset)
        prepared = _prepare_leads(leads_table, preset, used, zone, channel_values or {})
    elif not {"activities", "campaign_members"} & set(roles):  # nothing recognisable: the first file is read as
        # leads, and says what is missing
        leads_table = tables[0]
        prepared = _prepare_leads(leads_table, preset, mapping or guess_mapping(leads_table.frame.columns, preset),
                                  zone, channel_values or {})
    for table, role in zip(tables, roles, strict=True):
        if table is leads_table:
            continue
        prepared.problems += table.problems
        prepared.warnings += table.warnings
        prepared.rows_read += table.frame.height + len(table.problems)
        if role == "opportunities" and leads_table is not None:
            _join_salesforce_opportunities(prepared, leads_table, table, zone)
        elif role == "activities":
            _add_activities(prepared, table, preset, zone)
        elif role == "campaign_members":
            _add_campaign_members(prepared, table, zone)
        else:
            prepared.problems.append(RowProblem.of(table.name, 1, "-", None, "import.not_for_preset",
                                                   preset=Message(f"preset.{preset.key}")))
    return prepared


def role_of(table: RawTable, preset: Preset) -> str:
    """What a file is, from its columns: `leads`, `activities` (a log of events per lead) or `opportunities`."""
    if preset.key == "salesforce" and _first_present(table, SALESFORCE_OPPORTUNITY_COLUMNS["stage"]) \
            and _first_present(table, SALESFORCE_OPPORTUNITY_COLUMNS["close_date"]):
        return "opportunities"
    if preset.key == "salesforce" and _first_present(table, SALESFORCE_CAMPAIGN_MEMBER_COLUMNS["campaign"]) \
            and _first_present(table, SALESFORCE_CAMPAIGN_MEMBER_COLUMNS["lead_id"]) \
            and not _first_present(table, SALESFORCE.columns["channel"]):
        return "campaign_members"
    if preset.activity_columns and all(_first_present(table, candidates)
                                       for candidates in preset.activity_columns.values()):
        return "activities"
    if preset.key == "mautic" and all(_first_present(table, preset.activity_columns[key])
                                      for key in ("lead_id", "occurred_at")) \
            and _first_present(table, preset.activity_touch_columns["channel"]):
        return "activities"  # Mautic's UTM tags: a contact's visits with utm_source / utm_campaign, no event name
    return "leads"


def _prepare_leads(table: RawTable, preset: Preset, mapping: dict[str, str], zone: str,
                   channel_values: dict[str, str]) -> Prepared:
    raw = table.frame.with_columns(table.line_numbers().alias(LINE))
    problems: list[RowProblem] = list(table.problems)
    warnings: list[RowProblem] = list(table.warnings)
    rows_read = raw.height + len(table.problems)

    def report(into: list[RowProblem], mask: pl.Series, source: str, key: str, **params: object) -> None:
        for line, value in raw.filter(mask).select(LINE, source).iter_rows():
            into.append(RowProblem.of(table.name, line, source, value, key, **params))

    identity = [f for f in ("lead_id", "email", *IDENTITY_FIELDS, "company") if mapping.get(f)]
    if not identity or "created_at" not in mapping:
        missing = [name for name, absent in (("id", not identity), ("created", "created_at" not in mapping)) if absent]
        problems.append(RowProblem.of(table.name, 1, "-", None, "import.map_columns",
                                      columns=Message(f"import.missing_{'_and_'.join(missing)}")))
        return Prepared(_empty("leads"), _empty("activities"), problems, warnings, rows_read)

    for name, column in mapping.items():
        if name in (*LEAD_FIELDS, "email", *IDENTITY_FIELDS, *TOUCH_FIELDS) and column in raw.columns:
            report(problems, control_characters(raw[column], key=name in KEY_FIELDS), column,
                   "import.control_character")
    columns: dict[str, pl.Series] = {}
    for name in LEAD_FIELDS[1:]:
        source = mapping.get(name)
        if source is None:
            columns[name] = pl.Series(name, [None] * raw.height, dtype=TABLE_SCHEMAS["leads"][name])
            continue
        text = raw[source]
        if name in TIMESTAMP_FIELDS:
            parsed = parse_timestamps(text, zone, excel_serials=table.from_spreadsheet)
            report(problems, text.is_not_null() & parsed.is_null(), source, "import.not_a_date")
            report(problems, implausible(parsed), source, "import.implausible_date", range=range_text())
            if name == "created_at":
                report(problems, text.is_null(), source, "import.empty_created")
            columns[name] = parsed.alias(name)
        elif name == "amount":
            number = parse_numbers(text)
            report(problems, text.is_not_null() & number.is_null(), source, "import.not_a_number")
            columns[name] = number.alias(name)
        elif name == "channel":  # a missing source stays missing: a re-import never overwrites a known channel
            columns[name] = _channels(text, channel_values)
        elif name == "company_size":
            columns[name] = _mapped(text, size_band)
        else:
            columns[name] = text.alias(name)

    ids, generated = _lead_ids(raw, mapping, preset, columns["created_at"])
    id_source = next(mapping[f] for f in ("lead_id", "email", *IDENTITY_FIELDS, "company") if mapping.get(f))
    report(problems, ids.is_null() & ~generated, id_source, "import.empty_id")
    report(problems, ids.is_null() & generated, id_source, "import.no_identity")
    report(problems, ids.is_duplicated() & ids.is_not_null(), id_source, "import.duplicate_id")
    leads = pl.DataFrame({"lead_id": ids, **columns}).with_columns(raw[LINE])
    _warn_out_of_order(leads, mapping, table.name, warnings)
    rejected = {p.line for p in problems if p.file == table.name}
    valid = leads.filter(~pl.col(LINE).is_in(list(rejected)))
    touches = _row_touches(raw, mapping, ids, columns["created_at"], table.name, zone, table.from_spreadsheet,
                           channel_values, problems).filter(~pl.col(LINE).is_in(list(rejected)))
    return Prepared(valid, touches, problems, warnings, rows_read, int((generated & ids.is_not_null()).sum()))


def _row_touches(raw: pl.DataFrame, mapping: dict[str, str], ids: pl.Series, created: pl.Series, file: str,
                 zone: str, from_spreadsheet: bool, channel_values: dict[str, str],
                 problems: list[RowProblem]) -> pl.DataFrame:
    """The touch a lead's row records (TOUCH_FIELDS: HubSpot's Latest Source, a sheet's 最新の流入経路) as one
    `source_touch` activity per lead that has one: its channel as a channel key, its campaign, at touch_at (else at
    the lead's creation). A later export with a newer latest source adds the next touch; the same one is not
    added twice."""
    source = mapping.get("touch_channel")
    if source is None or source not in raw.columns:
        return _empty("activities")
    at = created
    if (when := mapping.get("touch_at")) in raw.columns:
        parsed = parse_timestamps(raw[when], zone, excel_serials=from_spreadsheet)
        problems += _not_dates(raw, when, parsed, file)
        at = parsed.fill_null(created)
    campaign = mapping.get("touch_campaign")
    return pl.DataFrame({
        "lead_id": ids, "occurred_at": at, "activity_type": pl.Series([TOUCH_ACTIVITY] * raw.height, dtype=pl.String),
        "detail": raw[source],
        "channel": _channels(raw[source], channel_values),
        "campaign": raw[campaign] if campaign in raw.columns else pl.Series([None] * raw.height, dtype=pl.String),
        LINE: raw[LINE], FILE: pl.Series([file] * raw.height, dtype=pl.String),
    }).filter(pl.col("channel").is_not_null() & pl.col("lead_id").is_not_null()
              & pl.col("occurred_at").is_not_null()).cast(_ACTIVITY_FRAME)


def _mapped(text: pl.Series, translate: Callable[[str], str]) -> pl.Series:
    """Each distinct value translated once, in this thread (Polars would run a Python function on its own)."""
    values = text.unique().drop_nulls().to_list()
    table = {value: translate(value) for value in values}
    return text.replace_strict(table, default=None, return_dtype=pl.String) if table else text.cast(pl.String)


def _lead_ids(raw: pl.DataFrame, mapping: dict[str, str], preset: Preset,
              created: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The lead id of each row, and whether it was generated: the id column; else the email (lower case); else
    `auto:` + a hash of the normalised name, company and created date (null when none of them is there)."""
    no = pl.Series([False] * raw.height, dtype=pl.Boolean)
    if source := mapping.get("lead_id"):
        return (preset.id_prefix + raw[source]).alias("lead_id"), no
    if source := mapping.get("email"):
        return (preset.id_prefix + raw[source].str.to_lowercase()).alias("lead_id"), no
    parts = [raw[mapping[f]] if mapping.get(f) else pl.Series([None] * raw.height, dtype=pl.String)
             for f in ("name", "company")]
    keys: list[str | None] = []
    for name, company, at in zip(parts[0].to_list(), parts[1].to_list(), created.to_list(), strict=True):
        if (name is None and company is None) or at is None:
            keys.append(None)
            continue
        text = "\x1f".join((fold(name or ""), fold(company or ""), at.isoformat(sep=" ")))
        keys.append(preset.id_prefix + GENERATED_ID_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:16])
    return pl.Series("lead_id", keys, dtype=pl.String), pl.Series([True] * raw.height, dtype=pl.Boolean)


def _warn_out_of_order(leads: pl.DataFrame, mapping: dict[str, str], file: str, warnings: list[RowProblem]) -> None:
    """A stage dated before an earlier stage (won before created): kept, listed as a warning naming the latest
    earlier stage it comes before."""
    stages = [s for s in STAGE_ORDER if mapping.get(s)]
    for index, later in enumerate(stages[1:], start=1):
        for earlier in reversed(stages[:index]):
            between = stages[stages.index(earlier) + 1:index]
            newer = [pl.col(c).is_null() | (pl.col(c) <= pl.col(earlier)) for c in between]
            backwards = leads.select(pl.all_horizontal(pl.col(later) < pl.col(earlier), *newer).fill_null(False)
                                     ).to_series()
            for line, value in leads.filter(backwards).select(LINE, later).iter_rows():
                warnings.append(RowProblem.of(file, line, mapping[later], f"{value:%Y-%m-%d %H:%M}",
                                              "import.dates_out_of_order", later=Message(f"import.date.{later}"),
                                              earlier=Message(f"import.date.{earlier}")))


def _join_salesforce_opportunities(prepared: Prepared, leads_table: RawTable, opportunities: RawTable,
                                   zone: str) -> None:
    """Converted leads get their opportunity's dates: opportunity = conversion, won or lost = close date."""
    link = _first_present(leads_table, SALESFORCE_CONVERTED_OPPORTUNITY)
    lead_id = _first_present(leads_table, SALESFORCE.columns["lead_id"])
    columns = {k: _first_present(opportunities, v) for k, v in SALESFORCE_OPPORTUNITY_COLUMNS.items()}
    id_column, close_column, amount_column = columns["opportunity_id"], columns["close_date"], columns["amount"]
    if link is None or lead_id is None or id_column is None or close_column is None:
        prepared.problems.append(RowProblem.of(opportunities.name, 1, "-", None, "import.salesforce_columns"))
        return
    raw = opportunities.frame.with_columns(opportunities.line_numbers().alias(LINE))

    def text(key: str) -> pl.Series:
        column = columns[key]
        return raw[column].str.to_lowercase() if column else pl.Series([None] * raw.height, dtype=pl.String)

    def report(mask: pl.Series, column: str, problem: str) -> None:
        for line, value in raw.filter(mask).select(LINE, column).iter_rows():
            prepared.problems.append(RowProblem.of(opportunities.name, line, column, value, problem))

    won = (text("won").is_in(["true", "1", "yes"]) | (text("stage") == "closed won")).fill_null(False)
    closed = (text("stage").str.starts_with("closed") | text("won").is_in(["false", "0", "no"])).fill_null(False)
    close = parse_timestamps(raw[close_column], zone, excel_serials=opportunities.from_spreadsheet)
    report(closed & close.is_null(), close_column, "import.bad_close_date")
    report(implausible(close), close_column, "import.implausible_date")
    amount = parse_numbers(raw[amount_column]) if amount_column else pl.Series([None] * raw.height, dtype=pl.Float64)
    if amount_column:
        report(raw[amount_column].is_not_null() & amount.is_null(), amount_column, "import.not_a_number")
    ids = raw[id_column]
    report(ids.is_duplicated() & ids.is_not_null(), id_column, "import.duplicate_opportunity")
    bad = {p.line for p in prepared.problems if p.file == opportunities.name}
    opportunities_frame = pl.DataFrame({
        "opportunity_id": ids, "close": close, "won": won, "closed": closed, "opportunity_amount": amount,
        LINE: raw[LINE],
    }).filter(~pl.col(LINE).is_in(list(bad))).select(
        "opportunity_id", "opportunity_amount", won_close=pl.when("won").then("close"),
        lost_close=pl.when(pl.col("closed") & ~pl.col("won")).then("close"))
    links = pl.DataFrame({"lead_id": SALESFORCE.id_prefix + leads_table.frame[lead_id],
                          "opportunity_id": leads_table.frame[link]}).unique("lead_id", keep="first")
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
    lead_column = _column(table, preset.activity_columns["lead_id"])  # role_of: an activity log has these two
    at_column = _column(table, preset.activity_columns["occurred_at"])
    type_column = _first_present(table, preset.activity_columns["activity_type"])
    touch = {k: _first_present(table, preset.activity_touch_columns.get(k, ())) for k in ("channel", "campaign")}
    raw = table.frame.with_columns(table.line_numbers().alias(LINE))

    def report(mask: pl.Series, column: str, problem: str, **params: object) -> None:
        for line, value in raw.filter(mask).select(LINE, column).iter_rows():
            prepared.problems.append(RowProblem.of(table.name, line, column, value, problem, **params))

    occurred = parse_timestamps(raw[at_column], zone, excel_serials=table.from_spreadsheet)
    report(occurred.is_null(), at_column, "import.not_a_date")
    report(implausible(occurred), at_column, "import.implausible_date", range=range_text())
    report(raw[lead_column].is_null(), lead_column, "import.activity_without_lead")
    # No type column: a touch log (Mautic's UTM tags) has channels, not event names (role_of: then it has channels).
    if type_column is not None:
        report(raw[type_column].is_null(), type_column, "import.empty_activity_type")
    for column in (lead_column,) if type_column is None else (lead_column, type_column):
        report(control_characters(raw[column], key=True), column, "import.control_character")
    bad = {p.line for p in prepared.problems if p.file == table.name}
    activities = pl.DataFrame({
        "lead_id": preset.id_prefix + raw[lead_column],
        "occurred_at": occurred,
        "activity_type": (_mapped(raw[type_column], activity_type) if type_column is not None
                          else pl.Series([TOUCH_ACTIVITY] * raw.height, dtype=pl.String)),
        "detail": raw[type_column if type_column is not None
                      else _column(table, preset.activity_touch_columns["channel"])],
        "channel": _touch_column(raw, touch["channel"], channel_key),
        "campaign": _touch_column(raw, touch["campaign"], str.strip),
        LINE: raw[LINE],
        FILE: pl.Series([table.name] * raw.height, dtype=pl.String),
    }).filter(~pl.col(LINE).is_in(list(bad)))
    prepared.activities = pl.concat([prepared.activities, activities.cast(_ACTIVITY_FRAME)])


def _add_campaign_members(prepared: Prepared, table: RawTable, zone: str) -> None:
    """A Salesforce campaign-members report: each member who responded is a touch — its campaign's type as the
    activity (Webinar → webinar_attended, Trade Show → trade_show_visit, …) and the channel, the campaign's name
    as the campaign, at the first response. Members who never responded are not touches and are left out."""
    columns = {k: _first_present(table, v) for k, v in SALESFORCE_CAMPAIGN_MEMBER_COLUMNS.items()}
    responded_column, type_column = columns["responded_at"], columns["campaign_type"]
    raw = table.frame.with_columns(table.line_numbers().alias(LINE))
    if responded_column is None or type_column is None:
        missing = SALESFORCE_CAMPAIGN_MEMBER_COLUMNS["responded_at" if responded_column is None
                                                     else "campaign_type"][0]
        prepared.problems.append(RowProblem.of(table.name, 1, missing, None, "import.column_missing"))
        return
    # role_of: a campaign-members report has a lead id and a campaign column
    lead_column, campaign_column = (_column(table, SALESFORCE_CAMPAIGN_MEMBER_COLUMNS[key])
                                    for key in ("lead_id", "campaign"))
    responded = parse_timestamps(raw[responded_column], zone, excel_serials=table.from_spreadsheet)
    prepared.problems += _not_dates(raw, responded_column, responded, table.name)
    kind = raw[type_column]
    members = pl.DataFrame({
        "lead_id": SALESFORCE.id_prefix + raw[lead_column],
        "occurred_at": responded,
        "activity_type": _mapped(kind, lambda value: CAMPAIGN_TYPE_ACTIVITIES.get(fold(value), "campaign_response")),
        "detail": raw[campaign_column],
        "channel": _mapped(kind, channel_key),
        "campaign": raw[campaign_column],
        LINE: raw[LINE], FILE: pl.Series([table.name] * raw.height, dtype=pl.String),
    })
    bad = {p.line for p in prepared.problems if p.file == table.name}
    members = members.filter(pl.col("lead_id").is_not_null() & pl.col("occurred_at").is_not_null()
                             & ~pl.col(LINE).is_in(list(bad)))
    prepared.activities = pl.concat([prepared.activities, members.cast(_ACTIVITY_FRAME)])


def _channels(text: pl.Series, channel_values: dict[str, str]) -> pl.Series:
    """Source values as channel keys: the user's mapping on the Data page first, else the presets' (channel_key)."""
    return _mapped(text, lambda value: channel_values.get(value) or channel_key(value))


def _not_dates(raw: pl.DataFrame, column: str, parsed: pl.Series, file: str) -> list[RowProblem]:
    """A problem for each row whose `column` holds text that is not a date."""
    unparsed = raw.filter(raw[column].is_not_null() & parsed.is_null()).select(LINE, column)
    return [RowProblem.of(file, line, column, value, "import.not_a_date") for line, value in unparsed.iter_rows()]


def _touch_column(raw: pl.DataFrame, column: str | None, convert: Callable[[str], str]) -> pl.Series:
    """An activity's channel (as a channel key: `Webinar` → webinar) or campaign, empty where the file has none."""
    if column is None:
        return pl.Series([None] * raw.height, dtype=pl.String)
    return _mapped(raw[column], convert)


def _first_present(table: RawTable, candidates: tuple[str, ...]) -> str | None:
    by_fold = {fold(c): c for c in table.frame.columns}
    return next((by_fold[fold(c)] for c in candidates if fold(c) in by_fold), None)


def _column(table: RawTable, candidates: tuple[str, ...]) -> str:
    """The column of a field the file's role (role_of) guarantees it has."""
    column = _first_present(table, candidates)
    if column is None:
        raise LookupError(f"{table.name} has none of the columns {candidates}")
    return column


_ACTIVITY_FRAME = pl.Schema({**TABLE_SCHEMAS["activities"], LINE: pl.Int64(), FILE: pl.String()})


def _empty(table: str) -> pl.DataFrame:
    if table == "activities":
        return pl.DataFrame(schema=_ACTIVITY_FRAME)
    return pl.DataFrame(schema={**TABLE_SCHEMAS[table], LINE: pl.Int64})
