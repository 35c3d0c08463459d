"""A new session's first page shows its numbers before its charts (and before the forms in its closed expanders).

The browser fetches the code of each kind of element the first time a page has one, and shows none of a run's
elements until the code of all of them is in: Plotly's is 4.7 MB and takes about a second to compile on a small
machine, so a page with a chart showed its numbers only after that (bench/RESULTS.md, "first open"). So a
session's first run draws a probe at the sidebar's foot and keeps each chart's space empty; once the browser has
painted that run — the numbers are on screen — the probe reruns the page, which draws the charts (a page without
such parts reruns too, unchanged).
Every later run of the session draws charts at once, so a probe that never reports (a browser that does not run
it) delays the charts only until the reader's next click. A client without a browser (AppTest, no User-Agent)
cannot run the probe and gets the charts at once.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

_PROBED = "lf_first_paint_probed"  # session state: a run of this session has drawn the probe
_HOLDING = "lf_first_paint_holding"  # session state: this run draws the probe, so the parts that can wait wait
_PROBE = st.components.v2.component(
    "leadfunnel_first_paint",
    # two frames after mounting, the run that mounted it has been painted
    js="""export default function ({setTriggerValue}) {
  requestAnimationFrame(() => requestAnimationFrame(() => setTriggerValue("painted", true)));
}""",
)


def probe() -> None:
    """Every full run, after the sidebar and before the page (a page may stop early, and nothing is drawn after
    st.stop): in a browser session's first run, the probe at the sidebar's foot, which reruns the page once the
    browser has painted it; the parts that can wait wait in that run only."""
    st.session_state.pop(_HOLDING, None)
    if st.session_state.get(_PROBED) or "User-Agent" not in st.context.headers:
        return
    st.session_state[_PROBED] = st.session_state[_HOLDING] = True
    with st.sidebar:
        _PROBE(key="lf_first_paint_probe", on_painted_change=_rerun)


def _rerun() -> None:
    """The probe's report: the rerun it triggers draws what waited."""


def after_first_paint() -> bool:
    """Whether a part the reader does not need at once (a chart, a closed expander's form) may be drawn in this
    run: not in the run that draws the probe."""
    return not st.session_state.get(_HOLDING)


def plotly_chart(figure: go.Figure, *, key: str, **options: Any) -> None:
    """`st.plotly_chart`, or, before the session's first paint, the chart's space kept empty."""
    if after_first_paint():
        st.plotly_chart(figure, key=key, **options)
    else:
        st.container(height=int(figure.layout.height or 400), border=False, key=f"{key}_space")

