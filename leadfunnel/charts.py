"""Every Plotly figure the product draws, built from query-layer frames (testable without a browser)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl

from leadfunnel.format import days, money, money_style
from leadfunnel.frame_values import as_date, as_optional_number
from leadfunnel.funnel import channel_ranking
from leadfunnel.i18n import date_pattern, t
from leadfunnel.metrics import Kind
from leadfunnel.model import channel_label

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"


def as_text(value: str) -> str:
    """Data shown in a chart is text: Plotly reads `<b>`, `<a href>` … in labels as markup, so escape it."""
    return html.escape(value, quote=False)


def _layout(fig: go.Figure, *, height: int = 380) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font={"family": FONT},
                      separators=".,", hoverlabel={"font_family": FONT})
    # Tight margins grow to fit tick labels and titles (Streamlit's theme does this; a saved HTML or PNG does not).
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


WEEK_MS = 7 * 86_400_000


def _week_ticks(fig: go.Figure, weeks: int) -> None:
    """Weekly bars tick on their Mondays; over a few weeks Plotly's automatic date ticks fall between them, where a
    day format repeats (2026/08/30, 2026/08/30, 2026/08/31 for one week)."""
    fig.update_xaxes(tickformat=date_pattern(), hoverformat=date_pattern(), tick0=MONDAY)
    if weeks <= 8:
        fig.update_xaxes(dtick=WEEK_MS)


def _whole_counts(fig: go.Figure, top: float) -> None:
    """A count axis ticks whole numbers: on a small range Plotly's automatic ticks fall on halves, which a
    whole-number format writes twice (3, 3, 2, 2, 1, 1)."""
    if top < 10:
        fig.update_yaxes(tick0=0, dtick=1)


# One colour per stage everywhere, whichever stages a view shows (a missing stage shifts no colour).
STAGE_COLOURS: dict[str, str] = dict(zip(("lead", "mql", "sal", "sql", "opportunity", "won"), PALETTE, strict=False))
MONDAY = "2000-01-03"  # weekly date ticks start on a Monday (ISO weeks), not on Plotly's Sunday


def funnel_figure(stages: pl.DataFrame) -> go.Figure:
    """Funnel of the stages in the data; each bar says its count and % of the previous stage (from the query's
    rates, so a stage after an empty one reads "–", never Infinity)."""
    shown = stages.filter(pl.col("in_data")) if "in_data" in stages.columns else stages
    previous = [_percent(v) for v in shown["rate_from_previous"].to_list()]
    initial = [_percent(v) for v in shown["rate_from_lead"].to_list()]
    counts = [f"{v:,}" for v in shown["leads"].to_list()]
    fig = go.Figure(go.Funnel(
        y=shown["label"].to_list(),
        x=shown["leads"].to_list(),
        text=[count if share == "–" else f"{count} · {share}" for count, share in zip(counts, previous, strict=True)],
        textinfo="text",
        textposition="auto",
        insidetextanchor="middle",
        marker={"color": [STAGE_COLOURS.get(stage, PALETTE[-1]) for stage in shown["stage"].to_list()]},
        connector={"line": {"color": "#999", "width": 1}},
        customdata=list(zip(counts, previous, initial, strict=True)),
        hovertemplate=t("chart.hover_funnel", stage="%{y}", n="%{customdata[0]}", previous="%{customdata[1]}",
                        initial="%{customdata[2]}") + "<extra></extra>",
    ))
    return _layout(fig, height=360)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def monthly_stage_figure(monthly: pl.DataFrame) -> go.Figure:
    """One line per stage: entries per month (cohort: by creation month); a month without entries is a 0 on the
    line, so a stage with few entries does not vanish between its points."""
    fig = go.Figure()
    if monthly.is_empty():
        return _layout(fig, height=340)
    months = pl.date_range(as_date(monthly["month"].min()), as_date(monthly["month"].max()), "1mo",
                           eager=True).alias("month")
    stages = monthly.select("stage", "stage_order", "label").unique().sort("stage_order")
    grid = stages.join(pl.DataFrame(months), how="cross").join(
        monthly.select("stage", "month", "leads"), on=["stage", "month"], how="left").with_columns(
        pl.col("leads").fill_null(0)).sort("stage_order", "month")
    for i, (stage, label) in enumerate(stages.select("stage", "label").iter_rows()):
        rows = grid.filter(pl.col("stage") == stage)
        fig.add_trace(go.Scatter(
            x=rows["month"].to_list(), y=rows["leads"].to_list(), name=label, mode="lines+markers",
            line={"color": STAGE_COLOURS.get(stage, PALETTE[-1]), "dash": ("solid", "dot", "dash", "dashdot")[i % 4]},
            hovertemplate=f"{label}<br>%{{x|{date_pattern(with_day=False)}}}: %{{y:,}}<extra></extra>",
        ))
    fig.update_xaxes(dtick="M1", tickformat=date_pattern(with_day=False))
    fig.update_yaxes(title=t("chart.leads"), rangemode="tozero", tickformat=",d")
    _whole_counts(fig, as_optional_number(grid["leads"].max()) or 0.0)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, height=340)


BEST, WORST, MIDDLE = PALETTE[0], PALETTE[1], "#BBBBBB"


def rank_colours(n: int, highlighted: int = 3) -> list[str]:
    """Colours for n bars sorted worst→best: the best few blue, the worst few orange, the rest grey."""
    k = min(highlighted, n // 2)
    return [WORST] * k + [MIDDLE] * (n - 2 * k) + [BEST] * k


def channel_figure(channels: pl.DataFrame, metric: str, metric_label: str, *, kind: Kind) -> go.Figure:
    """Horizontal bars, best channel on top, so the best and worst channels stand out; bar labels are written as
    the metric's kind is everywhere else (a rate as %, an amount as ¥ or 万円, days with their unit)."""
    ranked = channel_ranking(channels, metric).reverse()  # bars drawn bottom-up: the best one last, on top
    values = ranked[metric].to_list()
    labels = [as_text(channel_label(c)) for c in ranked["channel"].to_list()]
    text = [_written(kind, v) for v in values]
    in_man = kind == "money" and money_style() == "man"  # the axis in 万円 too, so ticks and labels agree
    if in_man:
        values = [v / 10_000 for v in values]
        metric_label = f"{metric_label} ({t('unit.man_yen', n='').strip()})"
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker={"color": rank_colours(len(values)), "line": {"color": "#333", "width": 0.5}},
        customdata=ranked["leads"].to_list(),
        hovertemplate=f"%{{y}}<br>{metric_label}: %{{text}}<br>{t('chart.leads')}: %{{customdata:,}}<extra></extra>",
    ))
    top = max((v for v in values if v is not None), default=0) or 1
    # Whole-percent ticks repeat ("1 %, 1 %") on a small range: one decimal there. Room on the right for the
    # longest bar's label, which would otherwise be cut off.
    is_rate = kind == "percent"
    fig.update_xaxes(title=metric_label, tickformat=(".1%" if top < 0.1 else ".0%") if is_rate else ",",
                     tickprefix="¥" if kind == "money" and not in_man else None, range=[0, top * 1.18])
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(300, 34 * len(labels) + 80))


