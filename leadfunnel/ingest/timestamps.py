"""Parsing the timestamp text that exports contain into naive local timestamps."""

from __future__ import annotations

import polars as pl

# Tried in order; the first that parses a value wins.
TIMESTAMP_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%Y/%m/%d")


def parse_timestamps(text: pl.Expr) -> pl.Expr:
    """Text → Datetime, null where the text is empty or matches no known format."""
    cleaned = text.str.strip_chars()
    attempts = [cleaned.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in TIMESTAMP_FORMATS]
    attempts += [cleaned.str.strptime(pl.Date, fmt, strict=False).cast(pl.Datetime("us")) for fmt in DATE_FORMATS]
    return pl.coalesce(attempts)
