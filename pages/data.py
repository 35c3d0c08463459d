"""Data: load a CRM or marketing-automation export, check it, and import it in one step."""

import re
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from leadfunnel.i18n import language, localized, moment_format, t
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.imports import Upload
from leadfunnel.ingest.presets import (
    IDENTITY_FIELDS,
    LEAD_FIELDS,
    PRESETS,
    TOUCH_FIELDS,
    channel_key,
    guess_mapping,
    guess_preset,
)
from leadfunnel.ingest.readers import DELIMITERS, UnreadableFile, read_table
from leadfunnel.model import CHANNEL_LABELS, channel_label
from leadfunnel.paths import DATA_DIR
from leadfunnel.ui.downloads import download_buttons
from leadfunnel.ui.first_paint import stop
from leadfunnel.ui.imports import (
    check_spend,
    check_upload,
    create_database,
    import_spend,
    import_upload,
    save_upload_mapping,
    saved_mappings_for,
)
from leadfunnel.ui.session import database_label, use_database
from leadfunnel.ui.sidebar import current_view
from leadfunnel.ui.tables import table
from leadfunnel.ui.uploader import file_uploader
from leadfunnel.ui.views import account_totals, database_info, import_history, largest_accounts

IMPORTED_KEY = "_import_summary"
SPEND_IMPORTED_KEY = "_spend_import_summary"
LARGEST_ACCOUNTS = 20  # the accounts with most leads the Data page lists
MAX_SOURCE_VALUES = 200  # distinct source values offered for mapping to channels
UPLOADS_KEY = "_uploads_done"
SOURCES = ("hubspot", "salesforce", "mautic", "generic", "canonical")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "utf-16", "euc_jp", "latin-1")
NOT_MAPPED = ""  # the selectbox value for "this field is not in the file"
MAPPED_FIELDS = (*LEAD_FIELDS, "email", *IDENTITY_FIELDS, *TOUCH_FIELDS)

current_view()
st.title(t("nav.data"))
info = database_info()
never = t("data.never")
last_import = f"{info['last_import_at']:%Y-%m-%d %H:%M}" if info["last_import_at"] else never
LOG_COLUMNS = {
    "imported_at": st.column_config.DatetimeColumn(t("data.log.when"), format=moment_format()),
    **{name: t(f"data.log.{name}") for name in ("files", "source", "rows_read", "rows_rejected", "leads_new",
                                                 "leads_updated", "leads_unchanged", "activities_added",
                                                 "spend_added", "spend_replaced")},
}


def import_log() -> None:
    log = import_history()
    if log.height:
        log = log.with_columns(pl.col("source").replace_strict(
            {key: t(f"preset.{key}") for key in SOURCES}, default=pl.col("source"), return_dtype=pl.String))
        st.markdown(f"**{t('data.import_log')}**")
        table(log, hide_index=True, width="stretch", column_config=LOG_COLUMNS)
        download_buttons(log, "import-log", "import_log")


if (done := st.session_state.pop(IMPORTED_KEY, None)) is not None:  # after the rerun that shows the new data
    st.success(t("data.imported_summary", **done), icon=":material/check_circle:")
st.caption(t("data.database", name=database_label(), leads=info["leads"], activities=info["activities"],
             feedback=info["feedback"], last_import=last_import, last_backup=info["last_backup_at"] or never))



def accounts() -> None:
    """How many companies the leads make (what "count: accounts" counts), with the largest, to check the merging."""
    totals = account_totals()
    if not totals["leads"]:
        return
    with st.expander(t("data.accounts", **totals), icon=":material/domain:"):
        if not totals["merged_accounts"]:
            st.caption(t("data.accounts_none"))
            return
        st.caption(t("data.accounts_caption", **totals))
        largest = largest_accounts(LARGEST_ACCOUNTS)
        st.markdown(f"**{t('data.accounts.largest', n=min(LARGEST_ACCOUNTS, largest.height))}**")
        shown = largest.select("company", "account_id", "examples", "leads", "won")
        table(shown, hide_index=True, width="stretch",
              column_config={name: t(f"data.accounts.{name}") for name in shown.columns})


accounts()
if info["kind"] == "demo":
    st.info(t("data.demo"))
    with st.form("create_database"):
        name = st.text_input(t("data.new_name"), value="company", max_chars=40, help=t("data.new_name_help"))
        if st.form_submit_button(t("data.create"), type="primary"):
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
                st.error(t("data.bad_name"))
            else:
                target = DATA_DIR / f"{name}.duckdb"
                try:
                    create_database(target)
                except OSError as error:
                    st.error(t("data.create_failed", target=target, error=error))
                else:
                    use_database(target)
                    st.rerun()
    stop()



