"""The scoring page's rule-set controls: pick, edit points and fit, save, load from a file, rename, delete.

Callbacks report through `rules_message` in the session (shown once, in the reader's language, by `message()`);
a saved set is selected for the next run. Nothing is written except by an explicit button or upload.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from leadfunnel.i18n import Message, localized, t
from leadfunnel.model import activity_label
from leadfunnel.scoring.rules import (
    DEFAULT_RULES,
    FIT_ATTRIBUTES,
    RuleSet,
    RuleSetError,
    editable_types,
    parse_rules_bytes,
    rule_set_label,
)
from leadfunnel.scoring.saved_rules import (
    delete_rule_set,
    load_rule_set,
    rename_rule_set,
    rule_set_names,
    save_rule_set,
)
from leadfunnel.ui.first_paint import LABELLED, after_first_paint, keep_space, stop
from leadfunnel.ui.session import runner, writing
from leadfunnel.ui.uploader import file_uploader

MESSAGE_KEY = "rules_message"


def saved_rule_set_names() -> list[str]:
    """The saved rule sets of this session's database, the guide's default first."""
    return rule_set_names(runner().con)


def saved_rule_set(name: str) -> RuleSet:
    return load_rule_set(runner().con, name)


def select(name: str) -> None:
    st.session_state["rule_set"] = name


def threshold_top(rules: RuleSet) -> int:
    """The threshold slider's upper end for a saved rule set: 300, or twice its threshold when that is more. The
    link's threshold is checked against it and the curve is drawn up to it."""
    return max(300, int(rules.threshold) * 2)


def with_current_threshold(rules: RuleSet, threshold_key: str) -> RuleSet:
    """The threshold slider reruns only its fragment, so `rules` from the last full run may hold an older one."""
    return rules.with_changes(threshold=float(st.session_state.get(threshold_key, rules.threshold)))


def _done(message: Message, selected: str | None = None) -> None:
    st.session_state[MESSAGE_KEY] = ("success", message)
    if selected is not None:
        select(selected)


def _failed(error: RuleSetError, file: str | None = None) -> None:
    problem = Message("error.in_file", file=file, problem=error.message) if file else error.message
    st.session_state[MESSAGE_KEY] = ("error", problem)


def save_as(rules: RuleSet, name: str, threshold_key: str, **changes: object) -> None:
    """Save `rules` (with the slider's threshold and `changes`) under `name` and select it."""
    try:
        with writing() as writer:
            save_rule_set(writer, with_current_threshold(rules, threshold_key).with_changes(name=name, **changes))
    except RuleSetError as error:
        _failed(error)
        return
    _done(Message("scoring.saved", name=name), name)


def _save(rules: RuleSet, threshold_key: str) -> None:
    save_as(rules, st.session_state.get("save_as", "").strip(), threshold_key)


def _rename(old: str) -> None:
    new = st.session_state.get("rename_to", "").strip()
    try:
        with writing() as writer:
            rename_rule_set(writer, old, new)
    except RuleSetError as error:
        _failed(error)
        return
    _done(Message("scoring.renamed", old=old, new=new), new if st.session_state.get("rule_set") == old else None)


def _delete(name: str) -> None:
    try:
        with writing() as writer:
            delete_rule_set(writer, name)
    except RuleSetError as error:
        _failed(error)
        return
    _done(Message("scoring.deleted", name=name),
          DEFAULT_RULES.name if st.session_state.get("rule_set") == name else None)


def _upload() -> None:
    uploaded = st.session_state.get("rules_upload")
    if uploaded is None:
        return
    try:
        rules = parse_rules_bytes(uploaded.getvalue(), uploaded.name)  # any encoding the data readers accept
        with writing() as writer:
            save_rule_set(writer, rules)
    except RuleSetError as error:
        _failed(error, uploaded.name)
        return
    _done(Message("scoring.loaded", name=rules.name, file=uploaded.name), rules.name)


def _cap_text(cap: float | None) -> str:
    return "" if cap is None else f"{cap:g}"


