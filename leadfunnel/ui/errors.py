"""A part of the page that fails says so in the reader's language and the rest keeps working; the detail
(the traceback) goes to the server's log, never to the reader."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from leadfunnel.i18n import t

LOG = logging.getLogger("leadfunnel")
T = TypeVar("T")


def guarded(part: str, run: Callable[[], T], fallback: T) -> T:
    """`run()`, or — when it raises — a short message naming `part` (a catalogue key), the detail logged, and
    `fallback`. Streamlit's own stop and rerun signals are not errors and pass through."""
    try:
        return run()
    except Exception:
        LOG.exception("leadfunnel: %s failed", part)
        st.error(t("error.part_failed", part=t(part)), icon=":material/error:")
        return fallback
