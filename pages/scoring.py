"""Lead scoring: if we hand over at a different threshold or weights, how many more leads does sales get,
and how many more real deals would we have caught, how early?"""

from datetime import datetime, time, timedelta

import polars as pl
import streamlit as st

from leadfunnel.charts import (
    score_by_channel_figure,
    score_histogram_figure,
    threshold_curve_figure,
    weekly_handover_figure,
)
from leadfunnel.export import csv_bytes
from leadfunnel.model import channel_label
from leadfunnel.scoring.backtest import (
    handovers_by_week,
    lead_outcomes,
    running_scores,
    summarise,
    threshold_curve,
)
from leadfunnel.scoring.distribution import (
    binned_by_group,
    by_channel,
    nice_bin_width,
    top_open_leads,
    with_outcome_group,
)
from leadfunnel.scoring.learn import NotEnoughHistory, suggest_points
from leadfunnel.scoring.rollup import lead_outcomes_fast
from leadfunnel.scoring.rules import (
    DEFAULT_RULES,
    FIT_ATTRIBUTES,
    FORMULA,
    RuleSet,
    RuleSetError,
    dump_rules,
    editable_types,
    parse_rules,
)
from leadfunnel.scoring.store import load_rule_set, rule_set_names, save_rule_set
from leadfunnel.ui.format import count, count_delta, days, percent, rate_delta
from leadfunnel.ui.session import run_query, runner, scoring_history, scoring_rollup
from leadfunnel.ui.sidebar import PROPOSED_RULES_KEY, current_view

OUTCOME_LABELS = {"sql": "SQL", "won": "Won deal"}
filters, _ = current_view()
con = runner().con

st.title("Lead scoring")
st.caption("Try other weights and thresholds and see, on your own history, how many leads sales would get "
           "and how many real deals the rules would have flagged before they happened.")
with st.expander("How the score and the backtest are computed"):
    st.markdown(f"**Score.** {FORMULA}  \n"
                "**Crossing time**: the first activity at which a lead's running score (including that activity) "
                "reached the threshold. **Positives**: leads that reached the outcome before the as-of date. "
                "**Caught**: positives whose crossing time was strictly before the outcome. "
                "**Recall** = caught ÷ positives; **precision** = caught ÷ leads that crossed; "
                "**lead time gained** = outcome time − crossing time (median over caught leads).  \n"
                "The backtest uses all leads created before the as-of date that match the sidebar's channel, "
                "industry, size and owner filters; the date range sets the weekly chart and the as-of default.")


# --- the rules being tried -------------------------------------------------------------------------

def _select(name: str) -> None:
    st.session_state["rule_set"] = name


def _save(rules: RuleSet) -> None:
    name = st.session_state.get("save_as", "").strip()
    try:
        save_rule_set(con, rules.with_changes(name=name))
    except RuleSetError as error:
        st.session_state["rules_message"] = ("error", str(error))
        return
    st.session_state["rules_message"] = ("success", f"Saved the rules as “{name}”.")
    _select(name)


def _upload() -> None:
    uploaded = st.session_state.get("rules_upload")
    if uploaded is None:
        return
    try:
        rules = parse_rules(uploaded.getvalue().decode("utf-8-sig"))
        save_rule_set(con, rules)
    except (RuleSetError, UnicodeDecodeError) as error:
        st.session_state["rules_message"] = ("error", f"{uploaded.name}: {error}")
        return
    st.session_state["rules_message"] = ("success", f"Loaded “{rules.name}” from {uploaded.name}.")
    _select(rules.name)


top = st.columns([2, 2, 2, 1.4, 1.4])
picked = top[0].selectbox("Rule set", rule_set_names(con), key="rule_set",
                          help="The guide's default or a saved set. Changes below are tried live; save them to keep.")
saved = load_rule_set(con, picked)
threshold = top[1].slider("Hand-over threshold (points)", 1, max(300, int(saved.threshold) * 2),
                          int(saved.threshold), key=f"threshold::{picked}",
                          help="A lead is handed over to sales when its score reaches this.")
