"""Which channels earn the pipeline: multi-touch attribution, and what each result cost.

A converted lead's credit (exactly 1.0) is spread over its touches — its creation and the marketing activities up to
the conversion — by one of five models; a channel's credit is the sum over the leads converted in the period
(queries/attribution/credit.sql holds the definitions). Spend (queries/attribution/spend.sql) is per month, channel
and campaign; a period covering part of a month carries that share of its days. Every model is computed at once, so
the page switches models without a query.

Cost per result = spend ÷ credit under the model; ROI = the won amount credited under the model ÷ spend. A ratio
without a result or without spend is missing (None), never a division error. Spend is not split by industry,
company size or owner: with one of those filters the spend ratios are left out (`spend_applies`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner

Model = Literal["first_touch", "last_touch", "linear", "position_based", "time_decay"]
MODELS: tuple[Model, ...] = ("first_touch", "last_touch", "linear", "position_based", "time_decay")
Outcome = Literal["mql", "sql", "opportunity", "won"]
OUTCOMES: tuple[Outcome, ...] = ("mql", "sql", "opportunity", "won")
COST_OUTCOMES = ("lead", "mql", "sql", "won")  # cost per lead, per MQL, per SQL, per won deal
DEFAULT_MODEL: Model = "linear"  # the simplest multi-touch model, shown beside first touch
DEFAULT_OUTCOME: Outcome = "sql"  # what the alignment meeting argues about


@dataclass(frozen=True)
class Attribution:
    """Credit per outcome, model and channel (and campaign) for one view, with the view's spend."""

    credits: pl.DataFrame  # outcome, model, channel, credit, amount
    campaigns: pl.DataFrame  # outcome, model, channel, campaign, credit, amount
    monthly: pl.DataFrame  # outcome, model, channel, month (of the conversion), credit, amount
    converted: dict[str, int]  # outcome → leads converted in the period
    spend: pl.DataFrame  # month, channel, campaign, spend (prorated to the period), amount
    spend_applies: bool  # False under an industry, size or owner filter (spend is not split by them)

    @property
    def has_spend(self) -> bool:
        return self.spend_applies and self.spend.height > 0

    @property
    def has_campaigns(self) -> bool:
        return self.campaigns["campaign"].drop_nulls().len() > 0

    def channels(self, model: Model, outcome: Outcome) -> pl.DataFrame:
        """Per channel under `model` beside first touch: credit, share of the converted leads, credited amount
        (won only), spend, cost per conversion and ROI; channels with spend but no result are listed too."""
        chosen = self._credit(outcome, model).select("channel", "credit", "amount")
        first = self._credit(outcome, "first_touch").select("channel", first_touch_credit="credit")
        spent = self._spend_by_channel()
        won = self._credit("won", model).select("channel", won_amount="amount")
        converted = self.converted.get(outcome, 0)
        frame = (chosen.join(first, on="channel", how="full", coalesce=True)
                 .join(spent, on="channel", how="full", coalesce=True)
                 .join(won, on="channel", how="left")
                 .with_columns(pl.col("credit", "first_touch_credit").fill_null(0.0)))
        credited = (pl.col("credit") > 0) | (pl.col("first_touch_credit") > 0)
        frame = frame.filter(credited | pl.col("spend").is_not_null())
        return frame.with_columns(
            share=_ratio(pl.col("credit"), pl.lit(float(converted))),
            first_touch_share=_ratio(pl.col("first_touch_credit"), pl.lit(float(converted))),
            amount=pl.col("amount") if outcome == "won" else pl.lit(None, pl.Float64),
            cost_per_conversion=_ratio(pl.col("spend"), pl.col("credit")),
            roi=_ratio(pl.col("won_amount"), pl.col("spend")),
        ).select("channel", "credit", "share", "first_touch_credit", "first_touch_share", "amount", "spend",
                 "cost_per_conversion", "roi").sort(["credit", "spend", "channel"], descending=[True, True, False],
                                                    nulls_last=True)

    def costs(self, model: Model) -> pl.DataFrame:
        """Per channel with spend: spend, cost per lead, MQL, SQL and won deal under `model`, and ROI."""
        spent = self._spend_by_channel()
        for outcome in COST_OUTCOMES:
            spent = spent.join(self._credit(outcome, model).select("channel", pl.col("credit").alias(outcome)),
                               on="channel", how="left")
        won = self._credit("won", model).select("channel", won_amount="amount")
        return spent.join(won, on="channel", how="left").select(
            "channel", "spend",
            *[_ratio(pl.col("spend"), pl.col(outcome)).alias(f"cost_per_{outcome}") for outcome in COST_OUTCOMES],
            roi=_ratio(pl.col("won_amount"), pl.col("spend")),
        ).sort("spend", descending=True)

    def campaign_credit(self, model: Model, outcome: Outcome) -> pl.DataFrame:
        """Per channel and campaign (None: touches without a campaign) under `model`."""
        return (self.campaigns.filter((pl.col("outcome") == outcome) & (pl.col("model") == model))
                .select("channel", "campaign", "credit", "amount")
                .sort(["credit", "channel"], descending=[True, False]))

    def spend_and_pipeline(self, model: Model) -> pl.DataFrame:
        """Per month: the spend (prorated to the period) and the opportunity amount credited under `model` to the
        channels that have spend — what the spend bought, month by month."""
        if not self.has_spend:
            return pl.DataFrame(schema={"month": pl.String, "spend": pl.Float64, "pipeline": pl.Float64})
        spent = self.spend.group_by("month").agg(pl.col("spend").sum())
        channels = self.spend["channel"].unique().to_list()
        pipeline = (self.monthly.filter((pl.col("outcome") == "opportunity") & (pl.col("model") == model)
                                        & pl.col("channel").is_in(channels))
                    .group_by("month").agg(pipeline=pl.col("amount").sum()))
        return spent.join(pipeline, on="month", how="full", coalesce=True).sort("month")

    def _credit(self, outcome: str, model: str) -> pl.DataFrame:
        """Per channel: credit and credited amount of one outcome under one model."""
        return self.credits.filter((pl.col("outcome") == outcome) & (pl.col("model") == model))

    def _spend_by_channel(self) -> pl.DataFrame:
        if not self.spend_applies:
            return pl.DataFrame(schema={"channel": pl.String, "spend": pl.Float64})
        return self.spend.group_by("channel").agg(pl.col("spend").sum())


