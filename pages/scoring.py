"""Lead scoring: if we hand over at a different threshold or weights, how many more leads does sales get,
and how many more real deals would we have caught, how early?"""

from datetime import datetime, time, timedelta

import streamlit as st

from leadfunnel.asof import cutoff
from leadfunnel.charts import (
    score_by_channel_figure,
    score_histogram_figure,
    weekly_handover_figure,
)
from leadfunnel.format import count, count_delta, days, percent, rate_delta
from leadfunnel.i18n import day, moment, moment_format, t
from leadfunnel.metrics import BACKTEST_METRICS, by_column
from leadfunnel.scoring.distribution import binned_by_group, by_channel, nice_bin_width, with_outcome_group
from leadfunnel.scoring.rules import DEFAULT_RULES, RuleSet, dump_rules, editable_types, rule_set_label
from leadfunnel.ui import url_state
from leadfunnel.ui.downloads import download_buttons
from leadfunnel.ui.first_paint import after_first_paint, control, end_of_first_screen, keep_space, plotly_chart, stop
from leadfunnel.ui.rule_sets import (
    edited_rules,
    save_load_manage,
    saved_rule_set,
    saved_rule_set_names,
    threshold_top,
)
from leadfunnel.ui.scoring_sections import learned_weights_section, scenario_comparison
from leadfunnel.ui.scoring_views import lead_scores, scoring_engine, top_open_leads
from leadfunnel.ui.sidebar import PROPOSED_RULES_KEY, current_as_of, current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.threshold_curve import CURVE_HEIGHT, curve_points, threshold_curve_chart

BACKTEST = by_column(BACKTEST_METRICS)  # the figures' names and definitions

filters, _ = current_view()
as_of = current_as_of()
bound = cutoff(as_of)  # the scoring code counts what happened strictly before its instant: at or before as_of

st.title(t("scoring.title"))
st.caption(t("scoring.caption"))
with st.expander(t("scoring.how")):
    st.markdown(t("scoring.how_text"))

# --- the rules being tried -------------------------------------------------------------------------

names = saved_rule_set_names()
invalid = url_state.restore_page("scoring", {
    "rules": ("rule_set", lambda v: v if v in names else None),
    "outcome": ("outcome", lambda v: v if v in ("sql", "won") else None),
})
chosen = st.session_state.get("rule_set", names[0])
chosen_rules = saved_rule_set(chosen if chosen in names else names[0])
invalid += url_state.restore_page("scoring-weights", {
    "w": (f"_url_weights::{chosen}", url_state.number_pairs(editable_types(chosen_rules))),
})
invalid += url_state.restore_page("scoring-sliders", {
    "threshold": (f"threshold::{chosen}", url_state.number_between(1, threshold_top(chosen_rules))),
    "half_life": (f"half_life::{chosen}", url_state.number_between(0, 365)),
})
if invalid:
    st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")

top = st.columns([2, 2, 1.4])
picked = control(top[0].selectbox, t("scoring.rule_set"), names, key="rule_set", unset=names[0],
                 help=t("scoring.rule_set_help"), format_func=rule_set_label)
saved = saved_rule_set(picked)
THRESHOLD_KEY = f"threshold::{picked}"  # the slider lives in the backtest fragment below
saved_half_life = int(saved.half_life_days or 0)  # the slider's start, and no `half_life` in the link
half_life = control(top[1].slider, t("scoring.half_life"), 0, 365, saved_half_life, key=f"half_life::{picked}",
                    unset=saved_half_life, help=t("scoring.half_life_help"))
outcome = control(top[2].radio, t("scoring.outcome"), ["sql", "won"], key="outcome", unset="sql",
                  format_func=lambda o: t(f"scoring.outcome.{o}"), help=t("scoring.outcome_help"))
reached = t(f"scoring.outcome.{outcome}")
url_state.publish({
    "rules": None if picked == names[0] else picked,
    "half_life": None if half_life == saved_half_life else str(half_life),
    "outcome": None if outcome == "sql" else outcome,
})
rules = edited_rules(saved, THRESHOLD_KEY, half_life)
url_state.publish({"w": ",".join(f"{kind}:{points:g}" for kind, points in sorted(rules.points.items())
                                   if points != saved.points.get(kind, 0.0)) or None})
save_load_manage(rules, names, THRESHOLD_KEY)

# --- backtest --------------------------------------------------------------------------------------

engine = scoring_engine(bound, filters, outcome)
rollup = engine.rollup
if rollup.leads.is_empty():
    st.info(t("scoring.empty"))
    stop()
if not rollup.counts["n"].any() and not rules.fit:  # nothing to score by: say so, not "0 handed over, 0.0 %"
    st.info(t("scoring.no_activities"), icon=":material/info:")
    stop()

start = datetime.combine(filters.date_from, time()) if filters.date_from else None
end = datetime.combine(filters.date_to, time()) + timedelta(days=1) if filters.date_to else None
end = min(end, bound) if end else bound
scores = lead_scores(bound, rules)  # the threshold plays no part
scored = with_outcome_group(rollup.leads, bound, scores)