half_life = top[2].slider("Recency half-life (days, 0 = no decay)", 0, 365, int(saved.half_life_days or 0),
                          key=f"half_life::{picked}", help="Points lose half their value every this many days.")
outcome = top[3].radio("Outcome", list(OUTCOME_LABELS), format_func=OUTCOME_LABELS.get, key="outcome",
                       help="What a lead must reach after crossing to count as caught.")
default_as_of = (filters.date_to or datetime.now().date()) + timedelta(days=1)
as_of_day = top[4].date_input("As of (start of day)", value=default_as_of, key=f"as_of::{default_as_of}",
                              help="Only activities before this instant count. Default: the day after the date range.")
as_of = datetime.combine(as_of_day, time())

with st.expander("Points per activity type, caps and fit points", expanded=False):
    points_column, fit_column = st.columns([3, 2])
    types = editable_types(saved)
    edited_points = points_column.data_editor(
        pl.DataFrame({"activity_type": types, "points": [float(saved.points.get(t, 0.0)) for t in types],
                      "cap": [saved.caps.get(t) for t in types]}, schema_overrides={"cap": pl.Float64}),
        key=f"points::{picked}", hide_index=True, width="stretch", disabled=["activity_type"],
        column_config={
            "activity_type": st.column_config.TextColumn("Activity type"),
            "points": st.column_config.NumberColumn("Points", step=1.0, help="Points each activity adds."),
            "cap": st.column_config.NumberColumn("Cap", min_value=0.0, step=1.0,
                                                 help="Most points this type can add in total; empty = no cap."),
        },
    )
    fit_rows = sorted(saved.fit.items())
    edited_fit = fit_column.data_editor(
        pl.DataFrame({"attribute": [a for (a, _), _ in fit_rows], "value": [v for (_, v), _ in fit_rows],
                      "points": [float(p) for _, p in fit_rows]},
                     schema={"attribute": pl.String, "value": pl.String, "points": pl.Float64}),
        key=f"fit::{picked}", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "attribute": st.column_config.SelectboxColumn("Attribute", options=list(FIT_ATTRIBUTES), required=True),
            "value": st.column_config.TextColumn("Value", required=True, help="Exact value, e.g. Manufacturing."),
            "points": st.column_config.NumberColumn("Points", step=1.0, required=True),
        },
    )
    fit_column.caption("Fit points are added once to every lead whose attribute has that value.")

try:
    rules = RuleSet(
        name=picked, threshold=float(threshold), half_life_days=float(half_life) or None,
        points={r["activity_type"]: r["points"] or 0.0 for r in edited_points.iter_rows(named=True)},
        caps={r["activity_type"]: r["cap"] for r in edited_points.iter_rows(named=True) if r["cap"] is not None},
        fit={(r["attribute"], r["value"]): r["points"] for r in edited_fit.iter_rows(named=True)
             if r["attribute"] and r["value"] and r["points"] is not None},
    )
except RuleSetError as error:
    st.error(f"These rules cannot be used: {error}")
    st.stop()

save, download, upload = st.columns([2, 1, 2])
with save:
    name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    name_column.text_input("Save these rules as", key="save_as", placeholder="e.g. Q3 proposal: threshold 80")
    button_column.button("Save", on_click=_save, args=(rules,), disabled=not st.session_state.get("save_as"))
download.download_button("Download rules (YAML)", dump_rules(rules), file_name="leadfunnel-rules.yaml",
                         mime="application/yaml", width="stretch")
upload.file_uploader("Load a rules file (YAML or JSON)", type=["yaml", "yml", "json"], key="rules_upload",
                     on_change=_upload, label_visibility="collapsed")
if message := st.session_state.pop("rules_message", None):
    (st.error if message[0] == "error" else st.success)(message[1])

# --- backtest --------------------------------------------------------------------------------------

rollup = scoring_rollup(as_of, filters)
if rollup.leads.is_empty():
    st.info("No leads match these filters before the as-of date. Move the as-of date later or clear a filter.")
    st.stop()


