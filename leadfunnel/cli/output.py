"""What the commands print: messages on stderr, data as CSV or a table on stdout, never console markup."""

from __future__ import annotations

import math
import sys
from typing import Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from leadfunnel.cli.options import OutputFormat
from leadfunnel.export import neutralise_formulas

err = Console(stderr=True, soft_wrap=True)  # messages stay on one line for logs and scripts


def fail(message: str) -> typer.Exit:
    """`error: <message>` on stderr (the message as plain text: data in it is never console markup), exit code 1."""
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False)
    return typer.Exit(code=1)


def say(text: str) -> None:
    """A line for the reader on stderr: data in it is printed as it is, never read as console markup."""
    err.print(text, highlight=False, markup=False)


def write_csv(frame: pl.DataFrame) -> None:
    """CSV on stdout that a spreadsheet opens as data: text a spreadsheet would run as a formula is neutralised,
    as in the dashboard's downloads."""
    sys.stdout.write(neutralise_formulas(frame).write_csv())


def print_frame(frame: pl.DataFrame, output: OutputFormat) -> None:
    """A report's rows as CSV, or as a table for people (values wrap rather than being cut)."""
    if output is OutputFormat.csv:
        write_csv(frame)
        return
    table = Table(*(Column(name, overflow="fold") for name in frame.columns))  # long values wrap, never cut
    for row in frame.iter_rows():
        table.add_row(*(_cell(v) for v in row))
    Console().print(table)


def _cell(value: Any) -> Text:
    """A table cell as plain text: a stored value such as `[/bold]` is shown, never read as console markup."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Text("–")
    if isinstance(value, float):
        return Text(f"{value:,.3f}")
    return Text(str(value))
