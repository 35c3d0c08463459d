"""Every table the pages show can leave as CSV (UTF-8 with BOM) and as an Excel workbook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
import streamlit as st

from leadfunnel.export import csv_bytes, xlsx_bytes
from leadfunnel.i18n import CATALOGUES, t
from leadfunnel.ui.first_paint import ROW, after_first_paint, keep_space
from leadfunnel.ui.tables import table

DISPLAY_ROWS = 500  # rows a long list shows on the page (data sent per rerun stays small); downloads carry all


def span(filters: object) -> str:
    """The view's dates for a download's file name: 20250401-20250630 (or `all`)."""
    days = [f"{d:%Y%m%d}" for d in (getattr(filters, "date_from", None), getattr(filters, "date_to", None)) if d]
    return "-".join(days) or "all"


def unit_suffix(filters: object) -> str:
    """`-by-account` in a download's file name when the view counts accounts, so the file says what it counts."""
    return "-by-account" if getattr(filters, "unit", "lead") == "account" else ""


def kind_of(column: str) -> str | None:
    """How a download writes a column, from its name: rates as percentages, amounts as money, hours as hours."""
    if column.endswith("_rate") or column.startswith("rate_"):
        return "percent"
    if "amount" in column:
        return "money"
    if "hours" in column:
        return "hours"
    return None


def download_buttons(frame: pl.DataFrame, name: str, key: str, kinds: Mapping[str, str] | None = None,
                     labels: Mapping[str, str] | None = None) -> None:
    """Two small buttons under a table; the workbook is built only when asked for. With `kinds` and `labels` the
    files carry the reader's column names and typed cells (leadfunnel.export); the name says the view.

    A horizontal row gives each button its natural width (fixed columns cut "Excel" off under narrow tables).
    Before a session's first paint, the row's space (leadfunnel/ui/first_paint.py).
    """
    if not after_first_paint():
        keep_space(ROW)
        return
    labels = labels if labels is not None else {name: t(f"column.{name}") for name in frame.columns
                                                if f"column.{name}" in CATALOGUES["en"]}
    kinds = kinds if kinds is not None else {name: kind for name in frame.columns if (kind := kind_of(name))}
    row = st.container(horizontal=True)
    row.download_button(t("download.csv"), csv_bytes(frame, kinds, labels), file_name=f"{name}.csv",
                        mime="text/csv", key=f"{key}:csv", icon=":material/download:")
    row.download_button(t("download.xlsx"), lambda: xlsx_bytes(frame, kinds=kinds, labels=labels),
                        file_name=f"{name}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"{key}:xlsx", icon=":material/table:")


def long_table(frame: pl.DataFrame, name: str, key: str, **options: Any) -> None:
    """A list that can run to tens of thousands of rows (overdue leads at 1M leads): the first DISPLAY_ROWS on
    the page with a note saying so, every row in the CSV and Excel downloads."""
    table(frame.head(DISPLAY_ROWS), hide_index=True, width="stretch", **options)
    if frame.height > DISPLAY_ROWS:
        st.caption(t("table.capped", shown=DISPLAY_ROWS, total=frame.height))
    download_buttons(frame, name, key)