def _written(kind: Kind, value: float) -> str:
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "money":
        return money(value)
    if kind == "days":
        return days(value, unit=True)
    return f"{value:,.0f}"


OUTCOME_COLOURS = {"Won": PALETTE[2], "Reached SQL (not won)": PALETTE[0], "Neither": "#BBBBBB"}


def score_histogram_figure(binned: pl.DataFrame, width: float, threshold: float) -> go.Figure:
    """Stacked score histogram by outcome, with the hand-over threshold drawn on it."""
    fig = go.Figure()
    for group, colour in OUTCOME_COLOURS.items():
        rows = binned.filter(pl.col("group") == group)
        fig.add_trace(go.Bar(
            x=(rows["bin_start"] + width / 2).to_list(), y=rows["leads"].to_list(), width=width,
            name=t(f"chart.group.{group}"),
            marker={"color": colour, "line": {"color": "#fff", "width": 0.5}},
            customdata=rows.select("bin_start", bin_end=pl.col("bin_start") + width).to_numpy(),
            hovertemplate=f"{t(f'chart.group.{group}')}<br>%{{customdata[0]:,.0f}}–%{{customdata[1]:,.0f}}: "
                          + t("chart.hover_leads", n="%{y:,}") + "<extra></extra>",
        ))
    fig.add_vline(x=threshold, line={"color": PALETTE[5], "width": 2, "dash": "dash"},
                  annotation={"text": t("chart.threshold", value=f"{threshold:g}"), "font": {"color": PALETTE[5]}},
                  annotation_position="top right")
    fig.update_layout(barmode="stack", bargap=0, legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title=t("chart.score_at_as_of"), rangemode="tozero")
    fig.update_yaxes(title=t("chart.leads"))
    return _layout(fig, height=360)


def score_by_channel_figure(channels: pl.DataFrame, threshold: float) -> go.Figure:
    """One box per channel (min, quartiles, max), highest median on top, with the threshold line."""
    labels = [as_text(channel_label(c)) for c in channels["channel"].to_list()]
    fig = go.Figure(go.Box(
        y=labels, q1=channels["q1"].to_list(), median=channels["median"].to_list(), q3=channels["q3"].to_list(),
        lowerfence=channels["low"].to_list(), upperfence=channels["high"].to_list(), orientation="h",
        marker={"color": PALETTE[0]}, fillcolor="rgba(0,114,178,0.25)", showlegend=False,
        hoverinfo="x+y",
    ))
    fig.add_vline(x=threshold, line={"color": PALETTE[5], "width": 2, "dash": "dash"})
    fig.update_xaxes(title=t("chart.score_at_as_of"), rangemode="tozero")
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(300, 30 * len(labels) + 80))