def attribution(runner: QueryRunner, filters: Filters) -> Attribution:
    """Every model's credit for the view's period and segments, for each outcome (and leads, for cost per lead)."""
    rows = runner.run("attribution/credit", {"outcomes": ["lead", *OUTCOMES], "date_from": filters.date_from,
                                             "date_to": filters.date_to, **filters.segment_params()})
    counts = rows.filter(pl.col("level") == "converted")
    spend_applies = not (filters.industries or filters.company_sizes or filters.owners)
    spend = runner.run("attribution/spend", {"date_from": filters.date_from, "date_to": filters.date_to,
                                             "channels": list(filters.channels)})
    return Attribution(
        credits=rows.filter(pl.col("level") == "channel").select("outcome", "model", "channel", "credit", "amount"),
        campaigns=rows.filter(pl.col("level") == "campaign").select("outcome", "model", "channel", "campaign",
                                                                    "credit", "amount"),
        monthly=rows.filter(pl.col("level") == "month").select("outcome", "model", "channel", "month", "credit",
                                                               "amount"),
        converted={row["outcome"]: row["converted"] for row in counts.iter_rows(named=True)},
        spend=spend,
        spend_applies=spend_applies,
    )


def attribution_report(runner: QueryRunner, filters: Filters, model: Model, outcome: Outcome) -> dict[str, Any]:
    """The CLI's JSON: the model, the outcome, the period, the converted leads and each channel's figures."""
    result = attribution(runner, filters)
    table = result.channels(model, outcome)  # amount only for won, spend ratios empty without spend: as the page
    return {
        "model": model, "outcome": outcome,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "converted": result.converted.get(outcome, 0),
        "channels": table.select("channel", "credit", "share", "amount", "spend", "cost_per_conversion",
                                 "roi").to_dicts(),
    }


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator ÷ denominator, missing when either is missing or the denominator is 0."""
    return pl.when(denominator.is_not_null() & (denominator != 0)).then(numerator / denominator).otherwise(None)
