"""Lead scoring: if we hand over at a different threshold or weights, how many more leads does sales get,
and how many more real deals would we have caught, how early?"""

from datetime import datetime, time, timedelta

import polars as pl
import streamlit as st

from leadfunnel.asof import cutoff
from leadfunnel.charts import (
    score_by_channel_figure,
    score_histogram_figure,
    threshold_curve_figure,
    weekly_handover_figure,
)
from leadfunnel.i18n import Message, day, localized, moment, moment_format, t
from leadfunnel.model import activity_label, channel_label, labelled
from leadfunnel.scoring.backtest import (
    handovers_by_week,
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
from leadfunnel.scoring.learn import NotEnoughHistory
from leadfunnel.scoring.rollup import lead_outcomes_fast
from leadfunnel.scoring.rules import (
    DEFAULT_RULES,
    FIT_ATTRIBUTES,
    RuleSet,
    RuleSetError,
    dump_rules,
    editable_types,
    parse_rules_bytes,
    rule_set_label,
)
from leadfunnel.scoring.scores import score_query
from leadfunnel.scoring.store import delete_rule_set, load_rule_set, rename_rule_set, rule_set_names, save_rule_set
from leadfunnel.ui import url_state
from leadfunnel.ui.downloads import download_buttons
from leadfunnel.ui.format import count, count_delta, days, percent, rate_delta
from leadfunnel.ui.session import learned_weights, replayed_outcomes, run_query, runner, scoring_rollup, writing
from leadfunnel.ui.sidebar import PROPOSED_RULES_KEY, current_as_of, current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.uploader import file_uploader

filters, _ = current_view()
as_of = current_as_of()
bound = cutoff(as_of)  # the scoring code counts what happened strictly before its instant: at or before as_of
con = runner().con

st.title(t("scoring.title"))
st.caption(t("scoring.caption"))
with st.expander(t("scoring.how")):
    st.markdown(t("scoring.how_text"))


# --- the rules being tried -------------------------------------------------------------------------

def _select(name: str) -> None:
    st.session_state["rule_set"] = name


def _with_current_threshold(rules: RuleSet, threshold_key: str) -> RuleSet:
    """The threshold slider reruns only its fragment, so `rules` from the last full run may hold an older one."""
    return rules.with_changes(threshold=float(st.session_state.get(threshold_key, rules.threshold)))


def _save(rules: RuleSet, threshold_key: str) -> None:
    name = st.session_state.get("save_as", "").strip()
    try:
        with writing() as writer:
            save_rule_set(writer, _with_current_threshold(rules, threshold_key).with_changes(name=name))
    except RuleSetError as error:
        st.session_state["rules_message"] = ("error", error.message)
        return
    st.session_state["rules_message"] = ("success", Message("scoring.saved", name=name))
    _select(name)


def _rename(old: str) -> None:
    new = st.session_state.get("rename_to", "").strip()
    try:
        with writing() as writer:
            rename_rule_set(writer, old, new)
    except RuleSetError as error:
        st.session_state["rules_message"] = ("error", error.message)
        return
    st.session_state["rules_message"] = ("success", Message("scoring.renamed", old=old, new=new))
    if st.session_state.get("rule_set") == old:
        _select(new)


def _delete(name: str) -> None:
    try:
        with writing() as writer:
            delete_rule_set(writer, name)
    except RuleSetError as error:
        st.session_state["rules_message"] = ("error", error.message)
        return
    st.session_state["rules_message"] = ("success", Message("scoring.deleted", name=name))
    if st.session_state.get("rule_set") == name:
        _select(DEFAULT_RULES.name)


def _upload() -> None:
    uploaded = st.session_state.get("rules_upload")
    if uploaded is None:
        return
    try:
        rules = parse_rules_bytes(uploaded.getvalue(), uploaded.name)  # any encoding the data readers accept
        with writing() as writer:
            save_rule_set(writer, rules)
    except RuleSetError as error:
        st.session_state["rules_message"] = ("error", Message("error.in_file", file=uploaded.name,
                                                              problem=error.message))
        return
    st.session_state["rules_message"] = ("success", Message("scoring.loaded", name=rules.name, file=uploaded.name))
    _select(rules.name)


def _per_week(weekly: pl.DataFrame, column: str) -> float:
    """Per week over every day of the range shown (leadfunnel.weeks), not over the weeks that had events."""
    return float(weekly[column].sum()) / max(int(weekly["days"].sum()), 1) * 7 if weekly.height else 0.0


def _cap_text(cap: float | None) -> str:
    return "" if cap is None else f"{cap:g}"


def parse_weights(raw: str, known: list[str]) -> dict[str, float] | None:
    """`webinar_attended:30,email_open:0` → points per type (None if any part is not a known type and a number)."""
    weights = {}
    for part in raw.split(","):
        kind, _, value = part.partition(":")
        if kind not in known:
            return None
        weights[kind] = float(value)
    return weights


names = rule_set_names(con)
invalid = url_state.restore_page("scoring", {
    "rules": ("rule_set", lambda v: v if v in names else None),
    "outcome": ("outcome", lambda v: v if v in ("sql", "won") else None),
})
chosen = st.session_state.get("rule_set", names[0])
chosen_rules = load_rule_set(con, chosen if chosen in names else names[0])
invalid += url_state.restore_page("scoring-weights", {
    "w": (f"_url_weights::{chosen}", lambda raw: parse_weights(raw, editable_types(chosen_rules))),
})
invalid += url_state.restore_page("scoring-sliders", {
    "threshold": (f"threshold::{chosen}", url_state.number_between(1, max(300, int(chosen_rules.threshold) * 2))),
    "half_life": (f"half_life::{chosen}", url_state.number_between(0, 365)),
})
if invalid:
    st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")

top = st.columns([2, 2, 1.4])
picked = top[0].selectbox(t("scoring.rule_set"), names, key="rule_set", help=t("scoring.rule_set_help"),
                          format_func=rule_set_label)
saved = load_rule_set(con, picked)
THRESHOLD_KEY = f"threshold::{picked}"  # the slider lives in the backtest fragment below
half_life = top[1].slider(t("scoring.half_life"), 0, 365, int(saved.half_life_days or 0), key=f"half_life::{picked}",
                          help=t("scoring.half_life_help"))
outcome = top[2].radio(t("scoring.outcome"), ["sql", "won"], format_func=lambda o: t(f"scoring.outcome.{o}"),
                       key="outcome", help=t("scoring.outcome_help"))
reached = t(f"scoring.outcome.{outcome}")
url_state.publish({
    "rules": None if picked == names[0] else picked,
    "half_life": None if half_life == int(saved.half_life_days or 0) else str(half_life),
    "outcome": None if outcome == "sql" else outcome,
})

with st.expander(t("scoring.points"), expanded=False):
    points_column, fit_column = st.columns([3, 2])
    types = editable_types(saved)
    linked_weights = st.session_state.get(f"_url_weights::{picked}", {})  # from a shared link
    edited_points = points_column.data_editor(
        pl.DataFrame({"activity_type": types, "label": [activity_label(kind) for kind in types],
                      "points": [float(linked_weights.get(kind, saved.points.get(kind, 0.0))) for kind in types],
                      # As text: an empty cell is "no cap" (a number column would show a missing cap as "None").
                      "cap": [_cap_text(saved.caps.get(kind)) for kind in types]}),
        key=f"points::{picked}", hide_index=True, width="stretch", disabled=["activity_type", "label"],
        column_order=("label", "points", "cap"),
        column_config={
            "label": st.column_config.TextColumn(t("scoring.activity_type")),
            "points": st.column_config.NumberColumn(t("scoring.points_col"), step=1.0, help=t("scoring.points_help")),
            "cap": st.column_config.TextColumn(t("scoring.cap"), help=t("scoring.cap_help"),
                                               validate=r"^\s*(\d+(\.\d+)?)?\s*$"),
        },
    )
    fit_rows = sorted(saved.fit.items())
    edited_fit = fit_column.data_editor(
        pl.DataFrame({"attribute": [a for (a, _), _ in fit_rows], "value": [v for (_, v), _ in fit_rows],
                      "points": [float(p) for _, p in fit_rows]},
                     schema={"attribute": pl.String, "value": pl.String, "points": pl.Float64}),
        key=f"fit::{picked}", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "attribute": st.column_config.SelectboxColumn(t("scoring.attribute"), options=list(FIT_ATTRIBUTES),
                                                          required=True),
            "value": st.column_config.TextColumn(t("scoring.value"), required=True, help=t("scoring.value_help")),
            "points": st.column_config.NumberColumn(t("scoring.points_col"), step=1.0, required=True),
        },
    )
    fit_column.caption(t("scoring.fit_caption"))

