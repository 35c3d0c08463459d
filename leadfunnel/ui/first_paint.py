"""A new session's first page shows its numbers first: its charts, tables and controls come a moment later.

The browser fetches the code of each kind of element the first time a page has one, and shows none of a run's
elements until the code of all of them is in: Plotly's is 4.7 MB (about a second to compile on a small machine),
the table's 1.2 MB, and each kind of control — the sidebar's date range, selects, radios, the page's sliders —
dozens of small files (bench/RESULTS.md, "first open"). So a session's first run draws its metrics and text, keeps
the space of each chart, table and control, and draws a probe; once the browser has painted that run — the
numbers are on screen — the probe reruns the page, which draws everything. A control that waits still has its
value in that first run: the one kept in session state (from the link), else the one the control starts with.
Every later run of the session draws everything at once, so a probe that never reports (a browser that does not
run it) delays the rest only until the reader's next click. A client without a browser (AppTest, no User-Agent)
cannot run the probe and gets everything at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

import plotly.graph_objects as go
import streamlit as st

_PROBED = "lf_first_paint_probed"  # session state: a run of this session has held its parts back
_HOLDING = "lf_first_paint_holding"  # session state: this run draws the probe, so the parts that can wait wait
_PROBE = st.components.v2.component(
    "leadfunnel_first_paint",
    # Mounted last, it waits while Streamlit still shows a skeleton for an element whose code is loading (the
    # metrics' own), then two frames: the run's numbers are painted (after 3 s it reports anyway). It reports only
    # while it is current: once a later run has begun (a click, Streamlit's own rerun) its element turns stale,
    # that run draws everything anyway, and a report would stop it — losing the click that started it.
    js="""export default function ({parentElement, setTriggerValue}) {
  const start = performance.now();
  const element = parentElement.host ?? parentElement;  // a shadow root (isolated styles) or the element
  const overtaken = () => !element.isConnected || element.closest('[data-stale="true"]') !== null;
  const report = () => { if (!overtaken()) setTriggerValue("painted", true); };
  const check = () => {
    if (overtaken()) return;
    const loading = document.querySelector('[data-testid="stSkeleton"]');
    if (loading && performance.now() - start < 3000) requestAnimationFrame(check);
    else requestAnimationFrame(() => requestAnimationFrame(report));
  };
  check();
}""",
)
ROW = 40  # px: a button's or a one-line input's height
LABELLED = 68  # px: an input with its label above it (select, radio, date, slider, upload box)
TABLE_ROW = 35  # px: one row of Streamlit's table (its header is one more)


def start_run() -> None:
    """At the top of every full run: whether this run holds its parts back — a browser session's first run."""
    st.session_state.pop(_HOLDING, None)
    if st.session_state.get(_PROBED) or "User-Agent" not in st.context.headers:
        return
    st.session_state[_PROBED] = st.session_state[_HOLDING] = True


def probe() -> None:
    """At the end of a run that holds its parts back — the entry script's last line, or `stop()` when a page ends
    early — the probe at the sidebar's foot, which reruns the page once the browser has painted. Drawn last, it
    cannot report while the run is still going: a rerun then would stop that run half-way through (Streamlit
    starts the new run at once), and a page's half-done state changes (a link's limits taken, not yet applied)
    would be lost. A run draws it once: nothing runs after `stop()`."""
    if not st.session_state.get(_HOLDING):
        return
    with st.sidebar:
        _PROBE(key="lf_first_paint_probe", on_painted_change=_rerun)


def stop() -> NoReturn:
    """`st.stop()`, after the probe if this run holds its parts back (nothing is drawn after st.stop, and without
    the probe the parts that wait would wait for the reader's next click). Use it instead of st.stop()."""
    probe()
    st.stop()  # noqa: TID251 - the one place that stops a run


def _rerun() -> None:
    """The probe's report: the rerun it triggers draws what waited."""


def after_first_paint() -> bool:
    """Whether a part the reader does not need at once (a chart, a table, a control, a closed expander's form) is
    drawn in this run: not in the run that holds its parts back."""
    return not st.session_state.get(_HOLDING)


def end_of_first_screen() -> None:
    """Where a page's first screen ends: in the run that holds its parts back, the page stops here, so that run
    ends sooner (the server serves the browser's code while it runs) and the probe's rerun — which draws the rest
    — starts sooner. Nothing below it is on screen before that rerun anyway."""
    if not after_first_paint():
        stop()


def keep_space(height: int, key: str | None = None, container: Any = None) -> None:
    """The space a waiting part will take, kept empty so nothing below it moves when it arrives."""
    (container or st).container(height=height, border=False, key=key)


def control(draw: Callable[..., Any], *args: Any, key: str, unset: Any, height: int = LABELLED,
            **options: Any) -> Any:
    """`draw(*args, key=key, **options)` — a Streamlit widget such as `st.radio` or `column.selectbox` — or, in the
    run that holds its parts back, its space kept and its value without it: the one in session state (the link's,
    or one set before it is drawn), else `unset`, which must be what the widget starts with."""
    if after_first_paint():
        return draw(*args, key=key, **options)
    keep_space(height, f"{key}_space", getattr(draw, "__self__", None))
    return st.session_state.get(key, unset)


def plotly_chart(figure: go.Figure, *, key: str, **options: Any) -> None:
    """`st.plotly_chart`, or, before the session's first paint, the chart's space kept empty."""
    if after_first_paint():
        st.plotly_chart(figure, key=key, **options)
    else:
        keep_space(int(figure.layout.height or 400), f"{key}_space")
