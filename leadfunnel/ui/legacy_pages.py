"""Guard against Streamlit's legacy `pages/` folder mode.

Streamlit treats a `pages/` folder beside the entry script as the old multipage layout until the
entry script has called `st.navigation` once in the process. Until then a request for a page URL
(a shared link to /channels opened on a freshly started server, and every AppTest rerun) runs the
page file alone, without the entry script's sidebar — and nothing would ever call `st.navigation`.
Pages call `leave_legacy_pages_mode()` first: it switches the process to `st.navigation` mode and
reruns, so the entry script runs and then runs the requested page. The entry script calls it first too:
a request for `/` in that mode runs the entry script under another page id than every later run, so
the next run lost the link's choices (language, radios).
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def leave_legacy_pages_mode() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
