"""Timestamp text as real exports write it → naive timestamps in the data's time zone.

Handles ISO with or without `T`, seconds, milliseconds and a zone (`Z`, `+09:00`), `2025/04/01 9:05`,
`2025年4月1日` (with or without a time), US `4/1/2025 9:05 AM`, full-width digits, Excel serial day
numbers (when the column came from a spreadsheet) and empty strings. Naive text is taken to be in the
data's zone already; zoned text is converted to it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from leadfunnel.i18n import LocalizedError

DATA_TIMEZONE = "Asia/Tokyo"
# Tried in order on normalised text (NFKC, 年/月/日 and `/` turned into `-`, `T` into a space).
NAIVE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m-%d-%Y %I:%M:%S %p",
    "%m-%d-%Y %I:%M %p",
    "%m-%d-%Y %H:%M:%S",
    "%m-%d-%Y %H:%M",
    "%m-%d-%Y",
)
ZONED_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_COMMON_FORMAT = "%Y-%m-%d %H:%M:%S"
_EXCEL_EPOCH = pl.datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)


class UnknownZone(LocalizedError):
    """A time zone name that is not in the zone database."""


def check_zone(zone: str) -> str:
    """The data's time zone as the user named it, or a plain refusal (instead of a parser's traceback later)."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone("import.unknown_zone", zone=zone) from None
    return zone


def normalised(text: pl.Expr) -> pl.Expr:
    """Full-width → ASCII, Japanese date marks and slashes → `-`, `T` → space, `Z` → `+00:00`."""
    return (text.str.normalize("NFKC").str.strip_chars()
            .str.replace_all(r"(\d)\s*年\s*(\d)", "$1-$2").str.replace_all(r"(\d)\s*月\s*(\d)", "$1-$2")
            .str.replace_all(r"(\d)\s*日", "$1").str.replace_all("/", "-")
            .str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})T", "$1 ").str.replace(r"Z$", "+00:00")
            .str.replace_all(r"\s+", " "))


def parse_timestamps(values: pl.Series, zone: str = DATA_TIMEZONE, *, excel_serials: bool = False) -> pl.Series:
    """Text → Datetime(us), naive in `zone`; null where the text is empty or matches no known form.

    The common canonical form is parsed first in one pass; only the rest goes through every format,
    so a clean 20M-row column costs one parse.
    """
    text = values.cast(pl.String).str.strip_chars().replace("", None)
    quick = text.str.strptime(pl.Datetime("us"), _COMMON_FORMAT, strict=False)
    pending = quick.is_null() & text.is_not_null()
    if not pending.any():
        return quick.alias(values.name)
    rest = pl.DataFrame({"raw": text.filter(pending)}).select(_parse_any(pl.col("raw"), zone, excel_serials))
    return quick.scatter(pending.arg_true(), rest.to_series()).alias(values.name)


def _parse_any(raw: pl.Expr, zone: str, excel_serials: bool) -> pl.Expr:
    text = normalised(raw)
    attempts = [text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in NAIVE_FORMATS]
    attempts += [
        text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False)
        .dt.convert_time_zone(zone).dt.replace_time_zone(None)
        for fmt in ZONED_FORMATS
    ]
    if excel_serials:
        days = text.cast(pl.Float64, strict=False)
        plausible = days.is_between(1, 2_958_465)  # up to 9999-12-31
        attempts.append(pl.when(plausible).then(_EXCEL_EPOCH + pl.duration(microseconds=(days * 86_400_000_000)
                                                                         .round(0).cast(pl.Int64))))
    return pl.coalesce(attempts).alias("parsed")
