"""Every table the pages show can leave as CSV (UTF-8 with BOM) and as an Excel workbook."""

from __future__ import annotations

import polars as pl
import streamlit as st

from leadfunnel.export import csv_bytes, xlsx_bytes
from leadfunnel.i18n import t


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
