"""The options and choices the commands share, so every command spells --db, --from, --as-of … alike."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import typer

from leadfunnel.attribution import DEFAULT_MODEL, DEFAULT_OUTCOME, MODELS, OUTCOMES

ISO_DAY = "%Y-%m-%d"
MODE_OPTION_HELP = "cohort: leads created in the period; period: stage entries that happened in it."

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database file, or a ducklake:/parquet: location (docs/scale.md); "
                                          "default: $LEADFUNNEL_DB or data/leadfunnel.duckdb.")
]


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


class ModeChoice(StrEnum):
    cohort = "cohort"
    period = "period"


FromOption = Annotated[datetime | None, typer.Option("--from", formats=[ISO_DAY], help="First day.")]
ToOption = Annotated[datetime | None, typer.Option("--to", formats=[ISO_DAY], help="Last day, inclusive.")]
ModeOption = Annotated[ModeChoice, typer.Option(help=MODE_OPTION_HELP)]
ChannelOption = Annotated[list[str] | None, typer.Option(help="Only this channel (repeatable).")]


class UnitChoice(StrEnum):
    lead = "lead"
    account = "account"


ByOption = Annotated[UnitChoice, typer.Option("--by", help="Count leads, or accounts (companies: the account id, "
                                                           "else the normalised company name).")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
AsOfOption = Annotated[datetime | None, typer.Option(
    "--as-of", formats=[ISO_DAY, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    help="The instant to judge at: what happened at or before it counts (a day alone: its start, 00:00). "
         "Default: the latest timestamp in the data, as on every page.")]

# The attribution's models and conversions; `report scores --outcome` takes these conversions too.
ModelChoice = StrEnum("ModelChoice", {model: model for model in MODELS})
OutcomeChoice = StrEnum("OutcomeChoice", {outcome: outcome for outcome in OUTCOMES})
DEFAULT_MODEL_CHOICE, DEFAULT_OUTCOME_CHOICE = ModelChoice(DEFAULT_MODEL), OutcomeChoice(DEFAULT_OUTCOME)


def date_of(value: datetime | None) -> date | None:
    """The day of a --from / --to option: typer parses days as datetimes."""
    return value.date() if value else None