@st.fragment
def threshold_and_backtest(untried: RuleSet) -> None:
    """The threshold slider with what it changes: a move reruns and repaints only this part of the page."""
    slider_column, download_column = st.columns([3, 1], vertical_alignment="bottom")
    top = threshold_top(saved)
    saved_threshold = int(saved.threshold)  # the slider's start, and no `threshold` in the link
    threshold = control(slider_column.slider, t("scoring.threshold"), 1, top, saved_threshold, key=THRESHOLD_KEY,
                        unset=saved_threshold, help=t("scoring.threshold_help"))
    rules = untried.with_changes(threshold=float(threshold))
    url_state.publish({"threshold": None if threshold == saved_threshold else str(threshold)})
    if after_first_paint():
        download_column.download_button(t("scoring.download_rules"), dump_rules(rules),
                                        file_name="leadfunnel-rules.yaml", mime="application/yaml", width="stretch")
    st.session_state[PROPOSED_RULES_KEY] = rules if rules.to_mapping() != DEFAULT_RULES.to_mapping() else None
    tried = engine.tried(rules, saved)
    result, baseline, changed = tried.result, tried.baseline, tried.changed

    def _delta(delta: str | None) -> str | None:
        """Deltas only once the rules differ from the saved set, so an untouched page shows no zero arrows."""
        return delta if changed else None

    st.subheader(t("scoring.backtest", outcome=reached))
    metrics = st.columns([1, 1, 1, 1, 1.3])  # the last label, "前倒し日数（中央値）", was cut off in equal columns
    crossed, caught, recall, precision = (BACKTEST[c] for c in ("crossed", "caught", "recall", "precision"))
    metrics[0].metric(t(crossed.label), count(result.crossed),
                      _delta(count_delta(result.crossed, baseline.crossed)), delta_color="off",
                      help=t(crossed.definition))
    metrics[1].metric(t(caught.label), count(result.caught), _delta(count_delta(result.caught, baseline.caught)),
                      help=t(caught.definition, outcome=reached))
    metrics[2].metric(t(recall.label), percent(result.recall), _delta(rate_delta(result.recall, baseline.recall)),
                      help=t(recall.definition, n=result.positives, outcome=reached))
    metrics[3].metric(t(precision.label), percent(result.precision),
                      _delta(rate_delta(result.precision, baseline.precision)), help=t(precision.definition))
    lead_time_slot = metrics[4].empty()
    st.caption(t("scoring.backtest_caption", leads=result.leads, as_of=moment(as_of), positives=result.positives,
                 outcome=reached, name=rule_set_label(saved.name), threshold=f"{saved.threshold:g}"))

    curve_column, weekly_column = st.columns(2)
    with curve_column:
        st.markdown(t("scoring.curve"))
        if after_first_paint():
            threshold_curve_chart(curve_points(tried.per_lead, top), threshold, THRESHOLD_KEY,
                                  empty_text=t("scoring.curve_empty", outcome=reached), key="threshold_curve")
        else:
            keep_space(CURVE_HEIGHT)
        st.caption(t("scoring.curve_caption", outcome=reached))

    # --- distribution (the threshold line and the count over it) ---

    st.subheader(t("scoring.distribution", as_of=moment(as_of)))
    over = int((scored["score"] >= rules.threshold).sum())
    st.caption(t("scoring.over", over=over, leads=scored.height))
    split = control(st.segmented_control, t("scoring.split"), ["Outcome", "Channel"], default="Outcome",
                    key="score_split", unset="Outcome", height=60, format_func=lambda o: t(f"scoring.split.{o}"))
    if split == "Channel":
        plotly_chart(score_by_channel_figure(by_channel(scored, rules.threshold), rules.threshold),
                     width="stretch", key="score_by_channel")
        st.caption(t("scoring.boxes_caption"))
    else:
        width = nice_bin_width(rules.threshold, float(scored["score"].max() or 0))
        plotly_chart(score_histogram_figure(binned_by_group(scored, width), width, rules.threshold),
                     width="stretch", key="score_histogram")
        st.caption(t("scoring.histogram_caption", width=f"{width:g}"))

    # Crossing *times* (lead time, weekly what-if) need every event: replayed last, into the column kept for them,
    # so the numbers, the curve and the distribution paint first (a session's first run leaves them to the next).
    if not after_first_paint():
        keep_space(CURVE_HEIGHT, container=weekly_column)
        return
    with weekly_column, st.spinner(t("scoring.replaying")):
        timing = engine.timing(tried, saved, start, end)
        earlier = BACKTEST["median_lead_days"]
        lead_time_slot.metric(t(earlier.label), days(timing.lead_days),
                              _delta(None if timing.lead_days is None or timing.baseline_days is None
                                     else f"{timing.lead_days - timing.baseline_days:+.1f}"),
                              help=t(earlier.definition, outcome=reached))
        st.markdown(t("scoring.weekly", start=day(filters.date_from), end=day(filters.date_to)))
        plotly_chart(weekly_handover_figure(timing.weekly), width="stretch", key="weekly_handovers")
        st.caption(t("scoring.weekly_caption", what_if=f"{timing.what_if_per_week:,.1f}",
                     actual=f"{timing.actual_per_week:,.1f}"))


threshold_and_backtest(rules)
end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

# --- two scenarios side by side, learned weights ----------------------------------------------------

scenario_comparison(engine, names, start, end)
learned_weights_section(bound, filters, rules, outcome, reached, as_of, THRESHOLD_KEY)

# --- leads to look at ------------------------------------------------------------------------------

st.subheader(t("scoring.top_leads"))
top_leads = top_open_leads(scored, bound)
table(top_leads, hide_index=True, width="stretch", column_config={
    "lead_id": t("pack.lead"), "company": t("pack.company"), "channel": t("col.channel"),
    "owner": t("sidebar.owner"), "score": st.column_config.NumberColumn(t("sla.score"), format="%.1f"),
    "last_activity": st.column_config.DatetimeColumn(t("scoring.last_activity"), format=moment_format()),
    "recent_activities": t("scoring.recent_activities"),
})
st.caption(t("scoring.top_leads_caption"))
download_buttons(top_leads, f"top-leads-{as_of:%Y%m%d}", "top_leads")
