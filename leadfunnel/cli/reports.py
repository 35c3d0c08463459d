"""`report …`: funnel, channels, scores, SLA, aging, velocity and attribution as JSON, CSV or a table."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from leadfunnel.asof import cutoff, default_as_of
from leadfunnel.attribution import attribution_report
from leadfunnel.cli.opening import open_for_reading
from leadfunnel.cli.options import (
    AsOfOption,
    ByOption,
    ChannelOption,
    DbOption,
    FormatOption,
    FromOption,
    ModeChoice,
    ModelChoice,
    ModeOption,
    OutcomeChoice,
    OutputFormat,
    ScoringOutcomeChoice,
    ToOption,
    UnitChoice,
    date_of,
)
from leadfunnel.cli.output import fail, print_frame, write_csv
from leadfunnel.filters import Filters
from leadfunnel.pipeline.aging import aging_report, open_leads, stuck_list
from leadfunnel.pipeline.velocity import velocity, velocity_report
from leadfunnel.query import QueryRunner
from leadfunnel.reports import channel_frame, channels_report, funnel_frame, funnel_report
from leadfunnel.scoring.report import scores_report
from leadfunnel.scoring.rules import DEFAULT_RULES, MAX_RULES_NUMBER, RuleSetError, load_rules_file
from leadfunnel.scoring.scores import current_scores
from leadfunnel.sla.compliance import handovers, sla_report
from leadfunnel.sla.policy import AGING_STAGES, PolicyError, SlaPolicy, load_policy, stage_limits


def report_funnel(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                  mode: ModeOption = ModeChoice.cohort, channel: ChannelOption = None,
                  output: FormatOption = OutputFormat.json, by: ByOption = UnitChoice.lead) -> None:
    """Stage counts, conversion, drop-off and median days between stages."""
    _report(funnel_report, funnel_frame, db, date_from, date_to, mode, channel, output, by)


def report_channels(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                    mode: ModeOption = ModeChoice.cohort, channel: ChannelOption = None,
                    output: FormatOption = OutputFormat.json, by: ByOption = UnitChoice.lead) -> None:
    """Leads, MQL, SQL, won, the rates and won amount per first-touch channel."""
    _report(channels_report, channel_frame, db, date_from, date_to, mode, channel, output, by)


def _report(build: Callable[..., dict[str, Any]], frame_of: Callable[..., pl.DataFrame], db: str | None,
            date_from: datetime | None, date_to: datetime | None, mode: ModeChoice, channel: list[str] | None,
            output: OutputFormat, by: UnitChoice) -> None:
    """The funnel and channels reports share their options: JSON from the report, CSV or a table from its frame."""
    filters = Filters(date_from=date_of(date_from), date_to=date_of(date_to), channels=tuple(channel or ()),
                      unit=by.value)
    with open_for_reading(db) as runner:
        if output is OutputFormat.json:
            print(json.dumps(build(runner, filters, mode.value), ensure_ascii=False, indent=2))
        else:
            print_frame(frame_of(runner, filters, mode.value), output)


def report_scores(
    db: DbOption = None,
    rules_file: Annotated[Path | None, typer.Option("--rules", help="Rule set file (YAML or JSON, see README); "
                                                    "default: the guide's rules.")] = None,
    threshold: Annotated[float | None, typer.Option(help="Hand-over threshold (overrides the rule set's).")] = None,
    half_life: Annotated[float | None, typer.Option("--half-life", help="Recency decay half-life in days.")] = None,
    as_of: AsOfOption = None,
    outcome: Annotated[ScoringOutcomeChoice, typer.Option(help="What a caught lead must reach after crossing.")]
    = ScoringOutcomeChoice.sql,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (table: as csv).")]
    = OutputFormat.json,
    per_lead: Annotated[bool, typer.Option("--per-lead", help="Print lead_id,score for every lead instead.")]
    = False,
) -> None:
    """Lead scores at an as-of date and the point-in-time backtest of the hand-over threshold."""
    # Options first, so a bad option is named as such (not as the rules file, which may be absent).
    for value, key in ((threshold, "rules.threshold_option"), (half_life, "rules.half_life_option")):
        if value is not None and not (math.isfinite(value) and 0 < value <= MAX_RULES_NUMBER):
            raise fail(str(RuleSetError(key, limit=int(MAX_RULES_NUMBER))))
    try:
        rules = load_rules_file(rules_file) if rules_file else DEFAULT_RULES
    except (OSError, RuleSetError) as error:
        raise fail(f"{rules_file}: {error}") from None
    try:
        if threshold is not None:
            rules = rules.with_changes(threshold=threshold)
        if half_life is not None:
            rules = rules.with_changes(half_life_days=half_life)
    except RuleSetError as error:
        raise fail(str(error)) from None
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        if per_lead:
            write_csv(current_scores(runner, cutoff(instant), rules))
            return
        result = scores_report(runner, rules, instant, outcome.value)

    def finite(value: Any) -> Any:
        """NaN or ±inf become null: printed JSON stays JSON (Python would write NaN and Infinity)."""
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        return None if isinstance(value, float) and not math.isfinite(value) else value

    result = finite(result)
    if output is OutputFormat.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        flat = {k: v for k, v in result.items() if k != "backtest"} | result["backtest"]
        write_csv(pl.DataFrame([flat]))


class HandoverChoice(StrEnum):
    mql = "mql"
    sal = "sal"


def report_sla(
    db: DbOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    handover: Annotated[HandoverChoice | None, typer.Option(help="Hand-over event (default: the stored policy's).")]
    = None,
    deadline_hours: Annotated[float | None, typer.Option("--deadline-hours", min=0.01,
                                                         help="Follow-up deadline in hours.")] = None,
    business_hours: Annotated[bool | None, typer.Option("--business-hours/--calendar-hours",
                                                        help="Count working hours only (days, hours and "
                                                             "holidays from the stored policy).")] = None,
    as_of: AsOfOption = None,
    channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per hand-over).")]
    = OutputFormat.json,
) -> None:
    """Hand-over follow-up compliance: met, breached, overdue, pending, time to first touch."""
    filters = Filters(date_from=date_of(date_from), date_to=date_of(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        policy = _stored_policy_with(runner, handover=handover.value if handover else None,
                                     deadline_hours=deadline_hours, business_hours=business_hours)
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(sla_report(runner, filters, policy, instant), ensure_ascii=False, indent=2))
        else:
            write_csv(handovers(runner, filters, policy, instant))


def _stored_policy_with(runner: QueryRunner, **changes: object) -> SlaPolicy:
    """The stored SLA policy with the options given on the command line (None: not given); refused in one line."""
    try:
        return load_policy(runner.con).with_changes(**{k: v for k, v in changes.items() if v is not None})
    except PolicyError as error:
        raise fail(str(error)) from None


LIMIT = re.compile(r"^([a-z]+)=(\d+(?:\.\d+)?)$")


def _stage_limits(raw: list[str], stored: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """`--limit STAGE=DAYS` options over the stored limits, stage by stage."""
    limits = dict(stored)
    for option in raw:
        match = LIMIT.match(option.strip())
        if match is None:
            raise fail(f"--limit {option}: write STAGE=DAYS, e.g. mql=7 (stages: {', '.join(AGING_STAGES)})")
        limits[match[1]] = float(match[2])
    return stage_limits(limits) if set(limits) <= set(AGING_STAGES) else tuple(limits.items())


def report_aging(
    db: DbOption = None,
    as_of: AsOfOption = None,
    limit: Annotated[list[str] | None, typer.Option(help="Days allowed in a stage, STAGE=DAYS (repeatable; "
                                                        "overrides the stored SLA policy's limit).")] = None,
    business_days: Annotated[bool | None, typer.Option("--business-days/--calendar-days",
                                                       help="Count business days on the policy's calendar "
                                                            "(default: the stored policy's choice).")] = None,
    channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per stuck lead).")]
    = OutputFormat.json,
) -> None:
    """Stage aging: open leads per stage, and the leads stuck longer than the stage's limit (with a reason)."""
    filters = Filters(channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        stored = load_policy(runner.con)
        policy = _stored_policy_with(runner, stage_limits=_stage_limits(limit or [], stored.stage_limits),
                                     aging_business_days=business_days)
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(aging_report(runner, filters, policy, instant), ensure_ascii=False, indent=2))
        else:
            write_csv(stuck_list(open_leads(runner, filters, policy, instant)).select(
                "lead_id", "stage", "entered_at", "age_days", "limit_days", "reason", "owner", "channel", "company",
                "last_touch_at"))