try:
    rules = RuleSet(
        name=picked, threshold=float(st.session_state.get(THRESHOLD_KEY, saved.threshold)),
        half_life_days=float(half_life) or None,
        points={r["activity_type"]: r["points"] or 0.0 for r in edited_points.iter_rows(named=True)},
        caps={r["activity_type"]: float(r["cap"]) for r in edited_points.iter_rows(named=True)
              if r["cap"] is not None and r["cap"].strip()},
        fit={(r["attribute"], r["value"]): r["points"] for r in edited_fit.iter_rows(named=True)
             if r["attribute"] and r["value"] and r["points"] is not None},
    )
except RuleSetError as error:
    st.error(t("scoring.bad_rules", error=localized(error)))
    st.stop()
url_state.publish({"w": ",".join(f"{kind}:{points:g}" for kind, points in sorted(rules.points.items())
                                   if points != saved.points.get(kind, 0.0)) or None})

save, upload = st.columns([3, 2])
with save:
    name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    name_column.text_input(t("scoring.save_as"), key="save_as", placeholder=t("scoring.save_as_hint"))
    button_column.button(t("scoring.save"), on_click=_save, args=(rules, THRESHOLD_KEY),
                         disabled=not st.session_state.get("save_as"))
file_uploader(upload, t("scoring.load_rules"), types=["yaml", "yml", "json"], key="rules_upload",
              on_change=_upload, label_visibility="collapsed")
