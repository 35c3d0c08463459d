"""Suggest points per activity type from history: a logistic regression on activity counts.

Each lead's counts are taken before its outcome (or before the as-of instant if it never reached it),
so the model sees what marketing could see at hand-over time. Sales-touch types are left out: they
follow the hand-over rather than predict it. Leads are split by creation time (older ones train,
the newest ones are the holdout), as the rules will be used on future leads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from leadfunnel.i18n import LocalizedError, Message
from leadfunnel.model import activity_label
from leadfunnel.scoring.backtest import History, Outcome
from leadfunnel.scoring.rules import SALES_TOUCH_TYPES, RuleSet

HOLDOUT_SHARE = 0.3


class NotEnoughHistory(LocalizedError):
    """Too few leads or outcomes to learn from; the message (a catalogue key) says what is missing."""


@dataclass(frozen=True)
class Suggestion:
    points: dict[str, float]  # suggested points per activity type, scaled to the current rules
    coefficients: dict[str, float]  # the model's log-odds per activity, for the curious
    holdout_auc_current: float
    holdout_auc_suggested: float
    train_leads: int
    holdout_leads: int

    def against(self, current: RuleSet) -> pl.DataFrame:
        """Activity type (the reader's label), its current and its suggested points; most suggested first."""
        return pl.DataFrame({
            "activity_type": [activity_label(kind) for kind in self.points],
            "current": [current.points.get(kind, 0.0) for kind in self.points],
            "suggested": list(self.points.values()),
        }).sort("suggested", descending=True)


def activity_counts(history: History, outcome: Outcome) -> tuple[pl.DataFrame, list[str]]:
    """One row per lead: created_at, label (reached the outcome), counts per type before the cut-off."""
    outcome_at = pl.col(f"{outcome}_at")
    leads = history.leads.select(
        "lead_id", "created_at",
        label=(outcome_at < history.as_of).fill_null(False),
        cutoff=pl.when(outcome_at < history.as_of).then(outcome_at).otherwise(pl.lit(history.as_of)),
    )
    events = (history.events.filter(~pl.col("activity_type").is_in(list(SALES_TOUCH_TYPES)))
              .join(leads.select("lead_id", "cutoff"), on="lead_id")
              .filter(pl.col("occurred_at") < pl.col("cutoff")))
    types = sorted(events["activity_type"].unique().to_list())
    counts = events.pivot(on="activity_type", index="lead_id", values="occurred_at", aggregate_function="len")
    frame = leads.join(counts, on="lead_id", how="left").with_columns(
        [pl.col(t).fill_null(0).cast(pl.Float64) for t in types])
    return frame.sort("created_at", "lead_id"), types


def suggest_points(history: History, current: RuleSet, outcome: Outcome = "sql") -> Suggestion:
    frame, types = activity_counts(history, outcome)
    if not types:
        raise NotEnoughHistory("learn.no_activities")
    split = int(frame.height * (1 - HOLDOUT_SHARE))
    train, holdout = frame[:split], frame[split:]
    for part, name in ((train, "learn.training"), (holdout, "learn.holdout")):
        labels = part["label"].sum()
        if labels < 5 or labels == part.height:
            raise NotEnoughHistory("learn.too_few_outcomes", part=Message(name), outcome=outcome.upper())
    x_train, x_holdout = train.select(types).to_numpy(), holdout.select(types).to_numpy()
    model = LogisticRegression(max_iter=2000, class_weight="balanced")
    model.fit(x_train, train["label"].to_numpy())
    coefficients = dict(zip(types, model.coef_[0].tolist(), strict=True))
    largest_now = max((abs(p) for p in current.points.values()), default=0) or 100.0
    largest_fit = max(coefficients.values())
    scale = largest_now / largest_fit if largest_fit > 0 else 0.0
    points = {t: round(max(c, 0.0) * scale) for t, c in coefficients.items()}
    current_weights = np.array([current.points.get(t, 0.0) for t in types])
    y_holdout = holdout["label"].to_numpy()
    return Suggestion(
        points={t: float(p) for t, p in points.items()},
        coefficients=coefficients,
        holdout_auc_current=float(roc_auc_score(y_holdout, x_holdout @ current_weights)),
        holdout_auc_suggested=float(roc_auc_score(y_holdout, model.decision_function(x_holdout))),
        train_leads=train.height,
        holdout_leads=holdout.height,
    )