def spend_section() -> None:
    """spend.csv (month, channel, campaign, amount): checked when uploaded, imported on a click; a month × channel ×
    campaign already stored takes the newer amount, and the summary says how many were replaced."""
    with st.expander(t("data.spend"), icon=":material/payments:"):
        st.caption(t("data.spend_help"))
        upload = file_uploader(st, t("data.spend_file"), types=["csv"],
                               key=f"spend_file{st.session_state.get(UPLOADS_KEY, 0)}")
        if upload is None:
            return
        with tempfile.TemporaryDirectory(prefix="leadfunnel-spend-") as folder:
            path = Path(folder) / "spend.csv"  # the canonical reader knows the table by the file name
            path.write_bytes(upload.getvalue())
            try:
                problems, rows = check_spend(path)  # reads only: nothing is written
            except UnreadableFile as error:
                st.error(localized(error))
                return
            if problems:
                st.error(t("data.spend_refused", n=len(problems), file=upload.name))
                table(pl.DataFrame([(p.line, p.column, p.value, p.localized_reason(language())) for p in problems],
                                   schema={"line": pl.Int64, "column": pl.String, "value": pl.String,
                                           "reason": pl.String}, orient="row"),
                      hide_index=True, width="stretch",
                      column_config={name: t(f"data.report.{name}") for name in ("line", "column", "value",
                                                                                  "reason")})
                return
            st.caption(t("data.spend_checked", rows=rows))
            if st.button(t("data.spend_import"), key="spend_import"):
                try:
                    summary = import_spend(path)
                except ImportRejected as rejected:
                    st.error(localized(rejected))
                    return
                st.session_state[UPLOADS_KEY] = st.session_state.get(UPLOADS_KEY, 0) + 1  # an empty upload box
                st.session_state[SPEND_IMPORTED_KEY] = (summary.spend_added, summary.spend_replaced)
                st.rerun()


if (spent := st.session_state.pop(SPEND_IMPORTED_KEY, None)) is not None:
    st.success(t("data.spend_imported", added=spent[0], replaced=spent[1]), icon=":material/check_circle:")
spend_section()
st.subheader(t("data.step_upload"))
limit_mb = int(st.get_option("server.maxUploadSize"))
upload_key = f"uploads{st.session_state.get(UPLOADS_KEY) or ''}"  # a new key after each import: an empty box
files = file_uploader(st, t("data.files"), types=["csv", "tsv", "txt", "xlsx", "parquet"], accept_multiple_files=True,
                      key=upload_key, help=t("data.files_help", limit=limit_mb))
if not files:
    st.caption(t("data.nothing_written"))
    import_log()
    stop()

uploads = [Upload(f.name, f.getvalue()) for f in files]
tables = []
for upload in uploads:
    key = f"{upload.name}:{len(upload.data)}"
    encoding_column, delimiter_column, note_column = st.columns([1, 1, 3])
    encoding = encoding_column.selectbox(t("data.encoding", name=upload.name), ENCODINGS, key=f"encoding:{key}",
                                         format_func=lambda e: t("data.auto") if e == "auto" else e)
    delimiter = delimiter_column.selectbox(t("data.separator"), ["auto", *DELIMITERS], key=f"delimiter:{key}",
                                           format_func=lambda d: t(f"data.delimiter.{DELIMITERS.get(d, d)}"))
    try:
        read = read_table(upload.data, upload.name, encoding=None if encoding == "auto" else encoding,
                          delimiter=None if delimiter == "auto" else delimiter)
    except UnreadableFile as error:
        st.error(localized(error))
        stop()
    tables.append(read)
    detected = (t("data.read_as_csv", encoding=read.encoding,
                  delimiter=t(f"data.delimiter.{DELIMITERS[read.delimiter]}"))
                if read.kind == "csv" else t("data.read_as", kind=read.kind.upper()))
    note_column.caption(t("data.read_note", name=upload.name, detected=detected, rows=read.frame.height,
                          columns=read.frame.width))

headers = tables[0].frame.columns
saved = saved_mappings_for(headers)
st.subheader(t("data.step_map"))
preset_column, saved_column = st.columns(2)
guessed = guess_preset(headers)
preset_key = preset_column.selectbox(t("data.exported_from"), list(PRESETS), index=list(PRESETS).index(guessed.key),
                                     format_func=lambda k: t(f"preset.{k}"), key="preset",
                                     help=t("data.exported_from_help"))
use_saved = saved_column.selectbox(t("data.saved_mapping"), [None, *(m.name for m in saved)],
                                   format_func=lambda n: t("data.use_guess") if n is None else n,
                                   key="saved_mapping")
preset = PRESETS[preset_key]
base = next((m.mapping for m in saved if m.name == use_saved), None) or guess_mapping(headers, preset)

table(tables[0].frame.head(5).fill_null(""), hide_index=True, width="stretch")  # an empty cell is empty
st.caption(t("data.preview"))
options = [NOT_MAPPED, *headers]
mapping: dict[str, str] = {}
columns = st.columns(4)
for index, field in enumerate(MAPPED_FIELDS):
    current = base.get(field)
    picked = columns[index % 4].selectbox(t(f"field.{field}"), options,
                                          index=options.index(current) if current in options else 0,
                                          format_func=lambda o: t("data.not_mapped") if o == NOT_MAPPED else o,
                                          key=f"map:{preset_key}:{use_saved}:{field}")
    if picked != NOT_MAPPED:
        mapping[field] = picked