def edited_rules(saved: RuleSet, threshold_key: str, half_life: int) -> RuleSet:
    """The points and fit editors (in an expander) over `saved`; returns the rules as edited, or stops the page
    with the reason when they are not valid. Before a session's first paint the editors wait: their values are
    then the ones they start with (leadfunnel/ui/first_paint.py)."""
    types = editable_types(saved)
    linked_weights = st.session_state.get(f"_url_weights::{saved.name}", {})  # from a shared link
    edited_points = pl.DataFrame({
        "activity_type": types, "label": [activity_label(kind) for kind in types],
        "points": [float(linked_weights.get(kind, saved.points.get(kind, 0.0))) for kind in types],
        # As text: an empty cell is "no cap" (a number column would show a missing cap as "None").
        "cap": [_cap_text(saved.caps.get(kind)) for kind in types]})
    fit_rows = sorted(saved.fit.items())
    edited_fit = pl.DataFrame({"attribute": [a for (a, _), _ in fit_rows], "value": [v for (_, v), _ in fit_rows],
                               "points": [float(p) for _, p in fit_rows]},
                              schema={"attribute": pl.String, "value": pl.String, "points": pl.Float64})
    with st.expander(t("scoring.points"), expanded=False):
        if after_first_paint():
            points_column, fit_column = st.columns([3, 2])
            edited_points = points_column.data_editor(
                edited_points, key=f"points::{saved.name}", hide_index=True, width="stretch",
                disabled=["activity_type", "label"], column_order=("label", "points", "cap"),
                column_config={
                    "label": st.column_config.TextColumn(t("scoring.activity_type")),
                    "points": st.column_config.NumberColumn(t("scoring.points_col"), step=1.0,
                                                            help=t("scoring.points_help")),
                    "cap": st.column_config.TextColumn(t("scoring.cap"), help=t("scoring.cap_help"),
                                                       validate=r"^\s*(\d+(\.\d+)?)?\s*$"),
                },
            )
            edited_fit = fit_column.data_editor(
                edited_fit, key=f"fit::{saved.name}", hide_index=True, width="stretch", num_rows="dynamic",
                column_config={
                    "attribute": st.column_config.SelectboxColumn(t("scoring.attribute"),
                                                                  options=list(FIT_ATTRIBUTES), required=True),
                    "value": st.column_config.TextColumn(t("scoring.value"), required=True,
                                                         help=t("scoring.value_help")),
                    "points": st.column_config.NumberColumn(t("scoring.points_col"), step=1.0, required=True),
                },
            )
            fit_column.caption(t("scoring.fit_caption"))
    try:
        return RuleSet(
            name=saved.name, threshold=float(st.session_state.get(threshold_key, saved.threshold)),
            half_life_days=float(half_life) or None,
            points={r["activity_type"]: r["points"] or 0.0 for r in edited_points.iter_rows(named=True)},
            caps={r["activity_type"]: float(r["cap"]) for r in edited_points.iter_rows(named=True)
                  if r["cap"] is not None and r["cap"].strip()},
            fit={(r["attribute"], r["value"]): r["points"] for r in edited_fit.iter_rows(named=True)
                 if r["attribute"] and r["value"] and r["points"] is not None},
        )
    except RuleSetError as error:
        st.error(t("scoring.bad_rules", error=localized(error)))
        stop()


def save_load_manage(rules: RuleSet, names: list[str], threshold_key: str) -> None:
    """Save the edited rules under a name, load a rules file, rename or delete a saved set; then the outcome.
    Before a session's first paint, the row's space and the closed expander (leadfunnel/ui/first_paint.py)."""
    if not after_first_paint():
        keep_space(LABELLED)  # the save-as field beside the rules file's drop zone
        if len(names) > 1:
            st.expander(t("scoring.manage"), icon=":material/edit_note:")
        return
    save, upload = st.columns([3, 2])
    with save:
        name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
        name_column.text_input(t("scoring.save_as"), key="save_as", placeholder=t("scoring.save_as_hint"))
        button_column.button(t("scoring.save"), on_click=_save, args=(rules, threshold_key),
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
    if message := st.session_state.pop(MESSAGE_KEY, None):
        (st.error if message[0] == "error" else st.success)(localized(message[1]))  # in this run's language
