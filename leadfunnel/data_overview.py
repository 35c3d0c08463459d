"""What the database holds, for the Data page and the sidebar: its contents and last import, the import log, how
the leads merge into accounts, the data's extent and the values the filters offer (queries/data)."""

from __future__ import annotations

from typing import Any

import polars as pl

from leadfunnel.query import QueryRunner


def database_info(runner: QueryRunner) -> dict[str, Any]:
    """`kind, leads, activities, feedback, last_import_at, last_backup_at`."""
    return runner.run("data/database_info").row(0, named=True)


def import_log(runner: QueryRunner) -> pl.DataFrame:
    """The latest imports, newest first."""
    return runner.run("data/import_log")


def account_totals(runner: QueryRunner) -> dict[str, Any]:
    """`leads, accounts, merged_accounts, merged_leads` over every lead in the database."""
    return runner.run("data/account_totals").row(0, named=True)


def largest_accounts(runner: QueryRunner, limit: int) -> pl.DataFrame:
    """The `limit` accounts with most leads: company, account_id, spellings, examples, leads, won."""
    return runner.run("data/largest_accounts", {"limit": limit})


def date_bounds(runner: QueryRunner) -> dict[str, Any]:
    """`first_day, last_day, now, last_stage_day, leads`: the data's extent (leadfunnel.asof's now)."""
    return runner.run("data/date_bounds").row(0, named=True)


def filter_options(runner: QueryRunner) -> pl.DataFrame:
    """`field, value`: the distinct channels, industries, company sizes and owners the filters offer."""
    return runner.run("data/filter_options")
