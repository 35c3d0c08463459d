"""Channels: which acquisition channels bring leads that become deals, not just leads?"""

import polars as pl
import streamlit as st

from leadfunnel.attribution import COST_OUTCOMES, DEFAULT_MODEL, DEFAULT_OUTCOME, MODELS, OUTCOMES
from leadfunnel.charts import attribution_figure, channel_figure, spend_pipeline_figure
from leadfunnel.format import written
from leadfunnel.funnel import channel_ranking
from leadfunnel.i18n import day, t
from leadfunnel.metrics import CHANNEL_METRICS, RANKING_ORDER, by_column
from leadfunnel.model import channel_label, labelled, stage_label
from leadfunnel.ui import url_state
from leadfunnel.ui.downloads import download_buttons, span, unit_suffix
from leadfunnel.ui.first_paint import control, end_of_first_screen, plotly_chart, stop
from leadfunnel.ui.sidebar import ATTRIBUTION_KEY, current_view
from leadfunnel.ui.tables import readable, table
from leadfunnel.ui.views import channel_attribution, channel_summary

PODIUM = 3  # channels named at the top of the ranking

filters, mode = current_view()
st.title(t("channels.title"))
st.caption(t("channels.caption", mode=t(f"mode.{mode}"), start=day(filters.date_from), end=day(filters.date_to)))
unit = filters.unit
if unit == "account":
    st.caption(t("unit.by_account"))

channels = channel_summary(filters, mode)
if channels.is_empty() or channels["leads"].sum() == 0:
    st.info(t("funnel.empty"))
    stop()

catalogue = by_column(CHANNEL_METRICS)
metric = control(st.selectbox, t("channels.rank_by"), list(RANKING_ORDER), key="channel_metric",
                 unset=next(iter(RANKING_ORDER)), format_func=lambda m: t(catalogue[m].label_for(unit)))
chosen = catalogue[metric]
label, definition = t(chosen.label_for(unit)), t(chosen.definition_for(unit) or chosen.label_for(unit))
if channels[metric].drop_nulls().is_empty():  # e.g. by account, a late period where no account is new
    st.caption(t("channels.nothing_to_rank", label=label))
else:
    # the ranking's head as numbers, read at a glance (and first: the chart and the table come a moment later)
    leaders = channel_ranking(channels, metric)
    st.markdown(t("channels.top", label=label))
    for column, row in zip(st.columns(PODIUM), leaders.head(PODIUM).iter_rows(named=True), strict=False):
        column.metric(channel_label(row["channel"]), written(row[metric], chosen.kind), help=definition)
    plotly_chart(channel_figure(channels, metric, label, kind=chosen.kind), width="stretch",
                 key="channel_chart")
    st.caption(t("channels.chart_caption", label=label, definition=definition))

kinds = {m.column: m.kind for m in CHANNEL_METRICS if m.kind not in ("count", "text")}
shown = readable(labelled(channels, "channel", channel_label), kinds)  # a missing rate reads "–", not "None"
table(
    shown, hide_index=True, width="stretch", height=36 * (channels.height + 1) + 4,
    column_order=[m.column for m in CHANNEL_METRICS],
    column_config={m.column: (st.column_config.NumberColumn(t(m.label_for(unit)), format="localized")
                              if m.kind == "count" else st.column_config.TextColumn(
                                  t(m.label_for(unit)), help=t(m.definition_for(unit)) if m.definition else None))
                   for m in CHANNEL_METRICS},
)
st.caption(t("channels.sort_hint"))
download_buttons(labelled(channels, "channel", channel_label).select([m.column for m in CHANNEL_METRICS]),
                 f"channels-{mode}{unit_suffix(filters)}-{span(filters)}", "channels", kinds=kinds,
                 labels={m.column: t(m.label_for(unit)) for m in CHANNEL_METRICS})

# Multi-touch attribution (#18): the same period's conversions credited to every touch, beside first touch.
end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

st.divider()
st.subheader(t("attribution.title"))
invalid = url_state.restore_page("channels", {
    "model": ("attribution_model", lambda raw: raw if raw in MODELS else None),
    "result": ("attribution_outcome", lambda raw: raw if raw in OUTCOMES else None),
})
if invalid:
    st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")
st.session_state.setdefault("attribution_model", DEFAULT_MODEL)
st.session_state.setdefault("attribution_outcome", DEFAULT_OUTCOME)
left, right = st.columns([2, 3])
model = control(left.selectbox, t("attribution.model"), MODELS, key="attribution_model", unset=DEFAULT_MODEL,
                format_func=lambda m: t(f"attribution.model.{m}"), help=t("attribution.model_help"))
