"""Column mappings the user corrected, saved by name and offered again for files with the same headers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from leadfunnel.i18n import LocalizedError
from leadfunnel.ingest.presets import fold

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
    if not name.strip():
        raise MappingError("import.mapping_needs_name")
    cursor = con.cursor()
    try:
        cursor.execute("MERGE INTO saved_mappings USING (SELECT $name AS name, $fingerprint AS fingerprint, "
                       "$preset AS preset, $mapping AS mapping, $at AS saved_at) AS new "
                       "ON saved_mappings.name = new.name "
                       "WHEN MATCHED THEN UPDATE SET fingerprint = new.fingerprint, preset = new.preset, "
                       "mapping = new.mapping, saved_at = new.saved_at "
                       "WHEN NOT MATCHED THEN INSERT VALUES (new.name, new.fingerprint, new.preset, new.mapping, "
                       "new.saved_at)",
                       {"name": name.strip(), "fingerprint": fingerprint(headers), "preset": preset,
                        "mapping": json.dumps({**mapping, CHANNEL_VALUES: channel_values or {}}, ensure_ascii=False),
                        "at": datetime.now().replace(microsecond=0)})
    finally:
        cursor.close()


def mappings_for(con: duckdb.DuckDBPyConnection, headers: list[str]) -> list[SavedMapping]:
    """Saved mappings made for files with these headers, newest first."""
    cursor = con.cursor()
    try:
        rows = cursor.execute("SELECT name, preset, mapping FROM saved_mappings WHERE fingerprint = $f "
                              "ORDER BY saved_at DESC, name", {"f": fingerprint(headers)}).fetchall()
    finally:
        cursor.close()
    return [_saved(name, preset, mapping) for name, preset, mapping in rows]


def load_mapping(con: duckdb.DuckDBPyConnection, name: str) -> SavedMapping:
    cursor = con.cursor()
    try:
        row = cursor.execute("SELECT name, preset, mapping FROM saved_mappings WHERE name = $name",
                             {"name": name}).fetchone()
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
