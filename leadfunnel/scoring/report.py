"""The scores report (the CLI's JSON): scores and the backtest at the data's as-of instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadfunnel.asof import cutoff
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import Outcome
from leadfunnel.scoring.engine import engine_on
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.scoring.scores import current_scores


def scores_report(runner: QueryRunner, rules: RuleSet, as_of: datetime, outcome: Outcome = "sql") -> dict[str, Any]:
    """Everything at or before `as_of` counts (leadfunnel.asof)."""
    scores = current_scores(runner, cutoff(as_of), rules)
    result = engine_on(runner, cutoff(as_of), outcome=outcome).summary(rules)
    return {
        "as_of": as_of.isoformat(),
        "rule_set": rules.name,
        "threshold": rules.threshold,
        "half_life_days": rules.half_life_days,
        "leads": scores.height,
        "over_threshold": int((scores["score"] >= rules.threshold).sum()),
        "backtest": {key: value for key, value in result.as_dict().items() if key not in ("threshold", "leads")},
    }
