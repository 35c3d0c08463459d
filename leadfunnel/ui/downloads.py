"""Every table the pages show can leave as CSV (UTF-8 with BOM) and as an Excel workbook."""

from __future__ import annotations

import polars as pl
import streamlit as st

from leadfunnel.export import csv_bytes, xlsx_bytes
from leadfunnel.i18n import t

DISPLAY_ROWS = 500  # rows a long list shows on the page (data sent per rerun stays small); downloads carry all


def span(filters: object) -> str:
    """The view's dates for a download's file name: 20250401-20250630 (or `all`)."""
    days = [f"{d:%Y%m%d}" for d in (getattr(filters, "date_from", None), getattr(filters, "date_to", None)) if d]
    return "-".join(days) or "all"


def download_buttons(frame: pl.DataFrame, name: str, key: str) -> None:
    """Two small buttons under a table; the workbook is built only when asked for.

    A horizontal row gives each button its natural width (fixed columns cut "Excel" off under narrow tables).
    """
    row = st.container(horizontal=True)
    row.download_button(t("download.csv"), csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv",
                        key=f"{key}:csv", icon=":material/download:")
    row.download_button(t("download.xlsx"), lambda: xlsx_bytes(frame), file_name=f"{name}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"{key}:xlsx", icon=":material/table:")


def long_table(frame: pl.DataFrame, name: str, key: str, **options: object) -> None:
    """A list that can run to tens of thousands of rows (overdue leads at 1M leads): the first DISPLAY_ROWS on
    the page with a note saying so, every row in the CSV and Excel downloads."""
    st.dataframe(frame.head(DISPLAY_ROWS), hide_index=True, width="stretch", **options)
    if frame.height > DISPLAY_ROWS:
        st.caption(t("table.capped", shown=DISPLAY_ROWS, total=frame.height))
    download_buttons(frame, name, key)
