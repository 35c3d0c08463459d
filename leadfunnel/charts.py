"""Every Plotly figure the product draws, built from query-layer frames (testable without a browser)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from leadfunnel.model import channel_label

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"


def _layout(fig: go.Figure, *, height: int = 380) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font={"family": FONT},
                      separators=".,", hoverlabel={"font_family": FONT})
    return fig


def funnel_figure(stages: pl.DataFrame) -> go.Figure:
    """Funnel of stage counts; each bar says its count, % of previous stage and % of leads."""
    fig = go.Figure(go.Funnel(
        y=stages["label"].to_list(),
        x=stages["leads"].to_list(),
        texttemplate="%{value:,} · %{percentPrevious:.0%}",
        textposition="auto",
        insidetextanchor="middle",
        marker={"color": list(PALETTE[: stages.height])},
        connector={"line": {"color": "#999", "width": 1}},
        hovertemplate="%{y}: %{x:,} leads<br>%{percentPrevious:.1%} of previous stage"
                      "<br>%{percentInitial:.1%} of leads<extra></extra>",
    ))
    return _layout(fig, height=360)


def monthly_stage_figure(monthly: pl.DataFrame) -> go.Figure:
    """One line per stage: entries per month (cohort: by creation month)."""
    fig = go.Figure()
    labels = monthly.select("stage_order", "label").unique().sort("stage_order")["label"].to_list()
    for i, label in enumerate(labels):
        rows = monthly.filter(pl.col("label") == label)
        fig.add_trace(go.Scatter(
            x=rows["month"].to_list(), y=rows["leads"].to_list(), name=label, mode="lines+markers",
            line={"color": PALETTE[i % len(PALETTE)], "dash": ("solid", "dot", "dash", "dashdot")[i % 4]},
            hovertemplate=f"{label}<br>%{{x|%Y-%m}}: %{{y:,}}<extra></extra>",
        ))
    fig.update_xaxes(dtick="M1", tickformat="%Y-%m")
    fig.update_yaxes(title="leads", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, height=340)


BEST, WORST, MIDDLE = PALETTE[0], PALETTE[1], "#BBBBBB"


def rank_colours(n: int, highlighted: int = 3) -> list[str]:
    """Colours for n bars sorted worst→best: the best few blue, the worst few orange, the rest grey."""
    k = min(highlighted, n // 2)
    return [WORST] * k + [MIDDLE] * (n - 2 * k) + [BEST] * k


def channel_figure(channels: pl.DataFrame, metric: str, metric_label: str, *, is_rate: bool) -> go.Figure:
    """Horizontal bars, best channel on top, so the best and worst channels stand out."""
    ranked = channels.filter(pl.col(metric).is_not_null()).sort(metric)
    values = ranked[metric].to_list()
    labels = [channel_label(c) for c in ranked["channel"].to_list()]
    text = [f"{v:.1%}" if is_rate else f"{v:,.0f}" for v in values]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", text=text, textposition="outside", cliponaxis=False,
        marker={"color": rank_colours(len(values)), "line": {"color": "#333", "width": 0.5}},
        customdata=ranked["leads"].to_list(),
        hovertemplate=f"%{{y}}<br>{metric_label}: %{{text}}<br>leads: %{{customdata:,}}<extra></extra>",
    ))
    fig.update_xaxes(title=metric_label, tickformat=".0%" if is_rate else ",")
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(300, 34 * len(labels) + 80))
