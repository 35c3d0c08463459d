"""The scoring page's volume-vs-recall curve as a browser component whose marker follows the threshold slider.

The curve does not depend on the threshold (each point is one threshold), so it is sent once per rule set with
every threshold the slider offers; the browser moves the marker and the readout as the slider moves, without
waiting for the server (leadfunnel/ui/threshold_curve.js). The numbers, the histogram and the weekly chart are
redrawn by the rerun the slider triggers. The meeting pack draws the same curve with Plotly
(charts.threshold_curve_figure).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import streamlit as st

from leadfunnel.charts import FONT, PALETTE
from leadfunnel.format import count, percent
from leadfunnel.i18n import t
from leadfunnel.scoring.backtest import threshold_curve

_HERE = Path(__file__).parent
_COMPONENT = st.components.v2.component(
    "leadfunnel_threshold_curve",
    css=(_HERE / "threshold_curve.css").read_text(encoding="utf-8"),
    js=(_HERE / "threshold_curve.js").read_text(encoding="utf-8"),
)
HEIGHT = 360
CURVE_HEIGHT = HEIGHT + 24  # px: the plot and its readout line


def slider_class(key: str) -> str:
    """The CSS class Streamlit gives a keyed widget's element (`st-key-` and the key, other characters as `-`)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def curve_points(per_lead: pl.DataFrame, top: int) -> list[list[object]]:
    """[threshold, leads handed over, recall (None without positives), readout] for every whole threshold 1…top."""
    curve = threshold_curve(per_lead, np.arange(1, top + 1, dtype=float))
    return [[int(threshold), int(crossed), recall,
             t("scoring.curve_readout", threshold=f"{threshold:g}", crossed=count(int(crossed)),
               recall=percent(recall), precision=percent(precision))]
            for threshold, crossed, recall, precision in curve.select(
                "threshold", "crossed", "recall", "precision").iter_rows()]


def threshold_curve_chart(points: list[list[object]], threshold: int, slider_key: str, *, empty_text: str,
                          key: str) -> None:
    """Draw the curve with its marker at `threshold`, following the slider whose widget key is `slider_key`;
    `empty_text` stands in the plot when no threshold has a recall (no positives in the view)."""
    _COMPONENT(key=key, height=CURVE_HEIGHT, data={
        "points": points, "threshold": threshold, "slider_class": slider_class(slider_key),
        "x_title": t("chart.handed_over_axis"), "y_title": t("chart.recall_axis"),
        "marker_label": t("chart.threshold", value="{value}"), "empty_text": empty_text,
        "colours": {"line": PALETTE[0], "marker": PALETTE[5]}, "font": FONT, "height": HEIGHT,
    })
