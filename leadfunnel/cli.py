"""`python -m leadfunnel`: import exports, build the demo, print reports — the scriptable surface."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import duckdb
import polars as pl
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Column, Table
from rich.text import Text

from leadfunnel import database
from leadfunnel.asof import cutoff, default_as_of
from leadfunnel.attribution import DEFAULT_MODEL, DEFAULT_OUTCOME, MODELS, OUTCOMES, attribution_report
from leadfunnel.backends import storage_for
from leadfunnel.backup import BackupError, backup, restore
from leadfunnel.demo import build_demo_database
from leadfunnel.export import neutralise_formulas
from leadfunnel.filters import Filters
from leadfunnel.i18n import set_language
from leadfunnel.ingest.canonical import check_canonical, commit_canonical, is_canonical
from leadfunnel.ingest.errors import ImportRejected, RowProblem
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS, guess_preset
from leadfunnel.ingest.readers import DELIMITERS, check_encoding, checked_delimiter, read_table
from leadfunnel.ingest.saved_mappings import load_mapping
from leadfunnel.ingest.store import WriteSummary
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, check_zone
from leadfunnel.pack import build_pack
from leadfunnel.paths import database_location
from leadfunnel.pipeline.aging import aging_report, open_leads, stuck_list
from leadfunnel.pipeline.velocity import velocity, velocity_report
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channel_frame, channels_report, funnel_frame, funnel_report
from leadfunnel.scoring.report import scores_report
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSetError, load_rules_file
from leadfunnel.scoring.scores import current_scores
from leadfunnel.sla.compliance import handovers, sla_report
from leadfunnel.sla.policy import AGING_STAGES, PolicyError, SlaPolicy, load_policy, stage_limits
from leadfunnel.storage import FileStorage, Storage, StorageBusy, open_current

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
err = Console(stderr=True, soft_wrap=True)  # messages stay on one line for logs and scripts
ISO_DAY = "%Y-%m-%d"
MODE_OPTION_HELP = "cohort: leads created in the period; period: stage entries that happened in it."

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database file, or a ducklake:/parquet: location (docs/scale.md); "
                                          "default: $LEADFUNNEL_DB or data/leadfunnel.duckdb.")
]


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


class ModeChoice(StrEnum):
    cohort = "cohort"
    period = "period"


def _fail(message: str) -> typer.Exit:
    """`error: <message>` on stderr (the message as plain text: data in it is never console markup), exit code 1."""
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False)
    return typer.Exit(code=1)


class PresetChoice(StrEnum):
    auto = "auto"
    canonical = "canonical"
    hubspot = "hubspot"
    salesforce = "salesforce"
    mautic = "mautic"
    generic = "generic"


@app.command("import")
def import_files(
    paths: Annotated[list[Path], typer.Argument(help="Export files: canonical leads.csv/activities.csv/feedback.csv, "
                                                     "or a tool's export (CSV, TSV, XLSX, Parquet).")],
    db: DbOption = None,
    preset: Annotated[PresetChoice, typer.Option(help="Which tool wrote the files (auto: guessed from the "
                                                      "file names and headers).")] = PresetChoice.auto,
    mapping: Annotated[str | None, typer.Option(help="A mapping saved in the dashboard, by name.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. cp932, utf-8 (default: detected).")]
    = None,
    delimiter: Annotated[str | None, typer.Option(help="Column separator (default: sniffed).")] = None,
    timezone: Annotated[str, typer.Option(help="Zone of naive timestamps; zoned ones are converted to it.")]
    = DATA_TIMEZONE,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the validation report.")] = False,
    accept_valid: Annotated[bool, typer.Option("--accept-valid", help="Import the valid rows even when some "
                                                                      "are rejected.")] = False,
) -> None:
    """Import exports in one transaction after a validation report; nothing is written while rows are rejected."""
    target = storage_for(db or database_location())
    for path in paths:
        if not path.is_file():
            raise _fail(f"{path}: no such file")
    canonical = preset is PresetChoice.canonical or (preset is PresetChoice.auto and is_canonical(paths))
    try:
        options = ImportOptions(check_encoding(encoding) if encoding else None, checked_delimiter(delimiter),
                                check_zone(timezone), accept_valid)
        if dry_run:
            with _existing_or_empty(target) as con:
                (_import_canonical_files if canonical else _import_export)(con, paths, preset, mapping, options,
                                                                            dry_run=True)
            return
        with target.writing() as con:
            database.prepare_for_import(con, target.location)
            summary = (_import_canonical_files if canonical else _import_export)(con, paths, preset, mapping,
                                                                                  options, dry_run=False)
    except ImportRejected as rejected:
        raise _fail(str(rejected)) from None
    except (ValueError, database.SchemaVersionError, database.ForeignDatabase, database.UnopenableDatabase,
            StorageBusy) as error:
        raise _fail(str(error)) from None
    _say(f"Imported into {target.location}: leads {summary.leads_new:,} new, {summary.leads_updated:,} updated, "
         f"{summary.leads_unchanged:,} unchanged; {summary.activities_added:,} activities and "
         f"{summary.feedback_added:,} feedback rows added.")
    if summary.spend_added or summary.spend_replaced:
        _say(f"Spend: {summary.spend_added:,} month × channel × campaign amounts added, {summary.spend_replaced:,} "
             "stored ones replaced by this file's (the import log keeps both counts).")


@dataclass(frozen=True)
class ImportOptions:
    """The import options, checked once, so every path (canonical files or a tool's export) honours them."""

    encoding: str | None
    delimiter: str | None
    zone: str
    accept_valid: bool


def _import_canonical_files(con: duckdb.DuckDBPyConnection, paths: list[Path], preset: PresetChoice,
                            mapping_name: str | None, options: ImportOptions, *, dry_run: bool) -> WriteSummary | None:
    del preset, mapping_name  # the canonical files need neither
    with check_canonical(con, paths, encoding=options.encoding, delimiter=options.delimiter,
                         zone=options.zone) as checked:
        for table, path in checked.files.items():
            _say(f"{path.name}: read as {checked.encodings[table]}, {DELIMITERS[checked.separator]}-separated, "
                 f"{checked.rows.get(table, 0):,} rows")
        _say(f"Canonical files: {checked.valid_leads:,} leads valid ({checked.leads_new:,} new, "
             f"{checked.leads_updated:,} updated, {checked.leads_unchanged:,} unchanged); "
             f"{len(checked.problems):,} problem(s), {len(checked.warnings):,} warning(s).")
        _print_report(checked.problems, checked.warnings)
        return _finish(dry_run, bool(checked.problems), checked.rejected_lines, options,
                       lambda: commit_canonical(con, checked, accept_valid=options.accept_valid))


def _import_export(con: duckdb.DuckDBPyConnection, paths: list[Path], preset: PresetChoice, mapping_name: str | None,
                   options: ImportOptions, *, dry_run: bool) -> WriteSummary | None:
    uploads = [Upload(p.name, p.read_bytes()) for p in paths]
    tables = [read_table(u.data, u.name, encoding=options.encoding, delimiter=options.delimiter) for u in uploads]
    for table in tables:
        if table.kind == "csv":
            _say(f"{table.name}: read as {table.encoding}, {DELIMITERS[table.delimiter]}-separated, "
                 f"{table.frame.height:,} rows")
    saved = load_mapping(con, mapping_name) if mapping_name else None
    chosen = (PRESETS[saved.preset] if saved else PRESETS[preset.value] if preset not in (
        PresetChoice.auto, PresetChoice.canonical) else guess_preset(tables[0].frame.columns))
    result = check(con, uploads, tables, chosen, saved.mapping if saved else None, options.zone,
                   saved.channel_values if saved else None)
    _say(f"Preset {chosen.label}: {result.prepared.leads.height:,} leads valid ({result.leads_new:,} new, "
         f"{result.leads_updated:,} updated, {result.leads_unchanged:,} unchanged), "
         f"{result.prepared.activities.height:,} activities; {len(result.problems):,} problem(s), "
         f"{len(result.prepared.warnings):,} warning(s).")
    _print_report(result.problems, result.prepared.warnings)
    return _finish(dry_run, bool(result.problems), result.prepared.rejected_lines, options,
                   lambda: commit(con, result, accept_valid=options.accept_valid))


def _finish(dry_run: bool, rejected: bool, rejected_lines: int, options: ImportOptions,
            write: Callable[[], WriteSummary]) -> WriteSummary | None:
    """After the report: a dry run stops (exit 1 when rows were rejected); else write, unless rows were rejected
    and the user did not accept leaving them out."""
    if dry_run:
        if rejected:
            raise typer.Exit(code=1)
        _say("Dry run: nothing was written.")
        return None
    if rejected and not options.accept_valid:
        raise _fail(f"{rejected_lines:,} row(s) rejected; nothing was imported. Fix them, or pass "
                    "--accept-valid to import the valid rows only.")
    return write()


def _print_report(problems: list[RowProblem], warnings: list[RowProblem]) -> None:
    """Every rejected row and warning, one per line: severity, file, physical line, column, reason, value."""
    for severity, found in (("rejected", problems), ("warning", warnings)):
        for problem in found:
            value = "" if problem.value is None else f" (value {problem.value!r})"
            _say(f"  {severity}: {problem.file}, line {problem.line}, column {problem.column}: {problem.reason}{value}")


def _say(text: str) -> None:
    """A line for the reader on stderr: data in it is printed as it is, never read as console markup."""
    err.print(text, highlight=False, markup=False)


@app.command()
def demo(
    db: DbOption = None,
    leads: Annotated[int, typer.Option(min=1, help="Number of leads to simulate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 42,
) -> None:
    """(Re)build the demo database with realistic, deterministic B2B data."""
    target = _file_location(db)
    try:
        if target.exists():  # only a demo database is rebuilt: anything else (unreadable too) is someone's
            con = storage_for(target).open_reader()
            try:
                database.refuse_unusable(con, target)
                kind = database.read_meta(con, "kind")
            finally:
                con.close()
            if kind != "demo":
                raise _fail(f"{target} holds imported data; the demo never overwrites it. Choose another --db.")
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Building demo data", total=1.0)
            build_demo_database(target, leads, seed,
                                lambda done, text: progress.update(task, completed=done, description=text))
    except (database.SchemaVersionError, StorageBusy, duckdb.Error, OSError) as error:
        raise _fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Demo database written to {target} ({leads:,} leads, seed {seed}).", highlight=False)


report_app = typer.Typer(no_args_is_help=True, help="Print a report as JSON (default), CSV or a table.")
app.add_typer(report_app, name="report")

FromOption = Annotated[datetime | None, typer.Option("--from", formats=[ISO_DAY], help="First day.")]
ToOption = Annotated[datetime | None, typer.Option("--to", formats=[ISO_DAY], help="Last day, inclusive.")]
ModeOption = Annotated[ModeChoice, typer.Option(help=MODE_OPTION_HELP)]
ChannelOption = Annotated[list[str] | None, typer.Option(help="Only this channel (repeatable).")]


class UnitChoice(StrEnum):
    lead = "lead"
    account = "account"


ByOption = Annotated[UnitChoice, typer.Option("--by", help="Count leads, or accounts (companies: the account id, "
                                                           "else the normalised company name).")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
AsOfOption = Annotated[datetime | None, typer.Option(
    "--as-of", formats=[ISO_DAY, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    help="The instant to judge at: what happened at or before it counts (a day alone: its start, 00:00). "
         "Default: the latest timestamp in the data, as on every page.")]


@report_app.command("funnel")
def report_funnel(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                  mode: ModeOption = ModeChoice.cohort, channel: ChannelOption = None,
                  output: FormatOption = OutputFormat.json, by: ByOption = UnitChoice.lead) -> None:
    """Stage counts, conversion, drop-off and median days between stages."""
    _report(funnel_report, funnel_frame, db, date_from, date_to, mode, channel, output, by)


@report_app.command("channels")
def report_channels(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                    mode: ModeOption = ModeChoice.cohort, channel: ChannelOption = None,
                    output: FormatOption = OutputFormat.json, by: ByOption = UnitChoice.lead) -> None:
    """Leads, MQL, SQL, won, the rates and won amount per first-touch channel."""
    _report(channels_report, channel_frame, db, date_from, date_to, mode, channel, output, by)


def _report(build: Callable[..., dict[str, Any]], frame_of: Callable[..., pl.DataFrame], db: Path | None,
            date_from: datetime | None, date_to: datetime | None, mode: ModeChoice, channel: list[str] | None,
            output: OutputFormat, by: UnitChoice) -> None:
    filters = Filters(date_from=_day(date_from), date_to=_day(date_to), channels=tuple(channel or ()),
                      unit=by.value)
    with open_for_reading(db) as runner:
        if output is OutputFormat.json:
            print(json.dumps(build(runner, filters, mode.value), ensure_ascii=False, indent=2))
        else:
            _print_frame(frame_of(runner, filters, mode.value), output)


class OutcomeChoice(StrEnum):
    sql = "sql"
    won = "won"


@report_app.command("scores")
def report_scores(
    db: DbOption = None,
    rules_file: Annotated[Path | None, typer.Option("--rules", help="Rule set file (YAML or JSON, see README); "
                                                    "default: the guide's rules.")] = None,
    threshold: Annotated[float | None, typer.Option(help="Hand-over threshold (overrides the rule set's).")] = None,
    half_life: Annotated[float | None, typer.Option("--half-life", help="Recency decay half-life in days.")] = None,
    as_of: AsOfOption = None,
    outcome: Annotated[OutcomeChoice, typer.Option(help="What a caught lead must reach after crossing.")]
    = OutcomeChoice.sql,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (table: as csv).")]
    = OutputFormat.json,
    per_lead: Annotated[bool, typer.Option("--per-lead", help="Print lead_id,score for every lead instead.")]
    = False,
) -> None:
    """Lead scores at an as-of date and the point-in-time backtest of the hand-over threshold."""
    import math  # kept inside: this command's checks only

    from leadfunnel.scoring.rules import MAX_RULES_NUMBER

    # Options first, so a bad option is named as such (not as the rules file, which may be absent).
    for value, key in ((threshold, "rules.threshold_option"), (half_life, "rules.half_life_option")):
        if value is not None and not (math.isfinite(value) and 0 < value <= MAX_RULES_NUMBER):
            raise _fail(str(RuleSetError(key, limit=int(MAX_RULES_NUMBER))))
    try:
        rules = load_rules_file(rules_file) if rules_file else DEFAULT_RULES
    except (OSError, RuleSetError) as error:
        raise _fail(f"{rules_file}: {error}") from None
    try:
        if threshold is not None:
            rules = rules.with_changes(threshold=threshold)
        if half_life is not None:
            rules = rules.with_changes(half_life_days=half_life)
    except RuleSetError as error:
        raise _fail(str(error)) from None
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        if per_lead:
            _write_csv(current_scores(runner, cutoff(instant), rules))
            return
        result = scores_report(runner, rules, instant, outcome.value)

    def finite(value: Any) -> Any:
        """NaN or ±inf become null: printed JSON stays JSON (Python would write NaN and Infinity)."""
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        return None if isinstance(value, float) and not math.isfinite(value) else value

    result = finite(result)
    if output is OutputFormat.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        flat = {k: v for k, v in result.items() if k != "backtest"} | result["backtest"]
        _write_csv(pl.DataFrame([flat]))


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="A new folder for the backup (Parquet files + schema).")],
    db: DbOption = None,
) -> None:
    """Back up the database into a folder that any DuckDB can read."""
    target = _file_location(db)
    if not target.exists():
        raise _fail(f"{target}: no such database")
    try:
        backup(target, out)
    except (BackupError, database.SchemaVersionError, duckdb.Error, StorageBusy, OSError) as error:
        raise _fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Backed up {target} to {out}.", highlight=False)


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="A folder written by `backup`.")],
    db: DbOption = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing database (kept beside it as a copy).")] = False,
) -> None:
    """Rebuild a database from a backup folder."""
    target = _file_location(db)
    try:
        kept = restore(source, target, replace=replace)
    except (BackupError, database.SchemaVersionError, duckdb.Error, StorageBusy, OSError) as error:
        raise _fail(str(error).strip().splitlines()[0]) from None
    err.print(f"Restored {source} into {target}." + (f" The previous database is kept as {kept}." if kept else ""),
              highlight=False)


