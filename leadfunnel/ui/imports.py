"""The Data page's database calls: a new database, saved mappings, the check and the import of an upload, spend files.

The page hands over what the reader chose and gets results back; the connections (the shared reader, a
writer from `session.writing`) stay here.
"""

from __future__ import annotations

from pathlib import Path

from leadfunnel.database import create_user_database
from leadfunnel.ingest.canonical import check_canonical, import_canonical
from leadfunnel.ingest.errors import RowProblem
from leadfunnel.ingest.imports import Check, Upload, check, commit
from leadfunnel.ingest.presets import Preset
from leadfunnel.ingest.readers import RawTable
from leadfunnel.ingest.saved_mappings import SavedMapping, mappings_for, save_mapping
from leadfunnel.ingest.timestamps import DATA_TIMEZONE
from leadfunnel.ingest.write import WriteSummary
from leadfunnel.ui.session import runner, writing


def create_database(target: Path) -> None:
    """A new, empty database file at `target` for the reader's own data (one already there is kept as it is)."""
    if not target.exists():
        create_user_database(target)


def saved_mappings_for(headers: list[str]) -> list[SavedMapping]:
    """The mappings saved on this session's database for files with these headers, newest first."""
    return mappings_for(runner().con, headers)


def save_upload_mapping(name: str, headers: list[str], preset: str, mapping: dict[str, str],
                        channel_values: dict[str, str]) -> None:
    """Save (or replace) a named mapping for files with these headers; every session sees it on its next rerun."""
    with writing() as writer:
        save_mapping(writer, name, headers, preset, mapping, channel_values)


def check_upload(uploads: list[Upload], tables: list[RawTable], preset: Preset, mapping: dict[str, str],
                 channel_values: dict[str, str], zone: str = DATA_TIMEZONE) -> Check:
    """The validation report of the uploaded files against this session's database (reads only)."""
    return check(runner().con, uploads, tables, preset, mapping, zone, channel_values)


def import_upload(result: Check, *, accept_valid: bool) -> WriteSummary:
    """Write a checked upload in one transaction (ImportRejected: nothing written)."""
    with writing() as writer:
        return commit(writer, result, accept_valid=accept_valid)


def check_spend(path: Path) -> tuple[list[RowProblem], int]:
    """The problems of a spend file and its rows, without writing anything (UnreadableFile if it cannot be read)."""
    with writing() as con, check_canonical(con, [path]) as checked:  # reads only: nothing is written
        return checked.problems, checked.rows.get("spend", 0)


def import_spend(path: Path) -> WriteSummary:
    """Import a spend file in one transaction (ImportRejected: nothing written)."""
    with writing() as writer:
        return import_canonical(writer, [path])