def threshold_curve_figure(curve: pl.DataFrame, current: float, current_crossed: int,
                           current_recall: float | None) -> go.Figure:
    """Hand-over volume against recall over all thresholds; the slider's threshold is marked."""
    fig = go.Figure(go.Scatter(
        x=curve["crossed"].to_list(), y=curve["recall"].to_list(), mode="lines", line={"color": PALETTE[0]},
        customdata=curve.select("threshold", "precision").to_numpy(), name="all thresholds",
        hovertemplate=t("chart.hover_curve", threshold="%{customdata[0]:,.0f}", crossed="%{x:,}",
                        recall="%{y:.1%}", precision="%{customdata[1]:.1%}") + "<extra></extra>",
    ))
    if current_recall is not None:
        fig.add_trace(go.Scatter(
            x=[current_crossed], y=[current_recall], mode="markers+text", name="current threshold",
            marker={"color": PALETTE[5], "size": 13, "symbol": "diamond"},
            text=[t("chart.threshold", value=f"{current:g}")], textposition="bottom right",
            hovertemplate=t("chart.hover_current", crossed="%{x:,}", recall="%{y:.1%}") + "<extra></extra>",
        ))
    fig.update_xaxes(title=t("chart.handed_over_axis"), rangemode="tozero", tickformat=",")
    fig.update_yaxes(title=t("chart.recall_axis"), tickformat=".0%", range=[0, 1.05])
    fig.update_layout(showlegend=False)
    return _layout(fig, height=360)


def weekly_handover_figure(weekly: pl.DataFrame) -> go.Figure:
    """Bars: leads the rules would have handed over each week; line: the MQLs that really happened. A week the
    date range only partly covers is drawn pale (its count is of fewer days, not a dip)."""
    partial = weekly["partial"].to_list() if "partial" in weekly.columns else [False] * weekly.height
    fig = go.Figure([
        go.Bar(x=weekly["week"].to_list(), y=weekly["what_if"].to_list(), name=t("chart.what_if"),
               marker={"color": PALETTE[0], "opacity": [0.4 if p else 1.0 for p in partial]},
               hovertemplate=t("chart.hover_week_what_if", week="%{x|%Y-%m-%d}", n="%{y:,}") + "<extra></extra>"),
        go.Scatter(x=weekly["week"].to_list(), y=weekly["actual_mql"].to_list(), name=t("chart.actual_mql"),
                   mode="lines+markers", line={"color": PALETTE[1], "width": 2},
                   hovertemplate=t("chart.hover_week_actual", week="%{x|%Y-%m-%d}", n="%{y:,}") + "<extra></extra>"),
    ])
    _week_ticks(fig, weekly.height)
    fig.update_yaxes(title=t("chart.per_week"), rangemode="tozero", tickformat=",d")
    _whole_counts(fig, max(as_optional_number(weekly["what_if"].max()) or 0.0,
                           as_optional_number(weekly["actual_mql"].max()) or 0.0))
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, height=340)


def sla_weekly_figure(weekly: pl.DataFrame) -> go.Figure:
    """Stacked bars of met / breached hand-overs per week and the compliance rate as a line."""
    weeks = weekly["week"].to_list()
    fig = go.Figure([
        go.Bar(x=weeks, y=weekly["met"].to_list(), name=t("metric.met"), marker={"color": PALETTE[2]},
               hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,}} {t('metric.met')}<extra></extra>"),
        go.Bar(x=weeks, y=weekly["breached"].to_list(), name=t("metric.breached"), marker={"color": PALETTE[5]},
               hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:,}} {t('metric.breached')}<extra></extra>"),
        go.Scatter(x=weeks, y=weekly["compliance_rate"].to_list(), name=t("sla.compliance"), yaxis="y2",
                   mode="lines+markers", line={"color": PALETTE[0], "width": 2},
                   hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:.1%}} {t('sla.compliance')}<extra></extra>"),
    ])
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2},
                      yaxis={"title": t("metric.handed_over"), "rangemode": "tozero"},
                      yaxis2={"title": t("sla.compliance"), "overlaying": "y", "side": "right", "range": [0, 1.05],
                              "tickformat": ".0%", "dtick": 0.25, "showgrid": False})
    _week_ticks(fig, weekly.height)
    return _layout(fig, height=340)


