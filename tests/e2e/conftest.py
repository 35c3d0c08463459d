"""Browser tests: a real `streamlit run` on a free port, driven by Playwright with Debian's chromium.

Skipped with a visible reason where chromium is absent, except under CI, where that is a failure.
The server listens where .streamlit/config.toml says (localhost), as it does for users. Each test's
final state is saved as test-artifacts/<test>.png; a failing test's as test-artifacts/FAILED-<test>.png.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# The Data page's export upload box (its key is uploads, uploads1, …), not the spend.csv box above it.
EXPORT_UPLOADER = '[class*="st-key-uploads"] input[type="file"]'


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so the `page` fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must install it (make e2e-deps)")
        pytest.skip("browser tests skipped: Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run server.py` (the dashboard as `make run` serves it) on a free port, bound to the address in
    .streamlit/config.toml."""

    def __init__(self, db_file: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.log = ARTIFACTS / f"streamlit-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        env = {**os.environ, "LEADFUNNEL_DB": str(db_file), **env}
        env.pop("STREAMLIT_SERVER_ADDRESS", None)  # the project's default is what is tested
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(self.port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             # A developer's own sign-in settings must not put the suite behind a login page.
             "--secrets.files", str(PROJECT / "tests" / "e2e" / "no-secrets.toml")],
            cwd=PROJECT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def server(chromium_path: str, demo_db_file: Path) -> Iterator[Server]:
    """A fresh dashboard process per test module, on the demo data."""
    running = Server(demo_db_file)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def small_server(chromium_path: str, small_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A dashboard per test module on its own copy of the hand-made fixture (tests/fixtures/small): a user
    database, so the Data page imports into it, with numbers small enough to check by hand."""
    copy = Path(shutil.copy(small_db_file, tmp_path_factory.mktemp("small-e2e") / "small.duckdb"))
    running = Server(copy)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh browser tab; its last state is saved as a screenshot, under FAILED-… when the test failed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    opened = context.new_page()
    yield opened
    ARTIFACTS.mkdir(exist_ok=True)
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    name = request.node.name
    (ARTIFACTS / f"FAILED-{name}.png").unlink(missing_ok=True)  # a stale one from an earlier run
    try:
        opened.screenshot(path=str(ARTIFACTS / f"{'FAILED-' if failed else ''}{name}.png"), full_page=True)
    finally:
        context.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running, and stays finished (a rerun follows some runs) — including a new
    session's first-paint rerun, which draws the controls, tables and charts (its probe is gone after it)."""
    page.wait_for_timeout(150)
    page.locator(".st-key-lf_first_paint_probe").wait_for(state="detached", timeout=timeout)
    for _ in range(2):
        page.wait_for_selector(IDLE, timeout=timeout)
        page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_expander(page, label: str) -> None:
    """Open the expander with this label and wait for its 500 ms opening animation to end: until then its lower
    part is clipped, and a click aimed at a button there can land on what lies below it (a lost click)."""
    page.locator('[data-testid="stExpander"] summary').filter(has_text=label).first.click()
    page.wait_for_function("""() => !document.getAnimations().some(
        (a) => a.playState === 'running' && a.effect?.target?.tagName === 'DETAILS')""")


def metric_value(page, label: str) -> str:
    """The value of the metric with this label (first match), as shown."""
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def metric_number(page, label: str) -> float:
    """A metric as a number: `1,234` → 1234, `45.6%` → 45.6, `–` → nan."""
    text = metric_value(page, label).replace(",", "").replace("%", "").strip()
    return float("nan") if text in ("–", "") else float(text)


def wait_for_change(page, label: str, before: str, timeout: float = 20_000) -> str:
    """Wait until a metric shows something other than `before`, then for the run to finish; return it."""
    page.wait_for_function(
        """([label, before]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
             .some(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label
                        && m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() !== before)""",
        arg=[label, before], timeout=timeout)
    wait_idle(page)
    return metric_value(page, label)


def sidebar_link(page, name: str):
    return page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name)


@pytest.fixture(scope="module")
def sla_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A dashboard on the SLA fixture (tests/fixtures/sla), a user database whose policy a test may save."""
    from tests.conftest import fixture_database

    running = Server(fixture_database(tmp_path_factory.mktemp("sla-e2e"), "sla"))
    yield running
    running.stop()