channel_values: dict[str, str] = {}
if "channel" in mapping:  # the file's own source words, each mapped to a channel (saved with the mapping)
    saved_values = next((m.channel_values for m in saved if m.name == use_saved), {})
    sources = tables[0].frame[mapping["channel"]].drop_nulls().unique().sort().head(MAX_SOURCE_VALUES).to_list()
    keys = [*CHANNEL_LABELS, "unknown"]
    as_written = t("data.channel_as_written")
    labels = {channel_label(key): key for key in keys}

    def _guess(value: str) -> str:
        key = saved_values.get(value) or channel_key(value)
        return channel_label(key) if key in keys else as_written

    with st.expander(t("data.channel_values", n=len(sources)), icon=":material/alt_route:"):
        edited = st.data_editor(
            pl.DataFrame({"source": sources, "channel": [_guess(v) for v in sources]},
                         schema={"source": pl.String, "channel": pl.String}),
            key=f"channel_values:{preset_key}:{use_saved}:{mapping['channel']}", hide_index=True, width="stretch",
            disabled=["source"], column_config={
                "source": st.column_config.TextColumn(t("data.channel_source")),
                "channel": st.column_config.SelectboxColumn(t("field.channel"), options=[*labels, as_written],
                                                            required=True)})
        st.caption(t("data.channel_values_help"))
    channel_values = {row["source"]: labels[row["channel"]] for row in edited.iter_rows(named=True)
                      if row["channel"] in labels}
name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
mapping_name = name_column.text_input(t("data.save_as"), key="mapping_name", placeholder=t("data.save_as_hint"))


def _save_mapping(name: str, chosen: dict[str, str], values: dict[str, str]) -> None:
    """Before the rerun, so the saved mapping is offered at once."""
    save_upload_mapping(name, headers, preset_key, chosen, values)
    st.session_state["saved_mapping"] = name.strip()


button_column.button(t("data.save_mapping"), disabled=not mapping_name, on_click=_save_mapping,
                     args=(mapping_name, mapping, channel_values))

st.subheader(t("data.step_check"))
result = check_upload(uploads, tables, preset, mapping, channel_values)
metrics = st.columns(5)
metrics[0].metric(t("data.to_import"), f"{result.prepared.leads.height:,}")
metrics[1].metric(t("data.new"), f"{result.leads_new:,}")
metrics[2].metric(t("data.updated"), f"{result.leads_updated:,}", help=t("data.updated_help"))
metrics[3].metric(t("data.unchanged"), f"{result.leads_unchanged:,}")
metrics[4].metric(t("data.rejected"), f"{result.prepared.rejected_lines:,}")
report = result.report(language())
if result.prepared.generated_ids:
    st.info(t("data.generated_ids", n=result.prepared.generated_ids), icon=":material/fingerprint:")
if report.height:
    table(report.with_columns(pl.col("value").fill_null("")), hide_index=True, width="stretch",
                 height=min(36 * (report.height + 1) + 4, 360),
                 column_config={**{name: t(f"data.report.{name}") for name in report.columns},
                                "reason": st.column_config.TextColumn(t("data.report.reason"), width="large")})
    download_buttons(report, "validation-report", "validation_report")
    reasons = report.group_by("severity", "reason", maintain_order=True).agg(rows=pl.len())
    st.markdown("\n".join(f"- {row['severity']} · {row['rows']:,} × {row['reason']}"  # every reason whole
                          for row in reasons.iter_rows(named=True)))
    st.caption(t("data.report_note"))
else:
    st.success(t("data.all_valid"))

st.subheader(t("data.step_import"))
accept = True
if result.problems:
    accept = st.checkbox(t("data.accept_valid", valid=result.prepared.leads.height,
                           rejected=result.prepared.rejected_lines), key="accept_valid")
if st.button(t("data.import"), type="primary", disabled=not accept):
    with st.status(t("data.importing"), expanded=True) as status:
        try:
            summary = import_upload(result, accept_valid=bool(result.problems))
        except ImportRejected as rejected:
            status.update(label=t("data.nothing_imported"), state="error")
            st.error(localized(rejected))
        else:
            status.update(label=t("data.imported"), state="complete")
            st.session_state[UPLOADS_KEY] = st.session_state.get(UPLOADS_KEY, 0) + 1  # an empty upload box
            st.session_state[IMPORTED_KEY] = {"new": summary.leads_new, "updated": summary.leads_updated,
                                              "unchanged": summary.leads_unchanged,
                                              "activities": summary.activities_added}
            st.rerun()  # the counts above, the sidebar and every page read the new data
import_log()
