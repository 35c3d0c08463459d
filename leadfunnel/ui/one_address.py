"""One address for the browser: a page opened at its own address (`/sla`) connects to the server at once.

Streamlit's page does not know where its server's root is: opened at `/sla`, it first asks `/sla/_stcore/health`,
which fails, waits its fixed 100 ms retry period and then asks `/_stcore/health` — on every first open of a page
other than the home page (bench/RESULTS.md, "first open": the "funnel at /funnel" row). The server knows its root,
so each page it serves names it, in the host settings Streamlit's page reads before it connects
(`window.__streamlit.BACKEND_BASE_URL`, meant for hosts that embed Streamlit). Only the page's HTML changes; every
other response passes through untouched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Streamlit's own routes under the server's root: never a page.
_STREAMLIT_ROUTES = ("_stcore/", "static/", "component/", "media/", "app/static/", "auth/", "oauth2callback")


def root_script(base_path: str) -> bytes:
    """The script that names the server's root (`base_path`: Streamlit's server.baseUrlPath, "" for none)."""
    root = "/" + "".join(f"{part}/" for part in base_path.split("/") if part)
    return f"<script>window.__streamlit = {{BACKEND_BASE_URL: location.origin + {json.dumps(root)}}};</script>".encode()


class OneAddress:
    """ASGI middleware: a page's HTML gets `root_script` at the top of its head; everything else passes through."""

    def __init__(self, app: ASGIApp, base_path: Callable[[], str]) -> None:
        self.app = app
        self.base_path = base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        base = self.base_path().strip("/")
        path = scope.get("path", "").lstrip("/")
        if base and (path == base or path.startswith(base + "/")):
            path = path[len(base):].lstrip("/")
        if scope["type"] != "http" or scope["method"] != "GET" or path.startswith(_STREAMLIT_ROUTES):
            await self.app(scope, receive, send)
            return
        # The page uncompressed (a few KB), so its head can be found; its other responses are sent as they come.
        headers = [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"]
        await self.app({**scope, "headers": headers}, receive, _PageWriter(send, root_script(base)))


class _PageWriter:
    """Passes a response on; an HTML one is held until it is whole, then sent with the script in its head."""

    def __init__(self, send: Send, script: bytes) -> None:
        self.send = send
        self.script = script
        self.start: Message | None = None
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = dict(message.get("headers", [])).get(b"content-type", b"")
            if content_type.startswith(b"text/html") and message.get("status") == 200:
                self.start = message  # held until the body is whole
                return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body.extend(message.get("body", b""))
        if message.get("more_body"):
            return
        page = bytes(self.body).replace(b"<head>", b"<head>" + self.script, 1)
        headers = [(name, value) for name, value in self.start.get("headers", []) if name != b"content-length"]
        await self.send({**self.start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
        await self.send({"type": "http.response.body", "body": page})


@asynccontextmanager
async def opening_the_browser(app: Any) -> AsyncIterator[None]:
    """`st.App` lifespan: open the dashboard in the browser once the server starts, as `streamlit run` of a script
    does (not when headless: a server, CI)."""
    import webbrowser

    from streamlit import config

    if not config.get_option("server.headless"):
        address = config.get_option("browser.serverAddress") or "localhost"
        base = "".join(f"/{part}" for part in config.get_option("server.baseUrlPath").split("/") if part)
        webbrowser.open(f"http://{address}:{config.get_option('server.port')}{base}")
    yield
