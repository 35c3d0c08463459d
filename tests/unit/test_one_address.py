"""The server names its root in each page it serves (leadfunnel/ui/one_address.py); nothing else changes."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from leadfunnel.ui.one_address import OneAddress, root_script

PAGE = b"<!doctype html><html><head><title>x</title></head><body></body></html>"


def served(path: str, *, content_type: bytes = b"text/html; charset=utf-8", chunks: tuple[bytes, ...] = (PAGE,),
           method: str = "GET", base_path: str = "", status: int = 200,
           accept: bytes = b"text/html,application/xhtml+xml,*/*;q=0.8") -> tuple[dict, bytes, dict]:
    """What the browser gets for `path` from an app that answers with `chunks`; and the scope the app saw. The
    default `accept` is a browser's when it navigates to a page; its scripts and fetches ask for `*/*`."""
    seen: dict = {}

    async def app(scope, receive, send):
        seen.update(scope)
        length = str(sum(map(len, chunks))).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", length)]})
        for i, chunk in enumerate(chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1})

    messages: list[dict] = []

    async def send(message):
        messages.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": path,
             "headers": [(b"accept", accept), (b"accept-encoding", b"gzip, br"), (b"host", b"localhost:8501")]}
    middleware = OneAddress(app, base_path=lambda: base_path)
    with ThreadPoolExecutor(1) as thread:  # its own event loop: the browser tests may leave one running here
        thread.submit(asyncio.run, middleware(scope, receive, send)).result()
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start, body, seen


def test_a_page_names_the_servers_root_before_streamlits_code_runs():
    start, body, seen = served("/sla")
    assert body.startswith(b"<!doctype html><html><head><script>window.__streamlit = {BACKEND_BASE_URL: location.origin"
                           b' + "/"};</script><title>')
    assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()  # the length of what is sent
    assert b"accept-encoding" not in dict(seen["headers"])  # asked uncompressed, so its head can be found


def test_a_page_sent_in_parts_is_sent_whole_with_the_script():
    _, body, _ = served("/channels", chunks=(PAGE[:20], PAGE[20:]))
    assert body == PAGE.replace(b"<head>", b"<head>" + root_script(""))


def test_behind_a_base_path_the_root_is_that_path():
    assert root_script("/leadfunnel/") == (b'<script>window.__streamlit = {BACKEND_BASE_URL: location.origin + '
                                           b'"/leadfunnel/"};</script>')
    _, body, _ = served("/leadfunnel/sla", base_path="leadfunnel")
    assert b'"/leadfunnel/"' in body


def test_streamlits_own_routes_and_other_content_pass_through_untouched():
    script = b"console.log('<head>')"
    for path, content_type, chunks, accept in [
            ("/static/js/index.js", b"application/javascript", (script,), b"*/*"),
            ("/_stcore/health", b"text/plain", (b"ok",), b"*/*"),
            ("/sla", b"application/json", (b'{"<head>": 1}',), b"text/html"),
            ("/sla", b"text/html", (PAGE,), b"*/*")]:  # fetched, not navigated to: not a page
        start, body, seen = served(path, content_type=content_type, chunks=chunks, accept=accept)
        assert body == b"".join(chunks)
        assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    _, _, seen = served("/static/js/index.js", content_type=b"application/javascript", chunks=(script,),
                        accept=b"*/*")
    assert dict(seen["headers"])[b"accept-encoding"] == b"gzip, br"  # the code still comes compressed
    _, body, _ = served("/sla", method="POST")
    assert body == PAGE
    _, body, _ = served("/missing", status=404)
    assert body == PAGE