if len(names) > 1:
    with st.expander(t("scoring.manage"), icon=":material/edit_note:"):
        which, new_name, rename_column, delete_column = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
        target = which.selectbox(t("scoring.manage_which"), names[1:], key="manage_rule_set")
        new_name.text_input(t("scoring.rename_to"), key="rename_to")
        rename_column.button(t("scoring.rename"), on_click=_rename, args=(target,),
                             disabled=not st.session_state.get("rename_to"))
        delete_column.button(t("scoring.delete"), on_click=_delete, args=(target,))
        st.caption(t("scoring.manage_caption", name=rule_set_label(DEFAULT_RULES.name)))
if message := st.session_state.pop("rules_message", None):
    (st.error if message[0] == "error" else st.success)(localized(message[1]))  # in this run's language

# --- backtest --------------------------------------------------------------------------------------

rollup = scoring_rollup(bound, filters)
if rollup.leads.is_empty():
    st.info(t("scoring.empty"))
    st.stop()
if not rollup.counts["n"].any() and not rules.fit:  # nothing to score by: say so, not "0 handed over, 0.0 %"
    st.info(t("scoring.no_activities"), icon=":material/info:")
    st.stop()


def outcomes_for(tried: RuleSet) -> pl.DataFrame:
    """Per-lead backtest: from the per-lead counts when that is exact (no decay), else from every event."""
    if rollup.covers(tried):
        return lead_outcomes_fast(rollup, tried, outcome)
    return with_crossing_times(tried)


def with_crossing_times(tried: RuleSet) -> pl.DataFrame:
    return replayed_outcomes(bound, filters, tried, outcome)


start = datetime.combine(filters.date_from, time()) if filters.date_from else None
end = datetime.combine(filters.date_to, time()) + timedelta(days=1) if filters.date_to else None
scores = run_query(*score_query(bound, rules))  # the threshold plays no part
scored = with_outcome_group(rollup.leads, bound, scores)


