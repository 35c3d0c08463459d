"""Learned weights: on synthetic history where one activity type drives the outcome, it gets the most points."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from leadfunnel.scoring.backtest import History
from leadfunnel.scoring.learn import NotEnoughHistory, suggest_points
from leadfunnel.scoring.rules import DEFAULT_RULES

START = datetime(2025, 1, 1)
TYPES = ("email_open", "page_view", "webinar_attended", "whitepaper_download", "sales_call")


def synthetic_history(leads: int = 600, seed: int = 3) -> History:
    rng = np.random.default_rng(seed)
    lead_rows, events = [], []
    for i in range(leads):
        created = START + timedelta(hours=12 * i)
        counts = {t: int(rng.poisson(2)) for t in TYPES}
        # Only webinars make a lead likely to reach SQL; sales calls come after the SQL (and are ignored).
        reached = rng.random() < 1 / (1 + np.exp(2.0 - 1.5 * counts["webinar_attended"]))
        sql_at = created + timedelta(days=20) if reached else None
        lead_rows.append({"lead_id": f"L{i:04d}", "channel": "seo", "industry": None, "company_size": None,
                          "owner": None, "company": None, "created_at": created, "mql_at": sql_at,
                          "sql_at": sql_at, "won_at": None})
        for activity_type, n in counts.items():
            day = 25 if activity_type == "sales_call" else 1
            events += [(f"L{i:04d}", created + timedelta(days=day, hours=k), activity_type) for k in range(n)]
    return History(
        as_of=START + timedelta(days=400),
        leads=pl.DataFrame(lead_rows, schema_overrides={"mql_at": pl.Datetime("us"), "sql_at": pl.Datetime("us"),
                                                       "won_at": pl.Datetime("us"), "industry": pl.String,
                                                       "company_size": pl.String, "owner": pl.String,
                                                       "company": pl.String}),
        events=pl.DataFrame(events, schema=["lead_id", "occurred_at", "activity_type"], orient="row")
        .sort("lead_id", "occurred_at"),
    )


def test_the_driving_type_gets_the_largest_suggested_weight():
    suggestion = suggest_points(synthetic_history(), DEFAULT_RULES)
    assert max(suggestion.points, key=suggestion.points.get) == "webinar_attended"
    assert suggestion.points["webinar_attended"] == 50  # scaled to the largest current weight (contact form)
    assert "sales_call" not in suggestion.points
    assert suggestion.holdout_auc_suggested > 0.75
    assert (suggestion.train_leads, suggestion.holdout_leads) == (420, 180)


def test_too_little_history_is_explained():
    history = synthetic_history(leads=8)
    with pytest.raises(NotEnoughHistory, match="at least 5 leads that reached SQL"):
        suggest_points(history, DEFAULT_RULES)
