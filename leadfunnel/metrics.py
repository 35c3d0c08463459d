"""The metrics catalogue: one entry per number the channels table, its chart, the reports' JSON and the meeting
pack show — its query column, its kind (how it is written) and its name and definition in the catalogues.

A new channel metric is one entry here plus its column in queries/channels/channel_summary.sql; the page, the
downloads, `report channels` and the pack pick it up from this list. The funnel's stage table (FUNNEL_METRICS:
the columns of queries/funnel/stage_counts.sql) is named and written from here by the page and the pack. The
scoring backtest's figures (BACKTEST_METRICS: the fields of scoring.backtest.Backtest, `report scores`'
"backtest") and the SLA's (SLA_METRICS: the keys of sla.compliance.compliance_summary, `report sla`) are named
and defined here too, for the pages and the pack alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "percent", "days", "hours", "money", "text"]


@dataclass(frozen=True)
class Metric:
    column: str  # the query column it comes from
    kind: Kind
    label: str  # catalogue key of its name
    definition: str | None = None  # catalogue key of its definition, shown beside it
    rank: bool = False  # offered to rank channels by
    account_label: str | None = None  # its name and definition when the view counts accounts, where they differ
    account_definition: str | None = None

    def label_for(self, unit: str) -> str:  # unit: what the view counts, 'lead' or 'account' (filters.Unit)
        return self.account_label if unit == "account" and self.account_label else self.label

    def definition_for(self, unit: str) -> str | None:
        return self.account_definition if unit == "account" and self.account_definition else self.definition


CHANNEL_METRICS: tuple[Metric, ...] = (
    Metric("channel", "text", "col.channel"),
    Metric("leads", "count", "col.leads", "metric.leads.definition", rank=True, account_label="col.accounts",
           account_definition="metric.accounts.definition"),
    Metric("mql", "count", "col.mql"),
    Metric("sql", "count", "col.sql"),
    Metric("won", "count", "col.won"),
    Metric("mql_rate", "percent", "metric.mql_rate", "metric.mql_rate.definition", rank=True),
    Metric("sql_rate", "percent", "metric.sql_rate", "metric.sql_rate.definition", rank=True),
    Metric("win_rate", "percent", "metric.win_rate", "metric.win_rate.definition", rank=True),
    Metric("lead_to_won_rate", "percent", "metric.lead_to_won_rate", "metric.lead_to_won_rate.definition", rank=True),
    Metric("median_days_to_sql", "days", "col.days_to_sql", "col.days_to_sql.help"),
    Metric("won_amount", "money", "metric.won_amount", "col.won_amount.help", rank=True),
)
RANKING_ORDER = ("lead_to_won_rate", "mql_rate", "sql_rate", "win_rate", "won_amount", "leads")

# The funnel's stage table (funnel.stage_counts: one row per stage; the funnel page, its download, the pack and
# `report funnel`). A stage the data never has shows "not in your data" instead of its count (funnel.not_in_data).
FUNNEL_METRICS: tuple[Metric, ...] = (
    Metric("leads", "count", "funnel.col_leads", account_label="funnel.col_accounts"),
    Metric("rate_from_previous", "percent", "funnel.col_from_previous"),
    Metric("rate_from_lead", "percent", "funnel.col_from_lead"),
    Metric("drop_off", "count", "funnel.col_drop_off"),
    Metric("median_days_from_previous", "days", "funnel.col_median_days"),
)

# The point-in-time backtest of a hand-over threshold (the scoring page, its scenario comparison, the pack).
# Definitions take `outcome` (what a caught lead reaches) and, for recall, `n` (the leads that reached it).
BACKTEST_METRICS: tuple[Metric, ...] = (
    Metric("crossed", "count", "metric.handed_over", "scoring.handed_over_help"),
    Metric("caught", "count", "metric.caught", "scoring.caught_help"),
    Metric("recall", "percent", "metric.recall", "scoring.recall_help"),
    Metric("precision", "percent", "metric.precision", "scoring.precision_help"),
    Metric("median_lead_days", "days", "metric.days_earlier", "scoring.days_earlier_help"),
)

# Hand-over follow-up (the SLA page, the pack). Time-to-touch definitions take `clock` (calendar or business).
SLA_METRICS: tuple[Metric, ...] = (
    Metric("compliance_rate", "percent", "sla.compliance", "sla.compliance_help"),
    Metric("handed_over", "count", "metric.handed_over"),
    Metric("met", "count", "metric.met"),
    Metric("breached", "count", "metric.breached"),
    Metric("overdue_open", "count", "metric.overdue_open"),
    Metric("pending", "count", "metric.pending"),
    Metric("median_hours_to_first_touch", "hours", "sla.median_to_touch", "sla.median_to_touch_help"),
    Metric("p90_hours_to_first_touch", "hours", "sla.p90_to_touch", "sla.p90_to_touch_help"),
)


def by_column(metrics: tuple[Metric, ...]) -> dict[str, Metric]:
    return {metric.column: metric for metric in metrics}
