"""First open of each page in a new browser session, against a hello-world Streamlit page timed in the same run.

    python -m bench first-open --rounds 5            # the bundled demo database (built if missing)
    python -m bench first-open --db path/to.duckdb

Starts three servers on localhost — the dashboard, `bench/hello_world.py` (one metric, one Plotly chart) and
`bench/hello_sidebar.py` (the metric beside the kinds of widget the dashboard's sidebar has) — opens every page
once in each to warm the processes (imports, caches shared by sessions), then for each round opens every page
in a fresh browser context (a new session, nothing cached in the browser; with `--cached` a new tab of one
browser, which keeps the app's code: a returning reader) and times, from
navigation start: the script starting on the server (first "running" state), the script done, the first
number on the page (a metric, table, chart, upload box or form in the main area, timed in the page), the last
run done (a page with charts reruns once the browser has painted its numbers: leadfunnel/ui/first_paint.py)
and the Plotly bundle arriving. The ratio is the median first number of a page over the median of the
hello-world page.
"""

from __future__ import annotations

import asyncio
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import CHROMIUM_ARGS, IDLE, free_port, start_server
from leadfunnel.paths import DEMO_DATABASE

PAGES = ("funnel", "channels", "scoring", "sla", "pipeline", "velocity", "data")
HELLO = Path(__file__).with_name("hello_world.py")
HELLO_SIDEBAR = Path(__file__).with_name("hello_sidebar.py")  # the metric beside the sidebar's kinds of widget
FIRST_NUMBER = ('[data-testid="stMain"] :is([data-testid="stMetricValue"], [data-testid="stDataFrame"], '
                '.js-plotly-plot, [data-testid="stFileUploader"], [data-testid="stForm"])')
WATCH = """
window.__open = {};
const mark = (name) => { if (!window.__open[name]) window.__open[name] = performance.now(); };
new MutationObserver(() => {  // timed in the page: a poll from outside waits out the browser's long tasks
  if (window.__open.first_number) return;
  const shown = [...document.querySelectorAll(FIRST_NUMBER)].find((e) => e.checkVisibility());
  if (shown) mark('first_number');
}).observe(document, {childList: true, subtree: true});
new MutationObserver((records) => {
  for (const r of records) {  // a short run can start and end between two callbacks: read the old values too
    if (r.attributeName !== 'data-test-script-state' || r.target.getAttribute('data-testid') !== 'stApp') continue;
    if (r.oldValue === 'running' || r.target.getAttribute('data-test-script-state') === 'running') mark('running');
    if (window.__open.running && r.target.getAttribute('data-test-script-state') === 'notRunning') {
      mark('done');
      window.__open.last_done = performance.now();  // the rerun that draws the charts ends later
    }
  }
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true,
                      attributeFilter: ['data-test-script-state']});
""".replace("FIRST_NUMBER", repr(FIRST_NUMBER))
PLOTLY_ARRIVED = ("() => (performance.getEntriesByType('resource').find(e => /PlotlyChart/.test(e.name)) "
                  "|| {}).responseEnd || null")


PHASES = ("first_number", "script_started", "script_done", "last_run_done", "plotly_arrived")


@dataclass
class Opening:
    first_number: list[float] = field(default_factory=list)
    script_started: list[float] = field(default_factory=list)
    script_done: list[float] = field(default_factory=list)
    last_run_done: list[float] = field(default_factory=list)
    plotly_arrived: list[float] = field(default_factory=list)

    def median(self, name: str) -> float | None:
        values = getattr(self, name)
        return statistics.median(values) if values else None


async def _context(browser):
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(WATCH)
    return context


async def open_once(browser, url: str, opening: Opening | None, shared=None) -> None:
    """Open `url` in a new Streamlit session — a new browser context, or a new tab of `shared` (a browser that
    has the app's code cached) — and record its timings in `opening`."""
    context = shared or await _context(browser)
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.locator(FIRST_NUMBER).locator("visible=true").first.wait_for(timeout=120_000)
        await page.wait_for_selector(IDLE, timeout=120_000)
        await page.wait_for_load_state("networkidle")  # the chart's bundle may still be on its way after the run
        marks = await page.evaluate("window.__open")
        plotly = await page.evaluate(PLOTLY_ARRIVED)
        if opening is not None:
            for name, key in (("first_number", "first_number"), ("script_started", "running"),
                              ("script_done", "done"), ("last_run_done", "last_done")):
                if marks.get(key):
                    getattr(opening, name).append(marks[key] / 1000)
            if plotly:
                opening.plotly_arrived.append(plotly / 1000)
    finally:
        await (page.close() if shared else context.close())


async def _drive(targets: dict[str, str], rounds: int, cached: bool = False) -> dict[str, Opening]:
    from playwright.async_api import async_playwright

    openings = {name: Opening() for name in targets}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        shared = await _context(browser) if cached else None
        try:
            for url in targets.values():
                await open_once(browser, url, None, shared)  # the processes' first sessions: imports, shared caches
            for _ in range(rounds):
                for name, url in targets.items():  # interleaved: a busy moment hits every page alike
                    await open_once(browser, url, openings[name], shared)
        finally:
            await browser.close()
    return openings


def run_first_open(rounds: int = 5, db: Path | None = None, pages: tuple[str, ...] = PAGES,
                   cached: bool = False) -> dict[str, dict]:
    """Time every page's first open against the hello-world page; print a Markdown table and return it.
    `cached`: every open is a new tab of one browser, which keeps the app's code once fetched (a returning
    reader); otherwise a new browser context each time (a first visit)."""
    db = db or DEMO_DATABASE
    if not db.exists():
        from leadfunnel.demo import build_demo_database

        build_demo_database(db)
    dashboard_port, hello_port, sidebar_port = free_port(), free_port(), free_port()
    dashboard = start_server(db, dashboard_port)
    hello = start_server(db, hello_port, script=str(HELLO))
    sidebar_only = start_server(db, sidebar_port, script=str(HELLO_SIDEBAR))
    try:
        targets = {"hello world": f"http://127.0.0.1:{hello_port}/",
                   "hello world with the sidebar's widgets": f"http://127.0.0.1:{sidebar_port}/"}
        # the funnel is the home page, opened at / as the app's own links do
        targets |= {page: f"http://127.0.0.1:{dashboard_port}/{'' if page == 'funnel' else page}" for page in pages}
        if "funnel" in pages:  # the same page at its own address: no base-path probe (server.py names the root)
            targets["funnel at /funnel"] = f"http://127.0.0.1:{dashboard_port}/funnel"
        with ThreadPoolExecutor(1) as pool:  # its own thread: a caller may already run an event loop (pytest)
            openings = pool.submit(asyncio.run, _drive(targets, rounds, cached)).result()
    finally:
        for server in (dashboard, hello, sidebar_only):
            server.terminate()
            server.wait(20)
    reference = openings["hello world"].median("first_number")
    summary = {}
    visit = "a new tab of a browser with the app's code cached" if cached else "a new browser context"
    print(f"First open in a new session ({visit}), median of {rounds} (s from navigation start)")
    print("| page | first number | × hello world | script started | script done | last run done | Plotly bundle in |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, opening in openings.items():
        row = {key: opening.median(key) for key in PHASES}
        row["ratio"] = row["first_number"] / reference if reference else None
        summary[name] = row
        cells = [_seconds(row[key]) for key in ("first_number",)] + [f"{row['ratio']:.2f}" if row["ratio"] else "–"]
        cells += [_seconds(row[key]) for key in PHASES[1:]]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return summary


def _seconds(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "–"
