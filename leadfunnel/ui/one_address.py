"""One address for the browser: a page opened at its own address (`/sla`) connects to the server at once.

Streamlit's page does not know where its server's root is: opened at `/sla`, it first asks `/sla/_stcore/health`,
which fails, waits its fixed 100 ms retry period and then asks `/_stcore/health` — on every first open of a page
other than the home page (bench/RESULTS.md, "first open": the "funnel at /funnel" row). The server knows its root,
so each page it serves names it, in the host settings Streamlit's page reads before it connects
(`window.__streamlit.BACKEND_BASE_URL`, meant for hosts that embed Streamlit). Only a page the browser navigates to
(it asks for `text/html`) is touched; the code, the data and Streamlit's own routes pass through as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def root_path(base_path: str) -> str:
    """The server's root path, `/` or `/<base>/` (`base_path`: Streamlit's server.baseUrlPath, "" for none)."""
    return "/" + "".join(f"{part}/" for part in base_path.split("/") if part)


def root_script(base_path: str) -> bytes:
    """The script that names the server's root."""
    root = json.dumps(root_path(base_path))
    return f"<script>window.__streamlit = {{BACKEND_BASE_URL: location.origin + {root}}};</script>".encode()


class OneAddress:
    """ASGI middleware: a page's HTML gets `root_script` at the top of its head; everything else passes through."""

    def __init__(self, app: ASGIApp, base_path: Callable[[], str]) -> None:
        self.app = app
        self.base_path = base_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        if scope["type"] != "http" or scope["method"] != "GET" or b"text/html" not in headers.get(b"accept", b""):
            await self.app(scope, receive, send)  # not a page: the code (compressed), data, Streamlit's routes
            return
        # The page uncompressed (a few KB), so its head can be found.
        uncompressed = [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"]
        await self.app({**scope, "headers": uncompressed}, receive, _PageWriter(send, root_script(self.base_path())))


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
