"""The scoring page's lower sections: two saved rule sets side by side, and the weights learned from the data.

Drawing only: the numbers come from the scoring engine and `scoring.learn` through the session's caches.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from leadfunnel.filters import Filters
from leadfunnel.format import days, percent
from leadfunnel.i18n import day, localized, t
from leadfunnel.metrics import BACKTEST_METRICS, by_column
from leadfunnel.scoring.backtest import Outcome
from leadfunnel.scoring.engine import ScoringEngine
from leadfunnel.scoring.learn import NotEnoughHistory
from leadfunnel.scoring.rules import RuleSet, rule_set_label
from leadfunnel.ui.downloads import download_buttons
from leadfunnel.ui.rule_sets import save_as, saved_rule_set
from leadfunnel.ui.scoring_views import learned_weights
from leadfunnel.ui.tables import table


def scenario_comparison(engine: ScoringEngine, names: list[str], start: datetime | None, end: datetime) -> None:
    """Two saved rule sets' backtests and hand-overs per week side by side, for the meeting's choice."""
    st.subheader(t("scoring.compare"))
    first_column, second_column = st.columns(2)
    first = first_column.selectbox(t("scoring.scenario_a"), names, key="compare_a", format_func=rule_set_label)
    second = second_column.selectbox(t("scoring.scenario_b"), names, index=min(1, len(names) - 1), key="compare_b",
                                     format_func=rule_set_label)
    name_of = {column: t(metric.label) for column, metric in by_column(BACKTEST_METRICS).items()}  # the catalogue's
    scenarios = []
    for name in (first, second):
        candidate = saved_rule_set(name)
        summary, handed_per_week = engine.scenario(candidate, start, end)
        scenarios.append({
            t("scoring.rule_set"): rule_set_label(name), t("pack.threshold"): candidate.threshold,
            name_of["crossed"]: summary.crossed, t("scoring.per_week"): round(handed_per_week, 1),
            name_of["caught"]: summary.caught, name_of["recall"]: percent(summary.recall),
            name_of["precision"]: percent(summary.precision),
            name_of["median_lead_days"]: days(summary.median_lead_days),
        })
    comparison_table = pl.DataFrame(scenarios)
    table(comparison_table, hide_index=True, width="stretch")
    st.caption(t("scoring.compare_caption"))
    download_buttons(comparison_table, "scenarios", "scenarios")


def learned_weights_section(bound: datetime, filters: Filters, rules: RuleSet, outcome: Outcome, reached: str,
                            as_of: datetime, threshold_key: str) -> None:
    """The weights the data suggests against the rules tried, with their holdout AUCs; offered only as what it is."""
    st.subheader(t("scoring.learn"))
    try:
        suggestion = learned_weights(bound, filters, rules, outcome)
    except NotEnoughHistory as reason:
        st.info(t("scoring.cannot_learn", reason=localized(reason)))
    else:
        learned_name = t("scoring.learned_name", as_of=day(as_of), outcome=reached)
        comparison = suggestion.against(rules)
        table_column, auc_column = st.columns([3, 2])
        table(comparison, container=table_column, hide_index=True, width="stretch", column_config={
            "activity_type": t("scoring.activity_type"), "current": t("scoring.current_points"),
            "suggested": t("scoring.suggested_points")})
        with table_column:  # under the table, as everywhere else
            download_buttons(comparison, "suggested-points", "suggested_points")
        auc_column.metric(t("scoring.auc_current"), f"{suggestion.holdout_auc_current:.2f}")
        auc_column.metric(t("scoring.auc_suggested"), f"{suggestion.holdout_auc_suggested:.2f}")
        auc_column.caption(t("scoring.auc_caption", outcome=reached, holdout=suggestion.holdout_leads,
                             train=suggestion.train_leads))

        better = suggestion.holdout_auc_suggested > suggestion.holdout_auc_current
        if not better:  # not offered as the better choice when it is not
            auc_column.warning(t("scoring.suggestion_worse", suggested=f"{suggestion.holdout_auc_suggested:.2f}",
                                 current=f"{suggestion.holdout_auc_current:.2f}"), icon=":material/trending_down:")
        auc_column.button(t("scoring.use_suggestion" if better else "scoring.use_suggestion_anyway"), on_click=save_as,
                          args=(rules, learned_name, threshold_key), kwargs={"points": suggestion.points, "caps": {}},
                          help=t("scoring.use_suggestion_help", name=learned_name))