outcome = control(right.radio, t("attribution.outcome"), OUTCOMES, key="attribution_outcome", unset=DEFAULT_OUTCOME,
                  format_func=stage_label, horizontal=True, help=t("attribution.outcome_help"))
url_state.publish({"model": None if model == DEFAULT_MODEL else model,
                   "result": None if outcome == DEFAULT_OUTCOME else outcome})
st.session_state[ATTRIBUTION_KEY] = (model, outcome)  # what the meeting pack shows
model_label, outcome_label = t(f"attribution.model.{model}"), stage_label(outcome)
result = channel_attribution(filters)
converted = result.converted.get(outcome, 0)
st.caption(t("attribution.caption", n=converted, outcome=outcome_label, start=day(filters.date_from),
             end=day(filters.date_to), model=model_label, definition=t(f"attribution.model.{model}.definition")))
if unit == "account":
    st.caption(t("attribution.counts_leads"))
credited = result.channels(model, outcome)
if not converted:
    st.info(t("attribution.empty", outcome=outcome_label))
else:
    if model != "first_touch" and (credited["credit"] - credited["first_touch_credit"]).abs().max() < 1e-9:
        st.caption(t("attribution.only_creation"))  # no marketing activity with a channel before these conversions
    plotly_chart(attribution_figure(credited, model_label, t("attribution.model.first_touch")), width="stretch",
                 key="attribution_chart")
    shown = credited.with_columns(change=pl.col("share") - pl.col("first_touch_share"))
    columns = {"channel": t("col.channel"), "credit": t("attribution.col.credit", model=model_label),
               "share": t("attribution.col.share"), "first_touch_share": t("attribution.col.first_touch_share"),
               "change": t("attribution.col.change")}
    kinds = {"credit": "credit", "share": "percent", "first_touch_share": "percent", "change": "points"}
    if outcome == "won":
        columns["amount"], kinds["amount"] = t("attribution.col.amount"), "money"
    if result.has_spend:
        columns |= {"spend": t("attribution.col.spend"),
                    "cost_per_conversion": t("attribution.col.cost_per", outcome=outcome_label),
                    "roi": t("attribution.col.roi")}
        kinds |= {"spend": "money", "cost_per_conversion": "money", "roi": "times"}
    labelled_rows = labelled(shown, "channel", channel_label).select(list(columns))
    table(readable(labelled_rows, kinds), hide_index=True, width="stretch", column_config=columns,
          height=36 * (labelled_rows.height + 1) + 4)
    st.caption(t("attribution.table_caption"))
    download_buttons(labelled_rows, f"attribution-{model}-{outcome}-{span(filters)}", "attribution",
                     kinds=kinds, labels=columns)
    if result.has_campaigns:
        with st.expander(t("attribution.campaigns")):
            campaigns = labelled(result.campaign_credit(model, outcome), "channel", channel_label).with_columns(
                pl.col("campaign").fill_null(t("attribution.no_campaign")))
            campaign_columns = {"channel": t("col.channel"), "campaign": t("attribution.col.campaign"),
                                "credit": t("attribution.col.credit", model=model_label)}
            table(readable(campaigns.select(list(campaign_columns)), {"credit": "credit"}), hide_index=True,
                  width="stretch", column_config=campaign_columns)
with st.expander(t("attribution.definitions")):
    st.markdown(t("attribution.definitions_text"))

st.subheader(t("attribution.spend_title"))
if not result.spend_applies:
    st.caption(t("attribution.spend_not_split"))
elif not result.has_spend:
    st.caption(t("attribution.no_spend"))
else:
    costs = labelled(result.costs(model), "channel", channel_label)
    cost_columns = {"channel": t("col.channel"), "spend": t("attribution.col.spend"),
                    **{f"cost_per_{o}": t("attribution.col.cost_per", outcome=stage_label(o)) for o in COST_OUTCOMES},
                    "roi": t("attribution.col.roi")}
    cost_kinds = {"spend": "money", **{f"cost_per_{o}": "money" for o in COST_OUTCOMES}, "roi": "times"}
    table(readable(costs.select(list(cost_columns)), cost_kinds), hide_index=True, width="stretch",
          column_config=cost_columns, height=36 * (costs.height + 1) + 4)
    st.caption(t("attribution.costs_caption", model=model_label))
    download_buttons(costs.select(list(cost_columns)), f"spend-{model}-{span(filters)}", "spend",
                     kinds=cost_kinds | {"roi": "credit"}, labels=cost_columns)
    plotly_chart(spend_pipeline_figure(result.spend_and_pipeline(model), model_label), width="stretch",
                 key="spend_chart")
    st.caption(t("attribution.spend_chart_caption", model=model_label))
