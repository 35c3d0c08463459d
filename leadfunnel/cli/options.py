"""The options and choices the commands share, so every command spells --db, --from, --as-of … alike."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import typer

from leadfunnel.attribution import DEFAULT_MODEL, DEFAULT_OUTCOME

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

class ModelChoice(StrEnum):
    """The attribution models (leadfunnel.attribution.MODELS; tests/cli check the two agree)."""

    first_touch = "first_touch"
    last_touch = "last_touch"
    linear = "linear"
    position_based = "position_based"
    time_decay = "time_decay"


class OutcomeChoice(StrEnum):
    """The conversions attribution credits (leadfunnel.attribution.OUTCOMES)."""

    mql = "mql"
    sql = "sql"
    opportunity = "opportunity"
    won = "won"


class ScoringOutcomeChoice(StrEnum):
    """What a lead caught by the hand-over threshold must reach afterwards (leadfunnel.scoring.backtest.Outcome)."""

    sql = "sql"
    won = "won"


DEFAULT_MODEL_CHOICE, DEFAULT_OUTCOME_CHOICE = ModelChoice(DEFAULT_MODEL), OutcomeChoice(DEFAULT_OUTCOME)


def date_of(value: datetime | None) -> date | None:
    """The day of a --from / --to option: typer parses days as datetimes."""
    return value.date() if value else None
