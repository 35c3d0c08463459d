"""`import`: exports into the database in one transaction, after a validation report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from leadfunnel import database
from leadfunnel.backends import storage_for
from leadfunnel.cli.opening import existing_or_empty
from leadfunnel.cli.options import (
    DbOption,
)
from leadfunnel.cli.output import fail, say
from leadfunnel.ingest.canonical import check_canonical, commit_canonical, is_canonical
from leadfunnel.ingest.errors import ImportRejected, RowProblem
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import PRESETS, guess_preset
from leadfunnel.ingest.readers import DELIMITERS, check_encoding, checked_delimiter, read_table
from leadfunnel.ingest.saved_mappings import load_mapping
from leadfunnel.ingest.timestamps import DATA_TIMEZONE, check_zone
from leadfunnel.ingest.write import WriteSummary
from leadfunnel.paths import database_location
from leadfunnel.storage import StorageBusy


class PresetChoice(StrEnum):
    auto = "auto"
    canonical = "canonical"
    hubspot = "hubspot"
    salesforce = "salesforce"
    mautic = "mautic"
    generic = "generic"


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
            raise fail(f"{path}: no such file")
    canonical = preset is PresetChoice.canonical or (preset is PresetChoice.auto and is_canonical(paths))
    try:
        options = ImportOptions(check_encoding(encoding) if encoding else None, checked_delimiter(delimiter),
                                check_zone(timezone), accept_valid)
        if dry_run:
            with existing_or_empty(target) as con:
                (_import_canonical_files if canonical else _import_export)(con, paths, preset, mapping, options,
                                                                            dry_run=True)
            return
        with target.writing() as con:
            database.prepare_for_import(con, target.location)
            summary = (_import_canonical_files if canonical else _import_export)(con, paths, preset, mapping,
                                                                                  options, dry_run=False)
            assert summary is not None  # only a dry run writes nothing
    except ImportRejected as rejected:
        raise fail(str(rejected)) from None
    except (ValueError, database.SchemaVersionError, database.ForeignDatabase, database.UnopenableDatabase,
            StorageBusy) as error:
        raise fail(str(error)) from None
    say(f"Imported into {target.location}: leads {summary.leads_new:,} new, {summary.leads_updated:,} updated, "
         f"{summary.leads_unchanged:,} unchanged; {summary.activities_added:,} activities and "
         f"{summary.feedback_added:,} feedback rows added.")
    if summary.spend_added or summary.spend_replaced:
        say(f"Spend: {summary.spend_added:,} month × channel × campaign amounts added, {summary.spend_replaced:,} "
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
            say(f"{path.name}: read as {checked.encodings[table]}, {DELIMITERS[checked.separator]}-separated, "
                 f"{checked.rows.get(table, 0):,} rows")
        say(f"Canonical files: {checked.valid_leads:,} leads valid ({checked.leads_new:,} new, "
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
            say(f"{table.name}: read as {table.encoding}, {DELIMITERS[table.delimiter or ',']}-separated, "
                 f"{table.frame.height:,} rows")
    saved = load_mapping(con, mapping_name) if mapping_name else None
    chosen = (PRESETS[saved.preset] if saved else PRESETS[preset.value] if preset not in (
        PresetChoice.auto, PresetChoice.canonical) else guess_preset(tables[0].frame.columns))
    result = check(con, uploads, tables, chosen, saved.mapping if saved else None, options.zone,
                   saved.channel_values if saved else None)
    say(f"Preset {chosen.label}: {result.prepared.leads.height:,} leads valid ({result.leads_new:,} new, "
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
        say("Dry run: nothing was written.")
        return None
    if rejected and not options.accept_valid:
        raise fail(f"{rejected_lines:,} row(s) rejected; nothing was imported. Fix them, or pass "
                    "--accept-valid to import the valid rows only.")
    return write()


def _print_report(problems: list[RowProblem], warnings: list[RowProblem]) -> None:
    """Every rejected row and warning, one per line: severity, file, physical line, column, reason, value."""
    for severity, found in (("rejected", problems), ("warning", warnings)):
        for problem in found:
            value = "" if problem.value is None else f" (value {problem.value!r})"
            say(f"  {severity}: {problem.file}, line {problem.line}, column {problem.column}: {problem.reason}{value}")
