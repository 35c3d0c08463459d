"""The dashboard's server: `streamlit run server.py` serves dashboard.py, each page at one address
(leadfunnel/ui/one_address.py: a page opened at its own address connects at once)."""

import webbrowser
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

from leadfunnel.ui.one_address import OneAddress, root_path


@asynccontextmanager
async def opening_the_browser(app: Any) -> AsyncIterator[None]:
    """Open the dashboard in the browser once the server starts, as `streamlit run` of a script does (not when
    headless: a server, CI)."""
    if not st.get_option("server.headless"):
        address = st.get_option("browser.serverAddress") or "localhost"
        webbrowser.open(f"http://{address}:{st.get_option('server.port')}{root_path(st.get_option('server.baseUrlPath'))}")
    yield


app = st.App(
    "dashboard.py",
    middleware=[Middleware(OneAddress, base_path=lambda: st.get_option("server.baseUrlPath"))],
    lifespan=opening_the_browser,
)
