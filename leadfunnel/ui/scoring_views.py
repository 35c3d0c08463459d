"""The scoring page's caches: the view's per-lead rollup and events, scores, replays and the engine over them
(kept as objects: one copy per view for every session, not one per session)."""

from __future__ import annotations

import threading
from datetime import datetime
from functools import partial

import polars as pl
import streamlit as st

from leadfunnel.filters import Filters
from leadfunnel.query import QueryRunner
from leadfunnel.scoring import distribution
from leadfunnel.scoring.backtest import (
    History,
    Outcome,
    ReplayedScores,
    crossings,
    load_history,
    replayed_scores,
    running_scores,
)
from leadfunnel.scoring.engine import ScoringEngine
from leadfunnel.scoring.learn import NotEnoughHistory, Suggestion, suggest_points
from leadfunnel.scoring.rollup import Rollup, load_rollup
from leadfunnel.scoring.rules import RuleSet
from leadfunnel.scoring.scores import current_scores
from leadfunnel.ui.session import cache_key
from leadfunnel.ui.views import cached_query

Segments = tuple[tuple[str, tuple[str, ...]], ...]
# One view's events or rollup loads at a time, whichever session asks: each load holds its rows twice for a moment
# (DuckDB's result and the arrays made of it), so sessions opening new views at once peaked together (5 sessions at
# 1M: 4.2 GiB); queued, the loads take as long in all (DuckDB uses both cores for one) and the peak is one load's.
_LOADING = threading.Lock()


@st.cache_resource(max_entries=6, show_spinner=False)
def _history(_query_runner: QueryRunner, path: str, version: str, as_of: datetime, segments: Segments) -> History:
    """Shared by every session (no copy per rerun). Few entries: at scale one history holds every event."""
    del path, version  # the cache key (the runner is not hashed)
    with _LOADING:
        return load_history(_query_runner, as_of, _segment_filters(segments))


@st.cache_resource(max_entries=32, show_spinner=False)
def _rollup(_query_runner: QueryRunner, path: str, version: str, as_of: datetime, segments: Segments) -> Rollup:
    """Shared by every session; one row per lead, so many views (one per filter in use) fit."""
    del path, version  # the cache key (the runner is not hashed)
    with _LOADING:
        return load_rollup(_query_runner, as_of, _segment_filters(segments))


def _segments(filters: Filters) -> Segments:
    return (("channels", filters.channels), ("industries", filters.industries),
            ("company_sizes", filters.company_sizes), ("owners", filters.owners))


def _segment_filters(segments: Segments) -> Filters:
    """The filters `_segments` made a cache key of, back again."""
    chosen = dict(segments)
    return Filters(channels=chosen["channels"], industries=chosen["industries"],
                   company_sizes=chosen["company_sizes"], owners=chosen["owners"])


def _view_key(as_of: datetime, filters: Filters) -> tuple[QueryRunner, str, str, datetime, Segments]:
    return *cache_key(), as_of, _segments(filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _scores(_query_runner: QueryRunner, _rules: RuleSet, path: str, version: str, as_of: datetime,
            scoring_key: str) -> pl.DataFrame:
    del path, version, scoring_key  # the cache key (the runner and the rules are not hashed)
    return current_scores(_query_runner, as_of, _rules)


def lead_scores(as_of: datetime, rules: RuleSet) -> pl.DataFrame:
    """`lead_id, score` of every lead at `as_of` under `rules` (scoring.scores.current_scores, which picks how to
    compute them), cached on the database, its data version, the instant and the rules (the threshold plays no
    part)."""
    query_runner, path, version = cache_key()
    return _scores(query_runner, rules, path, version, as_of,
                   rules.scoring_key())


def top_open_leads(scored: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """The highest-scoring leads not handed over by `as_of`, with their recent activities
    (scoring.distribution.top_open_leads; the activities read through the result cache)."""
    return distribution.top_open_leads(scored, as_of, cached_query)


def scoring_rollup(as_of: datetime, filters: Filters) -> Rollup:
    """One row of activity counts per lead of the view (for instant weight and threshold moves)."""
    return _rollup(*_view_key(as_of, filters))


@st.cache_resource(max_entries=3, show_spinner=False)
def _replayed_scores(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime,
                     segments: Segments, outcome: Outcome, scoring_key: str) -> ReplayedScores:
    """Running scores at every event and each lead's peaks: they do not depend on the threshold, so a threshold
    move only compares scores (backtest.crossings). Few entries: one holds a score per event."""
    del path, version, as_of, segments, scoring_key  # the cache key (history and rules are not hashed)
    return replayed_scores(_history, running_scores(_history, _rules), outcome)


@st.cache_resource(max_entries=12, show_spinner=False)
def _replayed(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime, segments: Segments,
              outcome: Outcome, scoring_key: str, threshold: float) -> pl.DataFrame:
    scores = _replayed_scores(_history, _rules, path, version, as_of, segments, outcome, scoring_key)
    return crossings(scores, threshold)


def replayed_outcomes(as_of: datetime, filters: Filters, rules: RuleSet, outcome: Outcome) -> pl.DataFrame:
    """Per-lead backtest with crossing times, replayed over every event; cached per rule set, so saved
    scenarios and positions a slider has been at before answer at once."""
    query_runner, path, version, instant, segments = _view_key(as_of, filters)
    history = _history(query_runner, path, version, instant, segments)
    return _replayed(history, rules, path, version, instant, segments, outcome, rules.scoring_key(),
                     rules.threshold)


def scoring_engine(as_of: datetime, filters: Filters, outcome: Outcome) -> ScoringEngine:
    """The scoring engine on this view, over the shared per-lead rollup and the cached replays."""
    def replay(rules: RuleSet) -> pl.DataFrame:
        return replayed_outcomes(as_of, filters, rules, outcome)

    return ScoringEngine(partial(scoring_rollup, as_of, filters), replay, outcome)


@st.cache_resource(max_entries=16, show_spinner=False)
def _learned(_history: History, _rules: RuleSet, path: str, version: str, as_of: datetime, segments: Segments,
             outcome: Outcome, points: tuple[tuple[str, float], ...]) -> Suggestion | NotEnoughHistory:
    del path, version, as_of, segments, points  # the cache key (history and rules are not hashed)
    try:
        return suggest_points(_history, _rules, outcome)
    except NotEnoughHistory as reason:  # remembered too: finding out costs as much as a fit
        return reason


def learned_weights(as_of: datetime, filters: Filters, rules: RuleSet, outcome: Outcome) -> Suggestion:
    """Points suggested by a model fitted on the view's history (seconds at scale): fitted once per data
    version, view, outcome and current points (the threshold plays no part). Raises NotEnoughHistory."""
    query_runner, path, version, instant, segments = _view_key(as_of, filters)
    history = _history(query_runner, path, version, instant, segments)
    found = _learned(history, rules, path, version, instant, segments, outcome, tuple(sorted(rules.points.items())))
    if isinstance(found, NotEnoughHistory):
        raise found
    return found
