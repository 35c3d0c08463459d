"""Point-in-time lead scores: the score of every lead at an as-of instant, computed in DuckDB.

Without decay a score is a weighted count, so it comes from the per-lead rollup (one row per lead) less the
activities at or after the instant; with decay, or points on a type the rollup has no column for, every
activity is read (lead_scores.sql). Both give the same numbers (tests/unit/test_scoring.py). Which of the two
runs is decided here, and only here: the pages (through the session's cache), the SLA, the reports and the CLI
all call `current_scores`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl

from leadfunnel.model import ACTIVITY_TYPES
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet


def current_scores(runner: QueryRunner, as_of: datetime, rules: RuleSet | None = None,
                   lead_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """`lead_id, score` for every lead created before `as_of` (or only those in `lead_ids`), from activities
    strictly before it. The threshold plays no part."""
    return runner.run(*_score_query(as_of, rules or DEFAULT_RULES, lead_ids))


def _score_query(as_of: datetime, rules: RuleSet, lead_ids: Sequence[str] | None = None) -> tuple[str, dict[str, Any]]:
    """The query (the rollup's when it gives exact scores, else every activity's) and its parameters."""
    selection = {"as_of": as_of, "lead_ids": None if lead_ids is None else list(lead_ids)}
    if rollup_scores_apply(rules):
        return "scoring/lead_scores_rollup", selection | rollup_params(rules)
    return "scoring/lead_scores", selection | rules.params()


def rollup_scores_apply(rules: RuleSet) -> bool:
    """The rollup gives exact scores: no decay, and points only on types it has a column for."""
    return rules.half_life_days is None and all(t in ACTIVITY_TYPES for t, p in rules.points.items() if p)


def rollup_params(rules: RuleSet) -> dict[str, Any]:
    """The rules as lead_scores_rollup.sql's parameters: points and cap per canonical type, fit as lists."""
    general = rules.params()
    return {
        **{f"points_{t}": float(rules.points.get(t, 0.0)) for t in ACTIVITY_TYPES},
        **{f"cap_{t}": None if rules.caps.get(t) is None else float(rules.caps[t]) for t in ACTIVITY_TYPES},
        **{key: general[key] for key in ("fit_attributes", "fit_values", "fit_points")},
    }