def outcomes_for(tried: RuleSet) -> pl.DataFrame:
    """Per-lead backtest: from the per-lead counts when that is exact (no decay), else from every event."""
    if rollup.covers(tried):
        return lead_outcomes_fast(rollup, tried, outcome)
    return with_crossing_times(tried)


def with_crossing_times(tried: RuleSet) -> pl.DataFrame:
    history = scoring_history(as_of, filters)
    return lead_outcomes(history, running_scores(history, tried), tried, outcome)


st.session_state[PROPOSED_RULES_KEY] = rules if rules.to_mapping() != DEFAULT_RULES.to_mapping() else None
per_lead = outcomes_for(rules)
result = summarise(per_lead, rules.threshold, outcome)
changed = rules.to_mapping() | {"name": saved.name} != saved.to_mapping()
baseline = summarise(outcomes_for(saved), saved.threshold, outcome) if changed else result


def _delta(delta: str | None) -> str | None:
    """Deltas only once the rules differ from the saved set, so an untouched page shows no zero arrows."""
    return delta if changed else None


st.subheader(f"Backtest: would these rules have flagged the leads that became {OUTCOME_LABELS[outcome]}?")
metrics = st.columns(5)
metrics[0].metric("Handed over", count(result.crossed), _delta(count_delta(result.crossed, baseline.crossed)),
                  delta_color="off", help="Leads whose running score crossed the threshold before the as-of date.")
metrics[1].metric("Caught", count(result.caught), _delta(count_delta(result.caught, baseline.caught)),
                  help=f"Leads that crossed strictly before reaching {OUTCOME_LABELS[outcome]}.")
metrics[2].metric("Recall", percent(result.recall), _delta(rate_delta(result.recall, baseline.recall)),
                  help=f"Caught ÷ the {result.positives:,} leads that reached {OUTCOME_LABELS[outcome]}.")
metrics[3].metric("Precision", percent(result.precision), _delta(rate_delta(result.precision, baseline.precision)),
                  help="Caught ÷ handed over.")
lead_time_slot = metrics[4].empty()
st.caption(f"{result.leads:,} leads created before {as_of:%Y-%m-%d}; {result.positives:,} reached "
           f"{OUTCOME_LABELS[outcome]}. Once you change the rules, the arrows compare with the saved rule set "
           f"“{saved.name}” (threshold {saved.threshold:g}).")

curve_column, weekly_column = st.columns(2)
with curve_column:
    st.markdown("**Volume vs. recall over all thresholds**")
    curve = threshold_curve(per_lead)
    st.plotly_chart(threshold_curve_figure(curve, rules.threshold, result.crossed, result.recall),
                    width="stretch", key="threshold_curve")
    st.caption("Each point of the line is one threshold: leads handed over against the share of real "
               f"{OUTCOME_LABELS[outcome]}s caught in advance. The diamond is the slider's threshold.")

# Crossing *times* (lead time, weekly what-if) need every event: drawn after the instant numbers above.
with weekly_column, st.spinner("Replaying every activity for crossing times…"):
    timed = per_lead if "crossing_at" in per_lead.columns else with_crossing_times(rules)
    lead_days = summarise(timed, rules.threshold, outcome).median_lead_days
    lead_time_slot.metric("Days earlier (median)", days(lead_days),
                          help=f"Median of ({OUTCOME_LABELS[outcome]} time − crossing time) over caught leads.")
    st.markdown(f"**What-if hand-overs per week vs. actual MQLs**, {filters.date_from} to {filters.date_to}")
    start = datetime.combine(filters.date_from, time()) if filters.date_from else None
    end = datetime.combine(filters.date_to, time()) + timedelta(days=1) if filters.date_to else None
    weekly = handovers_by_week(timed, start, min(end, as_of) if end else as_of)
    st.plotly_chart(weekly_handover_figure(weekly), width="stretch", key="weekly_handovers")
    weeks = max(weekly.height, 1)
    st.caption(f"What-if: leads whose score crossed the threshold that week ({weekly['what_if'].sum() / weeks:,.1f} "
               f"per week on average); actual: leads that became MQL ({weekly['actual_mql'].sum() / weeks:,.1f} "
               "per week). Weeks start on Monday.")

