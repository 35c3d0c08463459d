"""The value checks of a staged canonical file (leadfunnel.ingest.canonical_staging), as one query per file: every bad
value is reported with file, physical line, column and value; a stage dated before an earlier stage is a warning."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import polars as pl

from leadfunnel.i18n import Message
from leadfunnel.ingest.canonical_staging import CanonicalCheck, typed_columns
from leadfunnel.ingest.errors import RowProblem
from leadfunnel.ingest.values import CONTROL_IN_KEY, CONTROL_IN_TEXT, date_range, range_text
from leadfunnel.model import FEEDBACK_VERDICTS, TABLE_SCHEMAS

REQUIRED: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "activities": ("lead_id", "occurred_at", "activity_type"),
    "feedback": ("lead_id", "at", "verdict"),
    "spend": ("month", "channel", "amount"),
}
KEY_COLUMNS = frozenset({"lead_id", "channel", "activity_type", "verdict"})  # no control characters at all
STAGE_COLUMNS = ("created_at", "mql_at", "sal_at", "sql_at", "opportunity_at", "won_at")

# A month as spreadsheets write it — 2025-04, 2025/4, 2025-04-01 or 2025/4/1 00:00 (Excel turns 2025-04 into a date
# when it saves), 2025年4月 — as YYYY-MM; NULL when it is none of these. {c} is the quoted column.
_MONTH_NUMBER = r"regexp_extract({c}, '^\d{{4}}\s*[-/.年]\s*(\d{{1,2}})', 1)"
_MONTH_SQL = (r"CASE WHEN regexp_full_match({c}, '\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*月?"
              r"(\s*[-/.]\s*\d{{1,2}}\s*日?)?(\s+\d{{1,2}}:\d{{2}}(:\d{{2}})?)?') "
              f"AND TRY_CAST({_MONTH_NUMBER} AS INTEGER) BETWEEN 1 AND 12 "
              f"THEN left({{c}}, 4) || '-' || lpad({_MONTH_NUMBER}, 2, '0') END")
NORMALISED = {("spend", "month"): _MONTH_SQL}  # columns written in one form whatever the file's


def check_staged(con: duckdb.DuckDBPyConnection, checked: CanonicalCheck, table: str, has_control: bool) -> None:
    """Every value check of a staged file; problems and warnings by physical line."""
    found, warnings = _staged_problems(con, checked.staged[table], table, checked.files[table].name, has_control,
                                       checked.lines[table])
    checked.problems += found
    checked.warnings += warnings


def _staged_problems(con: duckdb.DuckDBPyConnection, name: str, table: str, file: str, has_control: bool,
                     lines: Callable[[int], int]) -> tuple[list[RowProblem], list[RowProblem]]:
    """Every check of a staged file as one query: problems (rows refused) and warnings, at their physical lines
    (`lines`: record number → line) and with their record numbers."""
    schema = TABLE_SCHEMAS[table]
    start, end = date_range()
    checks: list[tuple[str, str, str, str, dict[str, object], bool]] = []  # condition, column, value, key, …

    def check(condition: str, column: str, value: str, key: str, warning: bool = False, **params: object) -> None:
        checks.append((condition, column, value, key, params, warning))

    for column in REQUIRED[table]:
        empty = f'"{column}" IS NULL' + (f' AND "{column}__text" IS NULL' if column in typed_columns(table) else "")
        check(empty, column, "NULL::VARCHAR", "import.required_empty")
    for column in typed_columns(table):
        is_date = schema[column] == pl.Datetime("us")
        check(f'"{column}__text" IS NOT NULL AND "{column}" IS NULL', column, f'"{column}__text"',
              "import.not_a_date" if is_date else "import.not_a_number")
        if is_date:
            check(f'("{column}" < $start OR "{column}" >= $end)', column, f'strftime("{column}", \'%Y-%m-%d %H:%M\')',
                  "import.implausible_date", range=range_text())
    if has_control:
        for column, dtype in schema.items():
            if dtype == pl.String():
                pattern = "$control_key" if column in KEY_COLUMNS else "$control_text"
                check(f'regexp_matches("{column}", {pattern})', column, f'"{column}"', "import.control_character")
    if table == "leads":
        check(f"lead_id IN (SELECT lead_id FROM {name} WHERE NOT __blank GROUP BY lead_id HAVING count(*) > 1)",
              "lead_id", "lead_id", "import.duplicate_id")
        for index, later in enumerate(STAGE_COLUMNS[1:], start=1):
            for earlier in reversed(STAGE_COLUMNS[:index]):  # the latest earlier stage it comes before
                later_ones = STAGE_COLUMNS[STAGE_COLUMNS.index(earlier) + 1:index]
                newest = " AND ".join(f"({c} IS NULL OR {c} <= {earlier})" for c in later_ones) or "true"
                check(f"{later} < {earlier} AND {newest}", later, f"strftime({later}, '%Y-%m-%d %H:%M')",
                      "import.dates_out_of_order", warning=True, later=Message(f"import.date.{later}"),
                      earlier=Message(f"import.date.{earlier}"))
    if table == "feedback":
        check("verdict IS NOT NULL AND NOT list_contains($verdicts, verdict)", "verdict", "verdict",
              "import.bad_verdict")
    if table == "spend":
        month = _MONTH_SQL.format(c="month")
        check(f"month IS NOT NULL AND {month} IS NULL", "month", "month", "import.not_a_month")
        check("amount < 0", "amount", "amount", "import.negative_spend")
        check(f"{month} IS NOT NULL AND ({month}, channel, coalesce(campaign, '')) IN (SELECT ({month}, channel, "
              f"coalesce(campaign, '')) FROM {name} WHERE NOT __blank GROUP BY ALL HAVING count(*) > 1)",
              "month", "month", "import.duplicate_spend")
    params: dict[str, object] = {"start": start, "end": end, "verdicts": list(FEEDBACK_VERDICTS),
                                 "control_key": CONTROL_IN_KEY, "control_text": CONTROL_IN_TEXT}
    union = " UNION ALL ".join(
        f"SELECT rowid AS record, {index} AS check_index, {value}::VARCHAR AS value FROM {name} "
        f"WHERE NOT __blank AND ({condition})" for index, (condition, _, value, *_) in enumerate(checks))
    used = {key: value for key, value in params.items() if f"${key}" in union}
    rows = con.execute(union + " ORDER BY record, check_index", used).fetchall()
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    for record, index, value in rows:
        _, column, _, key, extra, warning = checks[index]
        (warnings if warning else problems).append(RowProblem.of(file, lines(record), column, value, key, **extra)
                                                   .with_record(record))
    return problems, warnings
