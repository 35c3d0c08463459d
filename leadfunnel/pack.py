"""The meeting pack: one self-contained HTML file with the week's numbers and interactive charts.

Plotly's JavaScript is embedded once, so the file opens offline (mail it, put it on a share). Every
value from the data is HTML-escaped: a company called `<script>` shows as text.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

import plotly.graph_objects as go

from leadfunnel.asof import cutoff
from leadfunnel.attribution import DEFAULT_MODEL, DEFAULT_OUTCOME, Model, Outcome, attribution
from leadfunnel.charts import channel_figure, funnel_figure, sla_weekly_figure, threshold_curve_figure
from leadfunnel.filters import Filters, Mode
from leadfunnel.format import count, count_delta, days, days_delta, money, money_delta, percent, rate_delta, written
from leadfunnel.funnel import channel_summary, stage_counts
from leadfunnel.i18n import day, language, moment, t
from leadfunnel.metrics import BACKTEST_METRICS, CHANNEL_METRICS, FUNNEL_METRICS, SLA_METRICS, by_column
from leadfunnel.model import activity_label, channel_label, labelled, stage_label
from leadfunnel.pipeline import aging
from leadfunnel.pipeline.velocity import velocity
from leadfunnel.query import QueryRunner
from leadfunnel.scoring.backtest import threshold_curve as curve_of
from leadfunnel.scoring.engine import engine_on
from leadfunnel.scoring.rules import RuleSet, rule_set_label
from leadfunnel.sla import compliance
from leadfunnel.sla.policy import SlaPolicy

STYLE = """
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f2f5f8; } td.number { text-align: right; white-space: nowrap; }
.note { color: #555; font-size: 0.88rem; }
"""


def build_pack(runner: QueryRunner, filters: Filters, mode: Mode, current: RuleSet, proposed: RuleSet | None,
               policy: SlaPolicy, as_of: datetime,
               credit: tuple[Model, Outcome] = (DEFAULT_MODEL, DEFAULT_OUTCOME)) -> str:
    """The whole report as one HTML document (language: the current one); `credit` is the attribution model and
    outcome chosen on the channels page."""
    figures = _Figures()
    previous = filters.previous_period()
    parts = [
        f"<h1>{_e(t('pack.title'))}</h1>",
        f"<p class='note'>{_e(t('pack.generated', at=f'{datetime.now():%Y-%m-%d %H:%M}'))} · "
        f"{_e(t('pack.view', mode=t(f'mode.{mode}'), start=day(filters.date_from), end=day(filters.date_to)))}"
        f"{_e(_segments(filters))}<br>{_e(t('asof.header', at=moment(as_of)))}</p>",
        _funnel_section(runner, filters, previous, mode, figures),
        _channel_section(runner, filters, mode, figures),
        _attribution_section(runner, filters, *credit),
        _scoring_section(runner, filters, current, proposed, as_of, figures),
        _sla_section(runner, filters, previous, policy, as_of, figures),
        _aging_section(runner, filters, policy, as_of),
        _velocity_section(runner, filters, as_of),
    ]
    return (f"<!DOCTYPE html><html lang='{language()}'><head><meta charset='utf-8'>"
            f"<title>{_e(t('pack.title'))}</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


class _Figures:
    """Embeds plotly.js with the first chart only."""

    def __init__(self) -> None:
        self.first = True

    def html(self, figure: go.Figure) -> str:
        out = figure.to_html(full_html=False, include_plotlyjs=self.first, config={"displaylogo": False})
        self.first = False
        return out


def _funnel_section(runner: QueryRunner, filters: Filters, previous: Filters | None, mode: Mode,
                    figures: _Figures) -> str:
    stages = labelled(stage_counts(runner, filters, mode), "stage", stage_label, alias="label")
    before = ({r["stage"]: r for r in stage_counts(runner, previous, mode).iter_rows(named=True)}
              if previous else {})
    rows = [[r["label"], count(r["leads"]) if r["in_data"] else t("funnel.not_in_data"),
             count(before.get(r["stage"], {}).get("leads")),
             count_delta(r["leads"], before.get(r["stage"], {}).get("leads")) or "–", percent(r["rate_from_previous"]),
             percent(r["rate_from_lead"])] for r in stages.iter_rows(named=True)]
    named = by_column(FUNNEL_METRICS)
    table = _table([t("funnel.col_stage"), t(named["leads"].label_for(filters.unit)), t("pack.previous_period"),
                    t("pack.change"), t(named["rate_from_previous"].label), t(named["rate_from_lead"].label)], rows)
    return f"<h2>{_e(t('funnel.title'))}</h2>{_unit_note(filters)}{table}{figures.html(funnel_figure(stages))}"


def _channel_section(runner: QueryRunner, filters: Filters, mode: Mode, figures: _Figures) -> str:
    channels = channel_summary(runner, filters, mode)
    rows = [[channel_label(r["channel"]) if m.column == "channel" else written(r[m.column], m.kind)
             for m in CHANNEL_METRICS] for r in channels.sort("leads", descending=True).iter_rows(named=True)]
    table = _table([t(m.label_for(filters.unit)) for m in CHANNEL_METRICS], rows)
    if channels["lead_to_won_rate"].drop_nulls().is_empty():  # no channel has leads in the view: nothing to rank
        chart = f"<p class='note'>{_e(t('channels.nothing_to_rank', label=t('metric.lead_to_won_rate')))}</p>"
    else:
        chart = figures.html(channel_figure(channels, "lead_to_won_rate", t("metric.lead_to_won_rate"),
                                            kind="percent"))
    return f"<h2>{_e(t('channels.title'))}</h2>{_unit_note(filters)}{table}{chart}"


def _attribution_section(runner: QueryRunner, filters: Filters, model: Model, outcome: Outcome) -> str:
    """The channels page's attribution table: the chosen model beside first touch, with the spend ratios."""
    result = attribution(runner, filters)
    model_label, outcome_label = t(f"attribution.model.{model}"), stage_label(outcome)
    converted = result.converted.get(outcome, 0)
    heading = (f"<h2>{_e(t('attribution.title'))}</h2><p class='note'>"
               + _e(t("attribution.caption", n=converted, outcome=outcome_label, start=day(filters.date_from),
                      end=day(filters.date_to), model=model_label,
                      definition=t(f"attribution.model.{model}.definition")).replace("**", "")) + "</p>")
    if not converted:
        return heading + f"<p>{_e(t('attribution.empty', outcome=outcome_label))}</p>"
    header = [t("col.channel"), t("attribution.col.credit", model=model_label), t("attribution.col.share"),
              t("attribution.col.first_touch_share"), t("attribution.col.change")]
    if result.has_spend:
        header += [t("attribution.col.spend"), t("attribution.col.cost_per", outcome=outcome_label),
                   t("attribution.col.roi")]
    rows = []
    for row in result.channels(model, outcome).iter_rows(named=True):
        cells = [channel_label(row["channel"]), written(row["credit"], "credit"), percent(row["share"]),
                 percent(row["first_touch_share"]), rate_delta(row["share"], row["first_touch_share"]) or "–"]
        if result.has_spend:
            cells += [money(row["spend"]), money(row["cost_per_conversion"]), written(row["roi"], "times")]
        rows.append(cells)
    return heading + _table(header, rows) + f"<p class='note'>{_e(t('attribution.table_caption'))}</p>"


def _unit_note(filters: Filters) -> str:
    """By account, the funnel and channel sections say what they count (the other sections count leads)."""
    return f"<p class='note'>{_e(t('unit.by_account'))}</p>" if filters.unit == "account" else ""


def _scoring_section(runner: QueryRunner, filters: Filters, current: RuleSet, proposed: RuleSet | None,
                     as_of: datetime, figures: _Figures) -> str:
    engine = engine_on(runner, cutoff(as_of), filters)  # the page's engine: the same numbers
    results = [(rules, engine.summary(rules)) for rules in (current, proposed) if rules is not None]
    header = [t("pack.scenario"), t("pack.threshold"), *(t(m.label) for m in BACKTEST_METRICS)]
    rows = [[rule_set_label(rules.name), f"{rules.threshold:g}",
             *(_backtest_cell(m.kind, r.as_dict()[m.column]) for m in BACKTEST_METRICS)] for rules, r in results]
    base = results[0][1]
    curve = curve_of(engine.outcomes(current))
    chart = figures.html(threshold_curve_figure(curve, current.threshold, base.crossed, base.recall))
    return (f"<h2>{_e(t('pack.scoring'))}</h2><p class='note'>{_e(t('pack.scoring_note', as_of=moment(as_of)))}</p>"
            f"{_table(header, rows)}{chart}")


def _backtest_cell(kind: str, value: Any) -> str:
    """As the scoring page writes it: days earlier as a bare number (its name says days), the rest by kind."""
    return days(value) if kind == "days" else written(value, kind)


# The SLA figures the pack compares with the previous period, in this order (names from the metrics catalogue).
SLA_PACK_ROWS = ("compliance_rate", "handed_over", "met", "breached", "overdue_open", "pending")


def _sla_section(runner: QueryRunner, filters: Filters, previous: Filters | None, policy: SlaPolicy,
                 as_of: datetime, figures: _Figures) -> str:
    classified = compliance.handovers(runner, filters, policy, as_of)
    if not compliance.has_sales_touches(runner, policy, as_of):
        touches = ", ".join(activity_label(kind) for kind in policy.touch_types)
        note = t("sla.no_touches", touches=touches)
        return (f"<h2>{_e(t('nav.sla'))}</h2><p class='note'>{_e(policy.summary())}</p>"
                f"<p>{_e(t(by_column(SLA_METRICS)['handed_over'].label))}: {classified.height:,}. {_e(note)}</p>")
    now = compliance.compliance_summary(classified)
    before = compliance.compliance_summary(compliance.handovers(runner, previous, policy, as_of)) if previous else {}
    rows = []
    for metric in (by_column(SLA_METRICS)[key] for key in SLA_PACK_ROWS):
        current, earlier = now[metric.column], before.get(metric.column)
        delta = rate_delta(current, earlier) if metric.kind == "percent" else count_delta(current, earlier)
        rows.append([t(metric.label), written(current, metric.kind), written(earlier, metric.kind), delta or "–"])
    parts = [f"<h2>{_e(t('nav.sla'))}</h2><p class='note'>{_e(policy.summary())}</p>",
             _table(["", t("pack.this_period"), t("pack.previous_period"), t("pack.change")], rows)]
    if classified.height:
        parts.append(figures.html(sla_weekly_figure(compliance.weekly(classified))))
    every_overdue = compliance.overdue_now(classified, compliance.handover_scores(runner, classified, as_of))
    overdue = every_overdue.head(50)
    parts.append(f"<h3>{_e(t('pack.overdue', total=every_overdue.height, n=overdue.height))}</h3>")
    parts.append(_table([t("pack.lead"), t("pack.company"), t("col.channel"), t("sidebar.owner"),
                         t("pack.handed_over_at"), t("pack.hours_overdue")],
                        [[r["lead_id"], r["company"], channel_label(r["channel"]), r["owner"],
                          f"{r['handover_at']:%Y-%m-%d %H:%M}", f"{r['hours_overdue']:,.1f}"]
                         for r in overdue.iter_rows(named=True)]))
    return "".join(parts)


def _aging_section(runner: QueryRunner, filters: Filters, policy: SlaPolicy, as_of: datetime) -> str:
    """Stuck leads per stage and the 20 longest in their stage (the Pipeline page's numbers)."""
    leads = aging.open_leads(runner, filters, policy, as_of)
    clock = t(f"sla.aging_clock.{'business' if policy.aging_business_days else 'calendar'}")
    stages = aging.by_stage(leads, policy)
    rows = [[stage_label(r["stage"]), count(r["open"]), count(r["stuck"]) if r["limit_days"] is not None else "–",
             "–" if r["limit_days"] is None else f"{r['limit_days']:g}", days(r["median_age_days"]),
             days(r["p90_age_days"])] for r in stages.iter_rows(named=True)]
    stuck = aging.stuck_list(leads)
    longest = stuck.head(20)
    return "".join([
        f"<h2>{_e(t('pipeline.title'))}</h2><p class='note'>{_e(t('pipeline.caption', as_of=moment(as_of)))}</p>",
        _table([t("pipeline.col_stage"), t("pipeline.open"), t("pipeline.stuck"), t("column.limit_days"),
                t("column.median_age_days"), t("column.p90_age_days")], rows),
        f"<p class='note'>{_e(t('pipeline.by_stage_caption', clock=clock))}</p>",
        f"<h3>{_e(t('pack.stuck', total=stuck.height, n=longest.height))}</h3>",
        _table([t("pack.lead"), t("pack.company"), t("sidebar.owner"), t("pipeline.col_stage"),
                t("pipeline.col_age"), t("pipeline.col_reason")],
               [[r["lead_id"], r["company"], r["owner"], stage_label(r["stage"]), f"{r['age_days']:,.1f}",
                 t(f"pipeline.reason.{r['reason']}")] for r in longest.iter_rows(named=True)]),
    ])


def _velocity_section(runner: QueryRunner, filters: Filters, as_of: datetime) -> str:
    """Velocity and its four factors against the previous period, and per channel (the Velocity page's numbers)."""
    result = velocity(runner, filters, as_of)
    now, before = result.total, result.previous or {}
    caption = t("velocity.caption", start=day(filters.date_from), end=day(filters.date_to), as_of=moment(as_of))
    heading = f"<h2>{_e(t('velocity.title'))}</h2><p class='note'>{_e(caption)}</p>"
    if not result.opportunity_in_data:
        return heading + f"<p>{_e(t('velocity.no_opportunity_dates'))}</p>"
    if not now["opportunities"]:
        return heading + f"<p>{_e(t('velocity.empty'))}</p>"
    previous = result.previous_period
    change = t("pack.change") if previous else ""
    figures = [
        (t("velocity.velocity"), t("velocity.per_day", amount=money(now["velocity"])),
         money_delta(now["velocity"], before.get("velocity"))),
        (t("velocity.opportunities"), count(now["opportunities"]),
         count_delta(now["opportunities"], before.get("opportunities"))),
        (t("velocity.win_rate"), percent(now["win_rate"]), rate_delta(now["win_rate"], before.get("win_rate"))),
        (t("velocity.avg_won_amount"), money(now["avg_won_amount"]),
         money_delta(now["avg_won_amount"], before.get("avg_won_amount"))),
        (t("velocity.avg_cycle_days"), days(now["avg_cycle_days"], unit=True),
         days_delta(now["avg_cycle_days"], before.get("avg_cycle_days"))),
    ]
    channels = labelled(result.by_channel, "channel", channel_label, alias="label")
    return "".join([
        heading,
        _table(["", t("pack.this_period")] + ([change] if change else []),
               [[name, value] + ([delta or "–"] if change else []) for name, value, delta in figures]),
        f"<p class='note'>{_e(t('velocity.velocity_help'))}"
        + (f" {_e(t('velocity.compared', start=day(previous.date_from), end=day(previous.date_to)))}"
           if previous else "") + "</p>",
        f"<h3>{_e(t('velocity.by_channel'))}</h3>",
        _table([t("col.channel"), t("velocity.velocity"), t("velocity.opportunities"), t("velocity.win_rate"),
                t("velocity.avg_won_amount"), t("velocity.avg_cycle_days")],
               [[r["label"], money(r["velocity"]), count(r["opportunities"]), percent(r["win_rate"]),
                 money(r["avg_won_amount"]), days(r["avg_cycle_days"])] for r in channels.iter_rows(named=True)]),
    ])


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{_NUMBER_CELL if _is_number(v) else ''}>{_e(v)}</td>" for v in row)
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_NUMBER_CELL = " class='number'"
_FORMATTED_NUMBER = re.compile(r"[+\-−]?¥?[\d.,]+\s*(%|pt|万円|days|日|×|倍)?(\s*/\s*(day|日))?|–")


def _is_number(value: Any) -> bool:
    """Counts, rates and deltas line up on the right; names and dates read from the left."""
    return value is None or isinstance(value, int | float) or bool(_FORMATTED_NUMBER.fullmatch(str(value)))


def _segments(filters: Filters) -> str:
    parts = [", ".join(channel_label(c) for c in filters.channels), ", ".join(filters.industries),
             ", ".join(filters.company_sizes), ", ".join(filters.owners)]
    chosen = " · ".join(p for p in parts if p)
    return f" · {chosen}" if chosen else ""


def _e(value: Any) -> str:
    return "–" if value is None else html.escape(str(value))
