"""Safe by default: started as a user starts it, the dashboard answers on this machine and on no other address."""

from __future__ import annotations

import contextlib
import shutil
import socket
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Server


def outside_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (the ones colleagues on the network would use)."""
    found = set()
    with contextlib.suppress(OSError):
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


@pytest.fixture(scope="module")
def plain_server(small_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No browser needed here, so this runs where chromium is missing too."""
    running = Server(Path(shutil.copy(small_db_file, tmp_path_factory.mktemp("localhost") / "small.duckdb")))
    yield running
    running.stop()


def test_the_dashboard_listens_on_localhost_only(plain_server):
    with urllib.request.urlopen(f"http://127.0.0.1:{plain_server.port}/_stcore/health", timeout=5) as response:
        assert response.read() == b"ok"
    addresses = outside_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback address to try")
    for address in addresses:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.settimeout(3)
            with pytest.raises(OSError):  # refused: nothing listens there
                client.connect((address, plain_server.port))


def test_a_page_asks_nothing_of_the_internet(server, page):
    """Customer data stays on this machine, and so do the readers' page loads: no request leaves it (the tab's
    icon, a Material icon name, was fetched from fonts.gstatic.com on every load)."""
    elsewhere: list[str] = []

    def note(request) -> None:
        address = urllib.parse.urlsplit(request.url)  # data: and blob: URLs are made in the page itself
        if address.scheme in ("http", "https", "ws", "wss") and address.hostname not in ("localhost", "127.0.0.1"):
            elsewhere.append(request.url)

    page.on("request", note)
    page.goto(f"{server.url}/")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert elsewhere == []
    assert page.evaluate("document.querySelector('link[rel~=icon]').href").startswith(server.url)