@st.fragment
def threshold_and_backtest(untried: RuleSet) -> None:
    """The threshold slider with what it changes: a move reruns and repaints only this part of the page."""
    slider_column, download_column = st.columns([3, 1], vertical_alignment="bottom")
    threshold = slider_column.slider(t("scoring.threshold"), 1, max(300, int(saved.threshold) * 2),
                                     int(saved.threshold), key=THRESHOLD_KEY, help=t("scoring.threshold_help"))
    rules = untried.with_changes(threshold=float(threshold))
    url_state.publish({"threshold": None if threshold == int(saved.threshold) else str(threshold)})
    download_column.download_button(t("scoring.download_rules"), dump_rules(rules), file_name="leadfunnel-rules.yaml",
                                    mime="application/yaml", width="stretch")
    st.session_state[PROPOSED_RULES_KEY] = rules if rules.to_mapping() != DEFAULT_RULES.to_mapping() else None
    per_lead = outcomes_for(rules)
    result = summarise(per_lead, rules.threshold, outcome)
    changed = rules.to_mapping() | {"name": saved.name} != saved.to_mapping()
    baseline = summarise(outcomes_for(saved), saved.threshold, outcome) if changed else result

    def _delta(delta: str | None) -> str | None:
        """Deltas only once the rules differ from the saved set, so an untouched page shows no zero arrows."""
        return delta if changed else None

    st.subheader(t("scoring.backtest", outcome=reached))
    metrics = st.columns(5)
    metrics[0].metric(t("pack.handed_over"), count(result.crossed),
                      _delta(count_delta(result.crossed, baseline.crossed)), delta_color="off",
                      help=t("scoring.handed_over_help"))
    metrics[1].metric(t("pack.caught"), count(result.caught), _delta(count_delta(result.caught, baseline.caught)),
                      help=t("scoring.caught_help", outcome=reached))
    metrics[2].metric(t("pack.recall"), percent(result.recall), _delta(rate_delta(result.recall, baseline.recall)),
                      help=t("scoring.recall_help", n=result.positives, outcome=reached))
    metrics[3].metric(t("pack.precision"), percent(result.precision),
                      _delta(rate_delta(result.precision, baseline.precision)), help=t("scoring.precision_help"))
    lead_time_slot = metrics[4].empty()
    st.caption(t("scoring.backtest_caption", leads=result.leads, as_of=moment(as_of), positives=result.positives,
                 outcome=reached, name=rule_set_label(saved.name), threshold=f"{saved.threshold:g}"))

    curve_column, weekly_column = st.columns(2)
    with curve_column:
        st.markdown(t("scoring.curve"))
        curve = threshold_curve(per_lead)
        st.plotly_chart(threshold_curve_figure(curve, rules.threshold, result.crossed, result.recall),
                        width="stretch", key="threshold_curve")
        st.caption(t("scoring.curve_caption", outcome=reached))

    # Crossing *times* (lead time, weekly what-if) need every event: drawn after the instant numbers above.
    with weekly_column, st.spinner(t("scoring.replaying")):
        timed = per_lead if "crossing_at" in per_lead.columns else with_crossing_times(rules)
        lead_days = summarise(timed, rules.threshold, outcome).median_lead_days
        base_days = (summarise(with_crossing_times(saved), saved.threshold, outcome).median_lead_days
                     if changed else lead_days)
        lead_time_slot.metric(t("pack.days_earlier"), days(lead_days),
                              _delta(None if lead_days is None or base_days is None
                                     else f"{lead_days - base_days:+.1f}"),
                              help=t("scoring.days_earlier_help", outcome=reached))
        st.markdown(t("scoring.weekly", start=day(filters.date_from), end=day(filters.date_to)))
        weekly = handovers_by_week(timed, start, min(end, bound) if end else bound)
        st.plotly_chart(weekly_handover_figure(weekly), width="stretch", key="weekly_handovers")
        st.caption(t("scoring.weekly_caption", what_if=f"{_per_week(weekly, 'what_if'):,.1f}",
                     actual=f"{_per_week(weekly, 'actual_mql'):,.1f}"))

    # --- distribution (the threshold line and the count over it) ---

    st.subheader(t("scoring.distribution", as_of=moment(as_of)))
    over = int((scored["score"] >= rules.threshold).sum())
    st.caption(t("scoring.over", over=over, leads=scored.height))
    split = st.segmented_control(t("scoring.split"), ["Outcome", "Channel"], default="Outcome", key="score_split",
                                 format_func=lambda o: t(f"scoring.split.{o}"))
    if split == "Channel":
        st.plotly_chart(score_by_channel_figure(by_channel(scored, rules.threshold), rules.threshold),
                        width="stretch", key="score_by_channel")
        st.caption(t("scoring.boxes_caption"))
    else:
        width = nice_bin_width(rules.threshold, float(scored["score"].max() or 0))
        st.plotly_chart(score_histogram_figure(binned_by_group(scored, width), width, rules.threshold),
                        width="stretch", key="score_histogram")
        st.caption(t("scoring.histogram_caption", width=f"{width:g}"))


threshold_and_backtest(rules)

# --- two scenarios side by side ---------------------------------------------------------------------

st.subheader(t("scoring.compare"))
first_column, second_column = st.columns(2)
first = first_column.selectbox(t("scoring.scenario_a"), names, key="compare_a", format_func=rule_set_label)
second = second_column.selectbox(t("scoring.scenario_b"), names, index=min(1, len(names) - 1), key="compare_b",
                                 format_func=rule_set_label)
