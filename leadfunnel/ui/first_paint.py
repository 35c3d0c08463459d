"""A new session's first page shows its numbers before its charts (and before the forms in its closed expanders).

The browser fetches the code of each kind of element the first time a page has one, and shows none of a run's
elements until the code of all of them is in: Plotly's is 4.7 MB and takes about a second to compile on a small
machine, so a page with a chart showed its numbers only after that (bench/RESULTS.md, "first open"). So in a
session's first run each chart's space is kept empty and a probe is drawn at the end of the page; once the
browser has painted that run — the numbers are on screen — the probe reruns the page, which draws the charts.
Every later run of the session draws charts at once, so a probe that never reports (a browser that does not run
it) delays the charts only until the reader's next click. A client without a browser (AppTest, no User-Agent)
cannot run the probe and gets the charts at once.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

_PROBED = "lf_first_paint_probed"  # session state: a run of this session has drawn the probe
_WAITING = "lf_first_paint_waiting"  # session state: a part of this run waits for the first paint
_PROBE = st.components.v2.component(
    "leadfunnel_first_paint",
    # two frames after mounting, the run that mounted it has been painted
    js="""export default function ({setTriggerValue}) {
  requestAnimationFrame(() => requestAnimationFrame(() => setTriggerValue("painted", true)));
}""",
)


def _draw_now() -> bool:
    """After the session's first run with a probe, or for a client without a browser."""
    return bool(st.session_state.get(_PROBED)) or "User-Agent" not in st.context.headers


def after_first_paint() -> bool:
    """Whether a part the reader does not need at once (a chart, a closed expander's form) may be drawn in this
    run; if not, the probe at the end of the run reruns the page once the browser has painted it."""
    if _draw_now():
        return True
    st.session_state[_WAITING] = True
    return False


def plotly_chart(figure: go.Figure, *, key: str, **options: Any) -> None:
    """`st.plotly_chart`, or, before the session's first paint, the chart's space kept empty."""
    if after_first_paint():
        st.plotly_chart(figure, key=key, **options)
    else:
        st.container(height=int(figure.layout.height or 400), border=False, key=f"{key}_space")


def probe() -> None:
    """At the end of a run: if a part waited for the first paint, the probe that reruns the page once painted."""
    if st.session_state.pop(_WAITING, False):
        st.session_state[_PROBED] = True
        _PROBE(key="lf_first_paint_probe", on_painted_change=_rerun)


def _rerun() -> None:
    """The probe's report: the rerun it triggers draws what waited."""
