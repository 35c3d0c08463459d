"""Column mappings the user corrected, saved by name and offered again for files with the same headers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from leadfunnel.i18n import LocalizedError
from leadfunnel.ingest.presets import fold
from leadfunnel.query import execute

CHANNEL_VALUES = "channel_values"  # key of the value → channel table inside a saved mapping's JSON


class MappingError(LocalizedError):
    """A mapping that cannot be saved or found; the message is a catalogue key."""


@dataclass(frozen=True)
class SavedMapping:
    name: str
    preset: str
    mapping: dict[str, str]
    channel_values: dict[str, str] = field(default_factory=dict)  # the file's source values → channel keys


def fingerprint(headers: list[str]) -> str:
    """Same headers (in any order, any width or case) → same fingerprint."""
    return hashlib.sha256("\x1f".join(sorted(fold(h) for h in headers)).encode()).hexdigest()[:16]


def save_mapping(con: duckdb.DuckDBPyConnection, name: str, headers: list[str], preset: str,
                 mapping: dict[str, str], channel_values: dict[str, str] | None = None) -> None:
    """Save (or replace) a named mapping for files with these headers, with its channel values."""
    if not name.strip():
        raise MappingError("import.mapping_needs_name")
    cursor = con.cursor()
    try:
        execute(cursor, "settings/save_mapping",
                {"name": name.strip(), "fingerprint": fingerprint(headers), "preset": preset,
                 "mapping": json.dumps({**mapping, CHANNEL_VALUES: channel_values or {}}, ensure_ascii=False),
                 "at": datetime.now().replace(microsecond=0)})
    finally:
        cursor.close()


def mappings_for(con: duckdb.DuckDBPyConnection, headers: list[str]) -> list[SavedMapping]:
    """Saved mappings made for files with these headers, newest first."""
    cursor = con.cursor()
    try:
        rows = execute(cursor, "settings/mappings_for_headers", {"fingerprint": fingerprint(headers)}).fetchall()
    finally:
        cursor.close()
    return [_saved(name, preset, mapping) for name, preset, mapping in rows]


def load_mapping(con: duckdb.DuckDBPyConnection, name: str) -> SavedMapping:
    """The saved mapping of this name (MappingError if there is none)."""
    cursor = con.cursor()
    try:
        row = execute(cursor, "settings/saved_mapping", {"name": name}).fetchone()
    finally:
        cursor.close()
    if row is None:
        raise MappingError("import.no_such_mapping", name=name)
    return _saved(*row)


def _saved(name: str, preset: str, stored: str) -> SavedMapping:
    """The stored JSON: field → column, plus the channel values under their own key (none in older mappings)."""
    data = json.loads(stored)
    values = data.pop(CHANNEL_VALUES, {}) if isinstance(data.get(CHANNEL_VALUES, {}), dict) else {}
    return SavedMapping(name, preset, {k: v for k, v in data.items() if isinstance(v, str)}, values)
