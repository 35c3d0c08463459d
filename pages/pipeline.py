"""Pipeline health: which open leads have sat in their stage longer than the agreed limit, whose are they, and why?"""

import polars as pl
import streamlit as st

from leadfunnel.format import count, days, percent
from leadfunnel.i18n import moment, moment_format, t
from leadfunnel.model import channel_label, labelled, stage_label
from leadfunnel.pipeline.aging import REASONS, by_stage, stuck_by, stuck_list
from leadfunnel.sla.policy import AGING_STAGES
from leadfunnel.ui import url_state
from leadfunnel.ui.downloads import download_buttons, long_table
from leadfunnel.ui.first_paint import end_of_first_screen, stop
from leadfunnel.ui.session import TRIED_POLICY_KEY, agreed_policy, policy_in_force
from leadfunnel.ui.sidebar import current_as_of, current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.views import open_leads_at

filters, _ = current_view()
as_of = current_as_of()


invalid = url_state.restore_page("pipeline", {
    "limits": ("_linked_limits", url_state.number_pairs(AGING_STAGES, lambda days: 0 < days <= 3650)),
})
if invalid:
    st.warning(t("sidebar.link_notice", names=", ".join(invalid)), icon=":material/link_off:")
if linked := st.session_state.get("_linked_limits"):  # limits from a link are tried, never saved
    base = policy_in_force()
    st.session_state[TRIED_POLICY_KEY] = base.with_changes(stage_limits=tuple(
        (stage, linked.get(stage, dict(base.stage_limits).get(stage))) for stage in AGING_STAGES
        if stage in linked or stage in dict(base.stage_limits)))
    del st.session_state["_linked_limits"]  # once applied: a run stopped before this line applies them again
policy = policy_in_force()
agreed = agreed_policy()[0]
url_state.publish({"limits": None if policy.stage_limits == agreed.stage_limits
                   else ",".join(f"{stage}:{limit:g}" for stage, limit in policy.stage_limits)})

st.title(t("pipeline.title"))
st.caption(t("pipeline.caption", as_of=moment(as_of)))
clock = t(f"sla.aging_clock.{'business' if policy.aging_business_days else 'calendar'}")
limits_text = ", ".join(f"{stage_label(stage)} {t('unit.days', n=f'{limit:g}')}"
                        for stage, limit in policy.stage_limits) or "–"
st.caption(t("pipeline.limits", limits=limits_text, clock=clock)
           + (" " + t("pipeline.trying") if policy != agreed else ""))
with st.expander(t("pipeline.definitions")):
    st.markdown(t("pipeline.definitions_text"))

leads = open_leads_at(filters, policy, as_of)
if leads.is_empty():
    st.info(t("pipeline.empty"))
    stop()
stuck = leads.filter("stuck")
totals = st.columns(3)
totals[0].metric(t("pipeline.open"), count(leads.height), help=t("pipeline.open_help"))
totals[1].metric(t("pipeline.stuck"), count(stuck.height), help=t("pipeline.stuck_help"))
totals[2].metric(t("pipeline.stuck_share"), percent(stuck.height / leads.height))

st.subheader(t("pipeline.by_stage"))
stages = labelled(by_stage(leads, policy), "stage", stage_label, alias="label")
table(pl.DataFrame({
    t("pipeline.col_stage"): stages["label"],
    t("pipeline.open"): stages["open"],
    t("pipeline.stuck"): [count(n) if limit is not None else "–"
                          for n, limit in zip(stages["stuck"], stages["limit_days"], strict=True)],
    t("pipeline.col_limit"): ["–" if v is None else t("unit.days", n=f"{v:g}") for v in stages["limit_days"]],
    t("pipeline.col_median_age"): [days(v, unit=True) for v in stages["median_age_days"]],
    t("pipeline.col_p90_age"): [days(v, unit=True) for v in stages["p90_age_days"]],
}), hide_index=True, width="stretch")
st.caption(t("pipeline.by_stage_caption", clock=clock))
download_buttons(stages.select("label", "open", "stuck", "limit_days", "median_age_days", "p90_age_days"),
                 f"stage-aging-{as_of:%Y%m%d-%H%M}", "stage_aging")

if stuck.is_empty():
    st.success(t("pipeline.none_stuck"))
    stop()
owners, reasons = st.columns(2)
with owners:
    st.markdown(t("pipeline.by_owner"))
    table(stuck_by(leads, "owner").with_columns(pl.col("owner").fill_null(t("pipeline.no_owner_name"))),
          hide_index=True, width="stretch", column_config={"owner": t("sidebar.owner"), "stuck": t("pipeline.stuck")})
with reasons:
    st.markdown(t("pipeline.by_reason"))
    counted = dict(stuck_by(leads, "reason").iter_rows())
    table(pl.DataFrame({t("pipeline.col_reason"): [t(f"pipeline.reason.{r}") for r in REASONS],
                        t("pipeline.stuck"): [int(counted.get(r, 0)) for r in REASONS]}),
          hide_index=True, width="stretch")

end_of_first_screen()  # a session's first run stops here; the probe's rerun draws the rest

st.subheader(t("pipeline.stuck_list"))
listed = labelled(labelled(stuck_list(leads), "channel", channel_label), "stage", stage_label)
listed = listed.with_columns(pl.Series("reason", [t(f"pipeline.reason.{r}") for r in listed["reason"]]))
long_table(listed, f"stuck-leads-{as_of:%Y%m%d-%H%M}", "stuck_leads", column_config={
    "lead_id": t("pack.lead"), "company": t("pack.company"), "owner": t("sidebar.owner"),
    "channel": t("col.channel"), "stage": t("pipeline.col_stage"),
    "entered_at": st.column_config.DatetimeColumn(t("pipeline.col_entered"), format=moment_format()),
    "age_days": st.column_config.NumberColumn(t("pipeline.col_age"), format="%.1f"),
    "limit_days": st.column_config.NumberColumn(t("pipeline.col_limit"), format="localized"),
    "reason": t("pipeline.col_reason"),
    "last_touch_at": st.column_config.DatetimeColumn(t("pipeline.col_last_touch"), format=moment_format()),
})
st.caption(t("pipeline.stuck_list_caption"))
