"""Cached views: every domain function a page calls (funnel, channels, the Data page, SLA, pipeline, attribution,
velocity), cached on the database, its data version and the parameters — shared by every session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import polars as pl
import streamlit as st

from leadfunnel import data_overview, funnel
from leadfunnel.attribution import Attribution, attribution
from leadfunnel.filters import Filters, Mode
from leadfunnel.pipeline import aging
from leadfunnel.pipeline.velocity import Velocity, velocity
from leadfunnel.query import QueryRunner
from leadfunnel.sla import compliance
from leadfunnel.sla.policy import SlaPolicy
from leadfunnel.ui.session import cache_key

# Every number a page shows comes from a domain function of the package, called through one of the cached
# wrappers below (keyed on the database, its data version and the parameters): pages hold no connection and name
# no query file.


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_run(_query_runner: QueryRunner, path: str, version: str, name: str,
                params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    del path, version  # the cache key (the runner is not hashed)
    return _query_runner.run(name, {k: list(v) if isinstance(v, tuple) else v for k, v in params})


def cached_query(name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """`QueryRunner.run` with caching keyed on the database, its data version and the parameters: for a domain
    function that takes a `run` callable (scoring.distribution.top_open_leads)."""
    query_runner, path, version = cache_key()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return _cached_run(query_runner, path, version, name, frozen)


DatabaseFact = Callable[[QueryRunner], Any]
DATABASE_FACTS: dict[str, DatabaseFact] = {
    "database_info": data_overview.database_info, "import_log": data_overview.import_log,
    "account_totals": data_overview.account_totals, "date_bounds": data_overview.date_bounds,
    "filter_options": data_overview.filter_options,
}


@st.cache_data(show_spinner=False, max_entries=128)
def _database_fact(_query_runner: QueryRunner, what: str, path: str, version: str) -> Any:
    del path, version  # the cache key (the runner is not hashed)
    return DATABASE_FACTS[what](_query_runner)


def _on_database(what: str) -> Any:
    """`DATABASE_FACTS[what]` cached on the database and its data version."""
    query_runner, path, version = cache_key()
    return _database_fact(query_runner, what, path, version)


def database_info() -> dict[str, Any]:
    """What the database holds and when it was last imported into and backed up (data_overview.database_info)."""
    return _on_database("database_info")


def import_history() -> pl.DataFrame:
    """The latest imports, newest first (data_overview.import_log), cached."""
    return _on_database("import_log")


def account_totals() -> dict[str, Any]:
    """How the database's leads merge into accounts (data_overview.account_totals), cached."""
    return _on_database("account_totals")


def data_bounds() -> dict[str, Any]:
    """The data's first and last day, its now and its lead count (data_overview.date_bounds), cached."""
    return _on_database("date_bounds")


def filter_options() -> pl.DataFrame:
    """The values the sidebar's filters offer (data_overview.filter_options), cached."""
    return _on_database("filter_options")


@st.cache_data(show_spinner=False, max_entries=16)
def _largest_accounts(_query_runner: QueryRunner, path: str, version: str, limit: int) -> pl.DataFrame:
    del path, version  # the cache key (the runner is not hashed)
    return data_overview.largest_accounts(_query_runner, limit)


def largest_accounts(limit: int) -> pl.DataFrame:
    """The `limit` accounts with most leads (data_overview.largest_accounts), cached."""
    query_runner, path, version = cache_key()
    return _largest_accounts(query_runner, path, version, limit)


ViewFrame = Callable[[QueryRunner, Filters, Mode], pl.DataFrame]
VIEW_FRAMES: dict[str, ViewFrame] = {"stage_counts": funnel.stage_counts, "monthly_entries": funnel.monthly_entries,
                                     "channel_summary": funnel.channel_summary}


@st.cache_data(show_spinner=False, max_entries=256)
def _view_frame(_query_runner: QueryRunner, _filters: Filters, what: str, path: str, version: str, view_key: str,
                mode: Mode) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return VIEW_FRAMES[what](_query_runner, _filters, mode)


def _on_view(what: str, filters: Filters, mode: Mode) -> pl.DataFrame:
    """`VIEW_FRAMES[what]` cached on the database, its data version, the view and the mode."""
    query_runner, path, version = cache_key()
    return _view_frame(query_runner, filters, what, path, version, repr(filters), mode)