scenarios = []
for name in (first, second):
    candidate = load_rule_set(con, name)
    replayed = with_crossing_times(candidate)
    summary = summarise(replayed, candidate.threshold, outcome)
    per_week = handovers_by_week(replayed, start, min(end, bound) if end else bound)
    scenarios.append({
        t("scoring.rule_set"): rule_set_label(name), t("pack.threshold"): candidate.threshold,
        t("pack.handed_over"): summary.crossed,
        t("scoring.per_week"): round(_per_week(per_week, "what_if"), 1),
        t("pack.caught"): summary.caught, t("pack.recall"): percent(summary.recall),
        t("pack.precision"): percent(summary.precision), t("pack.days_earlier"): days(summary.median_lead_days),
    })
comparison_table = pl.DataFrame(scenarios)
table(comparison_table, hide_index=True, width="stretch")
st.caption(t("scoring.compare_caption"))
download_buttons(comparison_table, "scenarios", "scenarios")

# --- learned weights -------------------------------------------------------------------------------

st.subheader(t("scoring.learn"))
try:
    suggestion = learned_weights(bound, filters, rules, outcome)
except NotEnoughHistory as reason:
    st.info(t("scoring.cannot_learn", reason=localized(reason)))
else:
    learned_name = t("scoring.learned_name", as_of=day(as_of), outcome=reached)
    comparison = pl.DataFrame({
        "activity_type": [activity_label(kind) for kind in suggestion.points],
        "current": [rules.points.get(kind, 0.0) for kind in suggestion.points],
        "suggested": list(suggestion.points.values()),
    }).sort("suggested", descending=True)
    table_column, auc_column = st.columns([3, 2])
    table(comparison, container=table_column, hide_index=True, width="stretch", column_config={
        "activity_type": t("scoring.activity_type"), "current": t("scoring.current_points"),
        "suggested": t("scoring.suggested_points")})
    with table_column:  # under the table, as everywhere else
        download_buttons(comparison, "suggested-points", "suggested_points")
    auc_column.metric(t("scoring.auc_current"), f"{suggestion.holdout_auc_current:.2f}")
    auc_column.metric(t("scoring.auc_suggested"), f"{suggestion.holdout_auc_suggested:.2f}")
    auc_column.caption(t("scoring.auc_caption", outcome=reached, holdout=suggestion.holdout_leads,
                         train=suggestion.train_leads))

    def _use_suggestion() -> None:
        with writing() as writer:
            save_rule_set(writer, _with_current_threshold(rules, THRESHOLD_KEY).with_changes(
                name=learned_name, points=suggestion.points, caps={}))
        _select(learned_name)

    better = suggestion.holdout_auc_suggested > suggestion.holdout_auc_current
    if better:
        auc_column.button(t("scoring.use_suggestion"), on_click=_use_suggestion,
                          help=t("scoring.use_suggestion_help", name=learned_name))
    else:  # not offered as the better choice when it is not
        auc_column.warning(t("scoring.suggestion_worse", suggested=f"{suggestion.holdout_auc_suggested:.2f}",
                             current=f"{suggestion.holdout_auc_current:.2f}"), icon=":material/trending_down:")
        auc_column.button(t("scoring.use_suggestion_anyway"), on_click=_use_suggestion,
                          help=t("scoring.use_suggestion_help", name=learned_name))

# --- leads to look at ------------------------------------------------------------------------------

st.subheader(t("scoring.top_leads"))
top_leads = labelled(top_open_leads(scored, bound, run_query), "channel", channel_label)
top_leads = top_leads.with_columns(pl.Series("recent_activities", [  # labels in this thread: it knows the language
    None if kinds is None else ", ".join(activity_label(k) for k in kinds.split(", "))
    for kinds in top_leads["recent_activities"]], dtype=pl.String))
table(top_leads, hide_index=True, width="stretch", column_config={
    "lead_id": t("pack.lead"), "company": t("pack.company"), "channel": t("col.channel"),
    "owner": t("sidebar.owner"), "score": st.column_config.NumberColumn(t("sla.score"), format="%.1f"),
    "last_activity": st.column_config.DatetimeColumn(t("scoring.last_activity"), format=moment_format()),
    "recent_activities": t("scoring.recent_activities"),
})
st.caption(t("scoring.top_leads_caption"))
download_buttons(top_leads, f"top-leads-{as_of:%Y%m%d}", "top_leads")
