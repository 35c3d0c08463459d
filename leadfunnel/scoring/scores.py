"""Point-in-time lead scores: the score of every lead at an as-of instant, computed in DuckDB."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from leadfunnel.query import QueryRunner
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet


def current_scores(runner: QueryRunner, as_of: datetime, rules: RuleSet | None = None) -> pl.DataFrame:
    """`lead_id, score` for every lead created before `as_of`, from activities strictly before it."""
    return runner.run("scoring/lead_scores", {"as_of": as_of, **(rules or DEFAULT_RULES).params()})