def funnel_stages(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's stage counts, rates, drop-off and days between stages (funnel.stage_counts), cached."""
    return _on_view("stage_counts", filters, mode)


def funnel_by_month(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's stage entries per calendar month (funnel.monthly_entries), cached."""
    return _on_view("monthly_entries", filters, mode)


def channel_summary(filters: Filters, mode: Mode) -> pl.DataFrame:
    """The view's channels table, every CHANNEL_METRICS column (funnel.channel_summary), cached."""
    return _on_view("channel_summary", filters, mode)


PolicyView = Callable[[QueryRunner, Filters, SlaPolicy, datetime], pl.DataFrame]
POLICY_VIEWS: dict[str, PolicyView] = {"handovers": compliance.handovers, "open_leads": aging.open_leads}


@st.cache_data(show_spinner=False, max_entries=128)
def _policy_view(_query_runner: QueryRunner, _filters: Filters, _policy: SlaPolicy, what: str, path: str,
                 version: str, view_key: str, as_of: datetime) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner, the view and the policy are not hashed)
    return POLICY_VIEWS[what](_query_runner, _filters, _policy, as_of)


def _on_policy(what: str, filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """`POLICY_VIEWS[what]` cached on the database, its data version, the view, the policy and the instant:
    a rerun for another widget costs nothing."""
    query_runner, path, version = cache_key()
    return _policy_view(query_runner, filters, policy, what, path, version, repr((filters, policy)), as_of)


def sla_handovers(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The view's hand-overs classified on `policy`'s clock (sla.compliance.handovers), cached."""
    return _on_policy("handovers", filters, policy, as_of)


def open_leads_at(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The view's open leads at `as_of` with stage, age and stuck flag (pipeline.aging.open_leads), cached."""
    return _on_policy("open_leads", filters, policy, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _sales_touches(_query_runner: QueryRunner, _policy: SlaPolicy, path: str, version: str, policy_key: str,
                   as_of: datetime) -> bool:
    del path, version, policy_key  # the cache key (the runner and the policy are not hashed)
    return compliance.has_sales_touches(_query_runner, _policy, as_of)


def sales_touches_in_data(policy: SlaPolicy, as_of: datetime) -> bool:
    """Whether the data has a sales touch of the policy's types by `as_of` (sla.compliance.has_sales_touches),
    cached on the database, its data version, the policy and the instant."""
    query_runner, path, version = cache_key()
    return _sales_touches(query_runner, policy, path, version, repr(policy), as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _handover_scores(_query_runner: QueryRunner, _classified: pl.DataFrame, path: str, version: str, view_key: str,
                     as_of: datetime) -> pl.DataFrame:
    del path, version, view_key  # the cache key (the runner and the hand-overs are not hashed)
    return compliance.handover_scores(_query_runner, _classified, as_of)


def sla_handover_scores(filters: Filters, policy: SlaPolicy, as_of: datetime) -> pl.DataFrame:
    """The scores at `as_of` of the view's hand-overs (sla.compliance.handover_scores over `sla_handovers`), cached
    on the database, its data version, the view, the policy and the instant."""
    classified = sla_handovers(filters, policy, as_of)
    query_runner, path, version = cache_key()
    return _handover_scores(query_runner, classified, path, version, repr((filters, policy)), as_of)


@st.cache_data(show_spinner=False, max_entries=128)
def _velocity(_query_runner: QueryRunner, _filters: Filters, path: str, version: str, view_key: str,
              as_of: datetime) -> Velocity:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return velocity(_query_runner, _filters, as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def _attribution(_query_runner: QueryRunner, _filters: Filters, path: str, version: str, view_key: str) -> Attribution:
    del path, version, view_key  # the cache key (the runner and the view are not hashed)
    return attribution(_query_runner, _filters)


def channel_attribution(filters: Filters) -> Attribution:
    """Every attribution model's credit and the spend for the view (leadfunnel.attribution), cached on the database,
    its data version and the view: switching the model or the outcome reads no data."""
    query_runner, path, version = cache_key()
    return _attribution(query_runner, filters, path, version, repr(filters))


def pipeline_velocity(filters: Filters, as_of: datetime) -> Velocity:
    """The view's velocity, its factors, the previous period's, by channel and by month (pipeline.velocity),
    cached on the database, its data version, the view and the instant."""
    query_runner, path, version = cache_key()
    return _velocity(query_runner, filters, path, version, repr(filters), as_of)
