"""The scores report (CLI JSON and the page's headline numbers) and the default as-of instant."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import Outcome, backtest, load_history
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.scoring.scores import current_scores


def default_as_of(runner: QueryRunner) -> datetime:
    """The start of the day after the latest timestamp in the data, so every recorded event counts."""
    last_seen = runner.run("scoring/last_activity")["last_seen"][0]
    if last_seen is None:
        return datetime.combine(datetime.now().date(), time()) + timedelta(days=1)
    return datetime.combine(last_seen.date(), time()) + timedelta(days=1)


def scores_report(runner: QueryRunner, rules: RuleSet, as_of: datetime, outcome: Outcome = "sql") -> dict[str, Any]:
    scores = current_scores(runner, as_of, rules)
    result = backtest(load_history(runner, as_of), rules, outcome)
    return {
        "as_of": as_of.isoformat(),
        "rule_set": rules.name,
        "threshold": rules.threshold,
        "half_life_days": rules.half_life_days,
        "leads": scores.height,
        "over_threshold": int((scores["score"] >= rules.threshold).sum()),
        "backtest": {key: value for key, value in result.as_dict().items() if key not in ("threshold", "leads")},
    }