class HandoverChoice(StrEnum):
    mql = "mql"
    sal = "sal"


@report_app.command("sla")
def report_sla(
    db: DbOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    handover: Annotated[HandoverChoice | None, typer.Option(help="Hand-over event (default: the stored policy's).")]
    = None,
    deadline_hours: Annotated[float | None, typer.Option("--deadline-hours", min=0.01,
                                                         help="Follow-up deadline in hours.")] = None,
    business_hours: Annotated[bool | None, typer.Option("--business-hours/--calendar-hours",
                                                        help="Count working hours only (days, hours and "
                                                             "holidays from the stored policy).")] = None,
    as_of: AsOfOption = None,
    channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per hand-over).")]
    = OutputFormat.json,
) -> None:
    """Hand-over follow-up compliance: met, breached, overdue, pending, time to first touch."""
    filters = Filters(date_from=_day(date_from), date_to=_day(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        policy = _stored_policy_with(runner, handover=handover.value if handover else None,
                                     deadline_hours=deadline_hours, business_hours=business_hours)
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(sla_report(runner, filters, policy, instant), ensure_ascii=False, indent=2))
        else:
            _write_csv(handovers(runner, filters, policy, instant))


def _stored_policy_with(runner: QueryRunner, **changes: object) -> SlaPolicy:
    """The stored SLA policy with the options given on the command line (None: not given); refused in one line."""
    try:
        return load_policy(runner.con).with_changes(**{k: v for k, v in changes.items() if v is not None})
    except PolicyError as error:
        raise _fail(str(error)) from None


LIMIT = re.compile(r"^([a-z]+)=(\d+(?:\.\d+)?)$")


def _stage_limits(raw: list[str], stored: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """`--limit STAGE=DAYS` options over the stored limits, stage by stage."""
    limits = dict(stored)
    for option in raw:
        match = LIMIT.match(option.strip())
        if match is None:
            raise _fail(f"--limit {option}: write STAGE=DAYS, e.g. mql=7 (stages: {', '.join(AGING_STAGES)})")
        limits[match[1]] = float(match[2])
    return stage_limits(limits) if set(limits) <= set(AGING_STAGES) else tuple(limits.items())


@report_app.command("aging")
def report_aging(
    db: DbOption = None,
    as_of: AsOfOption = None,
    limit: Annotated[list[str] | None, typer.Option(help="Days allowed in a stage, STAGE=DAYS (repeatable; "
                                                        "overrides the stored SLA policy's limit).")] = None,
    business_days: Annotated[bool | None, typer.Option("--business-days/--calendar-days",
                                                       help="Count business days on the policy's calendar "
                                                            "(default: the stored policy's choice).")] = None,
    channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per stuck lead).")]
    = OutputFormat.json,
) -> None:
    """Stage aging: open leads per stage, and the leads stuck longer than the stage's limit (with a reason)."""
    filters = Filters(channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        stored = load_policy(runner.con)
        policy = _stored_policy_with(runner, stage_limits=_stage_limits(limit or [], stored.stage_limits),
                                     aging_business_days=business_days)
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(aging_report(runner, filters, policy, instant), ensure_ascii=False, indent=2))
        else:
            _write_csv(stuck_list(open_leads(runner, filters, policy, instant)).select(
                "lead_id", "stage", "entered_at", "age_days", "limit_days", "reason", "owner", "channel", "company",
                "last_touch_at"))


@report_app.command("velocity")
def report_velocity(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                    as_of: AsOfOption = None, channel: ChannelOption = None,
                    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per "
                                                                  "channel).")] = OutputFormat.json) -> None:
    """Pipeline velocity: opportunities × win rate × average won amount ÷ average cycle days, and each factor."""
    filters = Filters(date_from=_day(date_from), date_to=_day(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(velocity_report(runner, filters, instant), ensure_ascii=False, indent=2))
        else:
            _write_csv(velocity(runner, filters, instant).by_channel)


ModelChoice = StrEnum("ModelChoice", {model: model for model in MODELS})
OutcomeChoice = StrEnum("OutcomeChoice", {outcome: outcome for outcome in OUTCOMES})
DEFAULT_MODEL_CHOICE, DEFAULT_OUTCOME_CHOICE = ModelChoice(DEFAULT_MODEL), OutcomeChoice(DEFAULT_OUTCOME)


@report_app.command("attribution")
def report_attribution(
    model: Annotated[ModelChoice, typer.Option(help="How a converted lead's credit is spread over its touches.")],
    outcome: Annotated[OutcomeChoice, typer.Option(help="The conversion credited.")],
    db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None, channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per channel).")]
    = OutputFormat.json,
) -> None:
    """Multi-touch attribution: each channel's credit for the leads converted in the period, with spend ratios."""
    filters = Filters(date_from=_day(date_from), date_to=_day(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        report = attribution_report(runner, filters, model.value, outcome.value)
    if output is OutputFormat.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _write_csv(pl.DataFrame(report["channels"], schema={
            "channel": pl.String, "credit": pl.Float64, "share": pl.Float64, "amount": pl.Float64,
            "spend": pl.Float64, "cost_per_conversion": pl.Float64, "roi": pl.Float64}))


class LanguageChoice(StrEnum):
    en = "en"
    ja = "ja"


@app.command()
def pack(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    db: DbOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    mode: ModeOption = ModeChoice.period,
    channel: ChannelOption = None,
    rules_file: Annotated[Path | None, typer.Option("--rules", help="Proposed scoring rules (YAML or JSON) to "
                                                    "compare with the guide's default.")] = None,
    as_of: AsOfOption = None,
    lang: Annotated[LanguageChoice, typer.Option("--lang", help="Language of the pack.")] = LanguageChoice.en,
    model: Annotated[ModelChoice, typer.Option(help="Attribution model of the channel credit table.")]
    = DEFAULT_MODEL_CHOICE,
    outcome: Annotated[OutcomeChoice, typer.Option(help="The conversion that table credits.")]
    = DEFAULT_OUTCOME_CHOICE,
) -> None:
    """Write the meeting pack: one self-contained HTML file (funnel, channels, scoring, SLA) for a scheduler."""
    try:
        proposed = load_rules_file(rules_file) if rules_file else None
    except (OSError, RuleSetError) as error:
        raise _fail(f"{rules_file}: {error}") from None
    set_language(lang.value)
    filters = Filters(date_from=_day(date_from), date_to=_day(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        document = build_pack(runner, filters, mode.value, DEFAULT_RULES, proposed, load_policy(runner.con), instant,
                              (model.value, outcome.value))
    try:
        out.write_text(document, encoding="utf-8")
    except IsADirectoryError:
        raise _fail(f"{out} is a folder; give --out a file name, e.g. {out / 'meeting-pack.html'}") from None
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror or error}") from None
    _say(f"Wrote the meeting pack to {out} ({len(document) / 1e6:.1f} MB).")


@app.command()
def upgrade(db: DbOption = None) -> None:
    """Upgrade a database written by an older leadfunnel to this version's schema, keeping all data."""
    target = storage_for(db or database_location())
    if not target.exists():
        raise _fail(f"{target.location}: no such database")
    try:
        with target.writing() as con:
            changed = database.upgrade(con, target.location)
    except (database.SchemaVersionError, StorageBusy, duckdb.Error, OSError) as error:
        raise _fail(str(error).strip().splitlines()[0]) from None
    if changed:
        err.print(f"Upgraded {target.location} to schema version {database.SCHEMA_VERSION}.", highlight=False)


@contextmanager
def open_for_reading(db: str | None) -> Iterator[QueryRunner]:
    """A read-only runner on the database (or a plain error and exit code 1); closed afterwards.

    Works while a dashboard or an import has the same database open: readers see the last whole import.
    """
    with _reading(storage_for(db or database_location())) as runner:
        yield runner


@contextmanager
def _existing_or_empty(target: Storage) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database to check an import against: the stored one, or an empty one for a new database (or for
    an empty DuckDB file, which the import would initialise)."""
    empty = not target.exists()
    if not empty and isinstance(target, FileStorage):
        try:
            probe = target.open_reader()
        except (database.SchemaVersionError, StorageBusy) as error:
            raise _fail(str(error)) from None
        try:
            empty = database.contents(probe) == "empty"
        finally:
            probe.close()
    if not empty:
        with _reading(target) as runner:
            yield runner.con
        return
    con = database.connect(":memory:")
    try:
        database.initialise(con)
        yield con
    finally:
        con.close()


@contextmanager
def _reading(target: Storage) -> Iterator[QueryRunner]:
    if not target.exists():
        raise _fail(f"{target.location}: no such database; run `python -m leadfunnel demo` or `import` first")
    try:
        con = open_current(target)
    except (database.SchemaVersionError, StorageBusy) as error:
        raise _fail(str(error)) from None
    except (duckdb.Error, OSError) as error:
        raise _fail(f"cannot open {target.location}: {str(error).strip().splitlines()[0]}") from None
    try:
        yield QueryRunner(con, quiet=True)
    except (duckdb.IOException, duckdb.SerializationException) as error:  # damage found only when read
        raise _fail(f"cannot read {target.location}: {str(error).strip().splitlines()[0]}") from None
    finally:
        con.close()


def _file_location(db: str | None) -> Path:
    """The demo, backup and restore work on DuckDB files; a lake has its own tools (docs/scale.md)."""
    location = db or database_location()
    if not isinstance(storage_for(location), FileStorage):
        raise _fail(f"{location}: this command works on a DuckDB file; for a DuckLake see docs/scale.md")
    return Path(location)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _write_csv(frame: pl.DataFrame) -> None:
    """CSV on stdout that a spreadsheet opens as data: text a spreadsheet would run as a formula is neutralised,
    as in the dashboard's downloads."""
    sys.stdout.write(neutralise_formulas(frame).write_csv())


def _print_frame(frame: pl.DataFrame, output: OutputFormat) -> None:
    if output is OutputFormat.csv:
        _write_csv(frame)
        return
    table = Table(*(Column(name, overflow="fold") for name in frame.columns))  # long values wrap, never cut
    for row in frame.iter_rows():
        table.add_row(*(_cell(v) for v in row))
    Console().print(table)


def _cell(value: Any) -> Text:
    """A table cell as plain text: a stored value such as `[/bold]` is shown, never read as console markup."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Text("–")
    if isinstance(value, float):
        return Text(f"{value:,.3f}")
    return Text(str(value))