def velocity_trend_figure(trend: pl.DataFrame) -> go.Figure:
    """Velocity per month of the opportunity time: one bar a month; a month whose velocity is missing (no won
    deal with an amount, or nothing closed) has no bar, and its hover is not drawn — missing, not 0."""
    in_man = money_style() == "man"
    values = [None if v is None else (v / 10_000 if in_man else v) for v in trend["velocity"].to_list()]
    fig = go.Figure(go.Bar(
        x=trend["month"].to_list(), y=values, marker={"color": PALETTE[0]},
        text=[money(v) if v is not None else "" for v in trend["velocity"].to_list()], textposition="outside",
        cliponaxis=False,
        customdata=list(zip(trend["opportunities"].to_list(),
                            ["–" if v is None else f"{v:.0%}" for v in trend["win_rate"].to_list()],
                            [money(v) for v in trend["avg_won_amount"].to_list()],
                            [days(v, unit=True) for v in trend["avg_cycle_days"].to_list()], strict=True)),
        hovertemplate=t("chart.hover_velocity", month="%{x}", velocity="%{text}", n="%{customdata[0]:,}",
                        rate="%{customdata[1]}", amount="%{customdata[2]}", cycle="%{customdata[3]}")
        + "<extra></extra>",
    ))
    unit = t("unit.man_yen", n="").strip() if in_man else "¥"
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=t("chart.velocity_axis", unit=unit), rangemode="tozero", tickformat=",")
    return _layout(fig, height=340)


def attribution_figure(channels: pl.DataFrame, model_label: str, first_label: str) -> go.Figure:
    """Each channel's share of the converted leads under the chosen model beside first touch, largest on top, so the
    meeting sees which channels a multi-touch view moves up or down."""
    ranked = channels.filter(pl.col("share").is_not_null()).sort("share")
    labels = [as_text(channel_label(c)) for c in ranked["channel"].to_list()]
    fig = go.Figure()
    for column, name, colour in (("first_touch_share", first_label, "#BBBBBB"), ("share", model_label, PALETTE[0])):
        values = ranked[column].to_list()
        fig.add_trace(go.Bar(
            x=values, y=labels, orientation="h", name=name, marker={"color": colour},
            text=[f"{v:.1%}" for v in values], textposition="outside", cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{as_text(name)}: %{{text}}<extra></extra>",
        ))
    top = max(as_optional_number(ranked["share"].max()) or 0,
              as_optional_number(ranked["first_touch_share"].max()) or 0) or 1
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.08, "x": 0}, bargap=0.25)
    fig.update_xaxes(tickformat=".0%", range=[0, top * 1.2], title=t("chart.share_of_converted"))
    return _layout(fig, height=max(320, 44 * len(labels) + 100))


def spend_pipeline_figure(monthly: pl.DataFrame, model_label: str) -> go.Figure:
    """Spend per month (bars, left axis) against the opportunity amount credited to the channels with spend (line,
    right axis): pipeline is often a hundred times the spend, so each has its own scale, both in the same currency
    and coloured like their axis. A month without credited pipeline has no point (missing, not 0)."""
    in_man = money_style() == "man"
    scale = 10_000 if in_man else 1

    def scaled(values: list[float | None]) -> list[float | None]:
        return [None if v is None else v / scale for v in values]

    months = monthly["month"].to_list()
    spend_name = t("chart.spend")
    pipeline_name = t("chart.pipeline_credited", model=model_label)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=months, y=scaled(monthly["spend"].to_list()), name=spend_name,
                         marker={"color": PALETTE[1]}, customdata=[money(v) for v in monthly["spend"].to_list()],
                         hovertemplate="%{x}: %{customdata}<extra>" + as_text(spend_name) + "</extra>"))
    fig.add_trace(go.Scatter(x=months, y=scaled(monthly["pipeline"].to_list()), name=pipeline_name, yaxis="y2",
                             mode="lines+markers", line={"color": PALETTE[0], "width": 3}, connectgaps=False,
                             customdata=[money(v) for v in monthly["pipeline"].to_list()],
                             hovertemplate="%{x}: %{customdata}<extra>" + as_text(t("chart.pipeline")) + "</extra>"))
    unit = t("unit.man_yen", n="").strip() if in_man else "¥"
    fig.update_layout(
        legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": {"text": f"{spend_name} ({unit})", "font": {"color": PALETTE[1]}}, "rangemode": "tozero",
               "tickformat": ",.0f", "tickfont": {"color": PALETTE[1]}},
        # Its own round ticks (Streamlit's theme would sync them to the left axis's grid: 191,885,564.128).
        yaxis2={"title": {"text": f"{t('chart.pipeline')} ({unit})", "font": {"color": PALETTE[0]}},
                "overlaying": "y", "side": "right", "rangemode": "tozero", "tickformat": ",.0f",
                "tickmode": "auto", "nticks": 6, "tickfont": {"color": PALETTE[0]}, "showgrid": False},
    )
    fig.update_xaxes(type="category")
    return _layout(fig, height=360)
