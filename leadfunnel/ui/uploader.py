"""File uploads whose dropzone speaks the reader's language.

Streamlit draws the uploader's button ("Upload") and its limit line ("200MB per file • CSV") itself and has no
parameter for them (streamlit/streamlit#13500). Outside English we paint catalogue text over both with CSS scoped
to the uploader's key, so a Japanese page has no English in its upload box. Remove this once Streamlit takes the
texts as parameters.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from leadfunnel.i18n import language, t


def file_uploader(container: DeltaGenerator, label: str, *, types: list[str], key: str, **options: Any) -> Any:
    """`container.file_uploader(...)` with its built-in texts translated (see the module docstring)."""
    if language() != "en":
        limit = int(st.get_option("server.maxUploadSize"))
        kinds = ", ".join(dict.fromkeys(kind.upper() for kind in types))
        st.html(dropzone_style(key, t("upload.button"), t("upload.limit", limit=limit, types=kinds)))
    return container.file_uploader(label, type=types, key=key, **options)


def dropzone_style(key: str, button: str, limit: str) -> str:
    """CSS replacing the dropzone's button text and limit line of the uploader with this key."""
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    return ("<style>"
            f"{scope} button [data-testid='stMarkdownContainer'] p,"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span {{font-size: 0; white-space: normal}}"
            f"{scope} button [data-testid='stMarkdownContainer'] p::after {{content: {css_string(button)};"
            " font-size: 0.875rem}"
            f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span::after {{content: {css_string(limit)};"
            " font-size: 0.875rem}"
            "</style>")


def css_string(text: str) -> str:
    """A CSS string literal: anything but letters, digits and spaces as a hex escape, so no text ends the rule."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
