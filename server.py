"""The dashboard's server: `streamlit run server.py` serves dashboard.py, each page at one address
(leadfunnel/ui/one_address.py: a page opened at its own address connects at once)."""

import streamlit as st
from starlette.middleware import Middleware

from leadfunnel.ui.one_address import OneAddress, opening_the_browser

app = st.App(
    "dashboard.py",
    middleware=[Middleware(OneAddress, base_path=lambda: st.get_option("server.baseUrlPath"))],
    lifespan=opening_the_browser,
)