def report_velocity(db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None,
                    as_of: AsOfOption = None, channel: ChannelOption = None,
                    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per "
                                                                  "channel).")] = OutputFormat.json) -> None:
    """Pipeline velocity: opportunities × win rate × average won amount ÷ average cycle days, and each factor."""
    filters = Filters(date_from=date_of(date_from), date_to=date_of(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        instant = as_of or default_as_of(runner)
        if output is OutputFormat.json:
            print(json.dumps(velocity_report(runner, filters, instant), ensure_ascii=False, indent=2))
        else:
            write_csv(velocity(runner, filters, instant).by_channel)


def report_attribution(
    model: Annotated[ModelChoice, typer.Option(help="How a converted lead's credit is spread over its touches.")],
    outcome: Annotated[OutcomeChoice, typer.Option(help="The conversion credited.")],
    db: DbOption = None, date_from: FromOption = None, date_to: ToOption = None, channel: ChannelOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or csv (one row per channel).")]
    = OutputFormat.json,
) -> None:
    """Multi-touch attribution: each channel's credit for the leads converted in the period, with spend ratios."""
    filters = Filters(date_from=date_of(date_from), date_to=date_of(date_to), channels=tuple(channel or ()))
    with open_for_reading(db) as runner:
        report = attribution_report(runner, filters, model.value, outcome.value)
    if output is OutputFormat.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        write_csv(pl.DataFrame(report["channels"], schema={
            "channel": pl.String, "credit": pl.Float64, "share": pl.Float64, "amount": pl.Float64,
            "spend": pl.Float64, "cost_per_conversion": pl.Float64, "roi": pl.Float64}))
