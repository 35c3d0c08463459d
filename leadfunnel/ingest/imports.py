"""Importing a tool's export: read → map → validation report → one transaction (or nothing).

The same steps serve the CLI and the Data page. `check` only reads; `commit` writes the valid rows
when the user accepted to leave the rejected ones out, or everything when nothing was rejected.
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from dataclasses import dataclass

import duckdb
import polars as pl

from leadfunnel.i18n import Message
from leadfunnel.ingest.errors import NO_SUCH_LEAD, ImportRejected, RowProblem
from leadfunnel.ingest.mapping import FILE, LINE, Prepared, prepare
from leadfunnel.ingest.presets import Preset
from leadfunnel.ingest.readers import RawTable
from leadfunnel.ingest.timestamps import DATA_TIMEZONE
from leadfunnel.ingest.write import ImportLogEntry, WriteSummary, classify_leads, rows_without_lead, write_tables


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class Check:
    """The validation report: what would be written, what would be rejected, what looks odd."""

    prepared: Prepared
    leads_new: int
    leads_updated: int
    leads_unchanged: int
    files: str
    sha256: str
    source: str

    @property
    def problems(self) -> list[RowProblem]:
        return self.prepared.problems

    def report(self, language: str = "en") -> pl.DataFrame:
        """Every rejection and warning with file, line, column, value and reason (downloadable).

        Severity and reason are in `language` (the CLI's English by default, the reader's on the Data page).
        """
        ordered = sorted(self.problems, key=lambda p: (p.file, p.line))  # as the file reads, a row's problems together
        rows = [("rejected", p) for p in ordered] + [("warning", p) for p in self.prepared.warnings]
        severity = {kind: Message(f"import.severity.{kind}").render(language) for kind in ("rejected", "warning")}
        return pl.DataFrame(
            [(severity[kind], p.file, p.line, p.column, p.value, p.localized_reason(language)) for kind, p in rows],
            schema={"severity": pl.String, "file": pl.String, "line": pl.Int64, "column": pl.String,
                    "value": pl.String, "reason": pl.String}, orient="row")


def check(con: duckdb.DuckDBPyConnection, uploads: list[Upload], tables: list[RawTable], preset: Preset,
          mapping: dict[str, str] | None = None, zone: str = DATA_TIMEZONE,
          channel_values: dict[str, str] | None = None) -> Check:
    prepared = prepare(tables, preset, mapping, zone, channel_values)
    prepared.problems += _orphan_activities(con, prepared)
    new, updated, unchanged = classify_leads(con, prepared.leads.drop(LINE, strict=False))
    digest = hashlib.sha256()
    for upload in uploads:
        digest.update(upload.data)
    return Check(prepared, new, updated, unchanged, ", ".join(u.name for u in uploads), digest.hexdigest(),
                 preset.key)


def commit(con: duckdb.DuckDBPyConnection, checked: Check, *, accept_valid: bool = False) -> WriteSummary:
    """Write in one transaction. With rejected rows, only when the user accepted leaving them out."""
    if checked.problems and not accept_valid:
        raise ImportRejected(checked.problems)
    prepared = checked.prepared
    refused = {(p.file, p.line) for p in checked.problems}
    activities = prepared.activities.filter(
        ~pl.struct(FILE, LINE).is_in([{FILE: file, LINE: line} for file, line in refused]))
    return write_tables(
        con, leads=prepared.leads.drop(LINE, strict=False), activities=activities.drop(LINE, FILE),
        log=ImportLogEntry(checked.files, checked.sha256, checked.source, prepared.rows_read,
                           prepared.rejected_lines))


def _orphan_activities(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> list[RowProblem]:
    """Activities of leads neither stored nor in this import cannot be attached to anything: each is named by its
    file and line."""
    if prepared.activities.is_empty():
        return []
    with closing(con.cursor()) as cursor:
        cursor.register("incoming_activity_rows", prepared.activities.select("lead_id", record=pl.int_range(pl.len())))
        cursor.register("incoming_lead_ids", prepared.leads.select("lead_id"))
        found = rows_without_lead(cursor, "SELECT record, lead_id FROM incoming_activity_rows",
                                  "SELECT lead_id FROM incoming_lead_ids")
    where = prepared.activities.select(FILE, LINE)[[record for record, _ in found]].rows()
    orphans = sorted(((file, line, lead_id) for (file, line), (_, lead_id) in zip(where, found, strict=True)),
                     key=lambda orphan: orphan[:2])  # as the files read
    return [RowProblem.of(file, line, "lead_id", lead_id, NO_SUCH_LEAD) for file, line, lead_id in orphans]