# --- distribution ----------------------------------------------------------------------------------

st.subheader(f"Score distribution on {as_of:%Y-%m-%d}")
scores = run_query("scoring/lead_scores", {"as_of": as_of, **rules.params()})
scored = with_outcome_group(rollup.leads, as_of, scores)
over = int((scored["score"] >= rules.threshold).sum())
st.caption(f"{over:,} of {scored.height:,} leads score at or over the threshold on that day "
           "(with decay, a lead that crossed earlier may have fallen back below).")
split = st.segmented_control("Split by", ["Outcome", "Channel"], default="Outcome", key="score_split")
if split == "Channel":
    st.plotly_chart(score_by_channel_figure(by_channel(scored, rules.threshold), rules.threshold),
                    width="stretch", key="score_by_channel")
    st.caption("Each box: the middle half of the channel's leads, the line inside is the median, whiskers reach "
               "the lowest and highest score. Dashed line: the threshold.")
else:
    width = nice_bin_width(rules.threshold, float(scored["score"].max() or 0))
    st.plotly_chart(score_histogram_figure(binned_by_group(scored, width), width, rules.threshold),
                    width="stretch", key="score_histogram")
    st.caption(f"Leads per {width:g}-point score band, coloured by where they got by the as-of date.")

# --- learned weights -------------------------------------------------------------------------------

st.subheader("Learn weights from history")
try:
    suggestion = suggest_points(scoring_history(as_of, filters), rules, outcome)
except NotEnoughHistory as reason:
    st.info(f"Cannot learn weights here: {reason}.")
else:
    learned_name = f"Learned {as_of:%Y-%m-%d} ({OUTCOME_LABELS[outcome]})"
    comparison = pl.DataFrame({
        "activity_type": list(suggestion.points),
        "current": [rules.points.get(t, 0.0) for t in suggestion.points],
        "suggested": list(suggestion.points.values()),
    }).sort("suggested", descending=True)
    table_column, auc_column = st.columns([3, 2])
    table_column.dataframe(comparison, hide_index=True, width="stretch", column_config={
        "activity_type": "Activity type", "current": "Current points", "suggested": "Suggested points"})
    auc_column.metric("Holdout AUC, current points", f"{suggestion.holdout_auc_current:.2f}")
    auc_column.metric("Holdout AUC, suggested points", f"{suggestion.holdout_auc_suggested:.2f}")
    auc_column.caption(
        f"AUC is the chance that a random lead which reached {OUTCOME_LABELS[outcome]} outscores a random one that "
        f"did not (0.5 = coin toss, 1 = perfect), measured on the newest {suggestion.holdout_leads:,} leads after "
        f"learning from the older {suggestion.train_leads:,}. Suggested points come from a logistic regression on "
        "activity counts before the outcome, scaled so the largest equals your largest current weight; sales "
        "touches are left out.")

    def _use_suggestion() -> None:
        save_rule_set(con, rules.with_changes(name=learned_name, points=suggestion.points, caps={}))
        _select(learned_name)

    auc_column.button("Use the suggestion as a new rule set", on_click=_use_suggestion,
                      help=f"Saves “{learned_name}” with your threshold and half-life, and selects it.")

# --- leads to look at ------------------------------------------------------------------------------

st.subheader("Top-scoring leads not yet handed over")
top_leads = top_open_leads(scored, as_of, run_query).with_columns(
    pl.col("channel").map_elements(channel_label, return_dtype=pl.String))
st.dataframe(top_leads, hide_index=True, width="stretch", column_config={
    "lead_id": "Lead", "company": "Company", "channel": "Channel", "owner": "Owner",
    "score": st.column_config.NumberColumn("Score", format="%.1f"),
    "last_activity": st.column_config.DatetimeColumn("Last activity", format="YYYY-MM-DD HH:mm"),
    "recent_activities": "Recent activities (newest first)",
})
st.caption("Leads without an MQL date by the as-of date, highest score first.")
st.download_button("Download these leads (CSV)", csv_bytes(top_leads), file_name=f"top-leads-{as_of:%Y%m%d}.csv",
                   mime="text/csv")
