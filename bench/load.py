"""Bounded load test: N browser sessions on one dashboard, each changing filters and sliders for a while.

    python -m bench load --leads 100000 --sessions 8 --seconds 60
    python -m bench load --db bench/out/1m/bench.duckdb --sessions 5    # on data kept by `bench run --keep`

Starts `streamlit run` on localhost over a demo database of that size, opens N Playwright contexts in
Debian's chromium, and in each one loops: switch the funnel mode, open Scoring, move the threshold
slider, go back. Every interaction is timed in the page, from the action to Streamlit's script state
going back to idle plus two animation frames (the chart painted); the bytes the server sent over the
WebSocket in that time are counted. At the end each session checks it still shows its own channel
filter. Prints p50/p95 per interaction, errors, bytes per rerun and the server's resident memory.
Only loopback traffic; the loop stops by itself.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "bench" / "out"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WATCH_RERUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__lf && window.__lf.observer) window.__lf.observer.disconnect();
    const state = () => app.getAttribute('data-test-script-state');
    // a run still going (a follow-up rerun) is interrupted by the next one and ends with it
    window.__lf = {sawRun: state() === 'running', doneAt: 0, start: performance.now()};
    window.__lf.observer = new MutationObserver(() => {
        if (state() === 'running') window.__lf.sawRun = true;
        else if (state() === 'notRunning' && window.__lf.sawRun && !window.__lf.doneAt)
            window.__lf.doneAt = performance.now();
    });
    window.__lf.observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
PAINTED = ("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
           "() => r(performance.now() - window.__lf.start))))")


@dataclass
class Session:
    number: int
    channel: str
    timings: dict[str, list[float]] = field(default_factory=dict)
    sent_bytes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept_own_state: bool = False
    received: int = 0
    unobserved: int = 0  # interactions whose rerun was not seen (the app was idle after them): not timed


def ensure_database(leads: int) -> Path:
    path = OUT / f"load-{leads}.duckdb"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "leadfunnel", "demo", "--leads", str(leads), "--db", str(path)],
                       cwd=PROJECT, check=True)
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def lead_count(path: Path) -> int:
    return _rows(path, "SELECT count(*) FROM leads")[0][0]


def channels_in(path: Path) -> list[str]:
    return [c for (c,) in _rows(path, "SELECT DISTINCT channel FROM leads ORDER BY 1")]


def start_server(db: Path, port: int, script: str = "server.py") -> subprocess.Popen:
    """`streamlit run` of `script` (by default the dashboard's server, as `make run` starts it) on loopback over
    `db`; returns once it is healthy."""
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / f"load-server-{port}.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT, env={**os.environ, "LEADFUNNEL_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the dashboard did not start")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def timed(page, session: Session, name: str, action) -> None:
    """Run one interaction and record its time to idle-and-painted, and the bytes received meanwhile."""
    await page.evaluate(WATCH_RERUNS)  # on the current app root: a page switch may have replaced it
    received_before, started = session.received, time.perf_counter()
    await action()
    try:
        await page.wait_for_function("() => !window.__lf || window.__lf.doneAt > 0", timeout=20_000, polling=20)
        if await page.evaluate("() => !window.__lf"):  # the action opened a new document: time it from here
            await page.wait_for_selector(IDLE, timeout=60_000)
            elapsed = (time.perf_counter() - started) * 1000
        else:
            elapsed = await page.evaluate(PAINTED)
    except Exception:
        try:  # no run seen starting and ending: only an error if the app is not idle by now
            await page.wait_for_selector(IDLE, timeout=40_000)
            session.unobserved += 1
            return
        except Exception as error:
            session.errors.append(f"{name}: no rerun finished ({type(error).__name__}) at {page.url}")
            return
    session.timings.setdefault(name, []).append(elapsed)
    session.sent_bytes.append(session.received - received_before)
    if await page.locator('[data-testid="stException"]').count():
        session.errors.append(f"{name}: exception on the page")


async def slider_move(page, session: Session, thumb, key: str) -> None:
    """Move the threshold slider one step and time two things from the key press, each until painted:
    - `scoring threshold slider: marker`: the curve's marker at the new threshold (moved in the browser);
    - `scoring threshold slider: rerun`: the score histogram's threshold line there — the numbers above it and the
      charts are the server's answer (the slider reruns only its fragment, which leaves the app's script state
      alone: the histogram is the signal).
    """
    before, received_before = int(await thumb.input_value()), session.received
    await page.evaluate("() => { window.__lf.start = performance.now(); }")
    await thumb.press(key)
    wanted = int(await thumb.input_value())
    if wanted == before:  # at an end of the scale
        return
    label = page.locator(".st-key-threshold_curve .marker-label")
    for name, signal in (("marker", lambda: label.filter(has_text=f"threshold {wanted}").wait_for(timeout=60_000)),
                         ("rerun", lambda: page.wait_for_function(
                             "wanted => [...document.querySelectorAll('.js-plotly-plot')]"
                             ".some(chart => chart.textContent.includes('threshold ' + wanted))",
                             arg=wanted, timeout=60_000, polling=20))):
        try:
            await signal()
        except Exception as error:
            session.errors.append(f"scoring threshold slider: the {name} never showed {wanted} "
                                  f"({type(error).__name__})")
            return
        session.timings.setdefault(f"scoring threshold slider: {name}", []).append(await page.evaluate(PAINTED))
    session.sent_bytes.append(session.received - received_before)


async def run_session(browser, base: str, session: Session, seconds: float) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = await context.new_page()

    def count(payload: str | bytes) -> None:
        session.received += len(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    page.on("pageerror", lambda error: session.errors.append(f"page error: {error}"))
    await page.goto(f"{base}/?channel={session.channel}")
    await page.wait_for_selector(IDLE, timeout=120_000)
    await page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    rng = random.Random(session.number)
    deadline = time.monotonic() + seconds
    other_mode = page.locator('.st-key-mode [data-testid="stRadioOption"]:not([data-selected="true"])')
    thumb = (page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text("Hand-over threshold (points)"))
             .locator('input[type="range"]'))
    try:
        while time.monotonic() < deadline:
            await timed(page, session, "filter: funnel mode", lambda: other_mode.first.click())
            await timed(page, session, "open Scoring page",
                        lambda: page.get_by_role("link", name="Scoring").click())
            await thumb.wait_for(state="attached", timeout=120_000)
            for _ in range(2):
                await thumb.focus()
                await slider_move(page, session, thumb, rng.choice(["ArrowRight", "ArrowLeft"]))
            await timed(page, session, "open Funnel page", lambda: page.get_by_role("link", name="Funnel").click())
        session.kept_own_state = await _url_keeps(page, f"channel={session.channel}")
    except Exception as error:  # recorded as the run's error, with the page as it was
        session.errors.append(f"session {session.number} stopped: {type(error).__name__}: {str(error)[:200]}")
    OUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUT / f"load-session-{session.number}.png"))
    await context.close()


async def _url_keeps(page, parameter: str) -> bool:
    """Whether the page's address comes to hold `parameter`: the page writes its view into the URL during its run,
    which may not have started when the last interaction's wait ended (read at once, a run still to come looked
    like a session that lost its filter)."""
    try:
        await page.wait_for_function("(parameter) => location.search.includes(parameter)", arg=parameter,
                                     timeout=20_000)
    except Exception:
        return False
    return True


async def drive(base: str, channels: list[str], sessions: int, seconds: float) -> list[Session]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        crowd = [Session(i, channels[i % len(channels)]) for i in range(sessions)]
        await asyncio.gather(*(run_session(browser, base, s, seconds) for s in crowd))
        await browser.close()
    return crowd


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(leads: int, sessions: int, seconds: float, port: int | None = None, db: Path | None = None) -> dict:
    """Run the load test and return its summary (also printed); on `db` if given, else a demo of `leads` leads."""
    port = port or free_port()
    db = db or ensure_database(leads)
    server = start_server(db, port)
    peak = [resident_mib(server.pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            peak.append(resident_mib(server.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with ThreadPoolExecutor(1) as pool:  # its own thread: a caller may already run an event loop (pytest)
            crowd = pool.submit(asyncio.run, drive(f"http://127.0.0.1:{port}", channels_in(db), sessions,
                                                   seconds)).result()
        settled = resident_mib(server.pid)
    finally:
        stop.set()
        server.terminate()
        server.wait(20)
    timings: dict[str, list[float]] = {}
    for session in crowd:
        for name, values in session.timings.items():
            timings.setdefault(name, []).extend(values)
    sent = [b for s in crowd for b in s.sent_bytes]
    summary = {
        "leads": leads, "sessions": sessions, "seconds": seconds,
        "interactions": {name: {"count": len(v), "p50_ms": round(statistics.median(v)),
                                "p95_ms": round(percentile(v, 0.95))} for name, v in sorted(timings.items())},
        "errors": [e for s in crowd for e in s.errors],
        "untimed_interactions": sum(s.unobserved for s in crowd),
        "sessions_kept_own_state": sum(s.kept_own_state for s in crowd),
        "received_per_rerun_kib": {"p50": round(statistics.median(sent) / 1024, 1),
                                   "max": round(max(sent) / 1024, 1)} if sent else {},
        "server_rss_mib": {"peak": round(max(peak)), "end": round(settled)},
    }
    print(f"{sessions} sessions × {seconds:.0f} s on {lead_count(db):,} leads ({db.name})")
    print(f"{'interaction':<28}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for name, row in summary["interactions"].items():
        print(f"{name:<28}{row['count']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}")
    print(f"errors: {len(summary['errors'])} {summary['errors'][:5]}; "
          f"interactions not timed (rerun not seen, app idle): {summary['untimed_interactions']}")
    print(f"sessions that kept their own filter: {summary['sessions_kept_own_state']}/{sessions}")
    print(f"received per rerun (KiB): {summary['received_per_rerun_kib']}")
    print(f"server resident memory (MiB): {summary['server_rss_mib']}")
    return summary
