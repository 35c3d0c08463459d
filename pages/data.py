"""Data: load a CRM or marketing-automation export, check it, and import it in one step."""

import re

import streamlit as st

from leadfunnel.database import create_user_database
from leadfunnel.export import csv_bytes
from leadfunnel.ingest.errors import ImportRejected
from leadfunnel.ingest.imports import Upload, check, commit
from leadfunnel.ingest.presets import FIELD_LABELS, LEAD_FIELDS, PRESETS, guess_mapping, guess_preset
from leadfunnel.ingest.readers import DELIMITERS, UnreadableFile, read_table
from leadfunnel.ingest.saved_mappings import mappings_for, save_mapping
from leadfunnel.ingest.timestamps import DATA_TIMEZONE
from leadfunnel.paths import DATA_DIR
from leadfunnel.ui.session import database_path, run_query, runner, use_database
from leadfunnel.ui.sidebar import current_view

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "utf-16", "euc_jp", "latin-1")
NOT_MAPPED = "— not in this file —"
MAPPED_FIELDS = (*LEAD_FIELDS, "email")

current_view()
st.title("Data")
query_runner = runner()
info = run_query("data/database_info").row(0, named=True)
last_import = f"{info['last_import_at']:%Y-%m-%d %H:%M}" if info["last_import_at"] else "never"
LOG_COLUMNS = {
    "imported_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"), "files": "Files",
    "source": "Exported from", "rows_read": "Rows read", "rows_rejected": "Rejected", "leads_new": "New",
    "leads_updated": "Updated", "leads_unchanged": "Unchanged", "activities_added": "Activities added",
}

st.caption(f"Database **{database_path().name}** · {info['leads']:,} leads, {info['activities']:,} activities, "
           f"{info['feedback']:,} feedback rows · last import: {last_import} · "
           f"last backup: {info['last_backup_at'] or 'never'} (`python -m leadfunnel backup --out DIR`).")

if info["kind"] == "demo":
    st.info("You are looking at the **demo data**. Your own exports go into a database of your own, so the "
            "demo and your data never mix. Create it here; this browser session switches to it.")
    with st.form("create_database"):
        name = st.text_input("Name of your database", value="company", max_chars=40,
                             help="Letters, digits, - and _ only; saved as data/<name>.duckdb.")
        if st.form_submit_button("Create and switch to it", type="primary"):
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
                st.error("Use letters, digits, - and _ only.")
            else:
                target = DATA_DIR / f"{name}.duckdb"
                try:
                    if not target.exists():
                        create_user_database(target)
                except OSError as error:
                    st.error(f"Could not create {target}: {error}")
                else:
                    use_database(target)
                    st.rerun()
    st.stop()

st.subheader("1. Upload")
limit_mb = int(st.get_option("server.maxUploadSize"))
files = st.file_uploader("Export files", type=["csv", "tsv", "txt", "xlsx", "parquet"], accept_multiple_files=True,
                         key="uploads", help=f"A contacts / leads export (HubSpot, Salesforce, Mautic or a "
                         f"spreadsheet), up to {limit_mb} MB each (server.maxUploadSize in .streamlit/config.toml; "
                         "larger files: `python -m leadfunnel import`). Salesforce: add the opportunities export; "
                         "Mautic: add the points log.")
if not files:
    st.caption("Nothing is written until you press Import below, after checking what would change.")
    log = run_query("data/import_log")
    if log.height:
        st.markdown("**Import log**")
        st.dataframe(log, hide_index=True, width="stretch", column_config=LOG_COLUMNS)
    st.stop()

uploads = [Upload(f.name, f.getvalue()) for f in files]
tables = []
for upload in uploads:
    key = f"{upload.name}:{len(upload.data)}"
    encoding_column, delimiter_column, note_column = st.columns([1, 1, 3])
    encoding = encoding_column.selectbox(f"Encoding of {upload.name}", ENCODINGS, key=f"encoding:{key}")
    delimiter = delimiter_column.selectbox("Separator", ["auto", *DELIMITERS], key=f"delimiter:{key}",
                                           format_func=lambda d: DELIMITERS.get(d, d))
    try:
        table = read_table(upload.data, upload.name, encoding=None if encoding == "auto" else encoding,
                           delimiter=None if delimiter == "auto" else delimiter)
    except UnreadableFile as error:
        st.error(str(error))
        st.stop()
    tables.append(table)
    detected = (f"read as **{table.encoding}**, **{DELIMITERS[table.delimiter]}**-separated"
                if table.kind == "csv" else f"read as {table.kind.upper()}")
    note_column.caption(f"{upload.name}: {detected}, {table.frame.height:,} rows, {table.frame.width} columns. "
                        "Change the encoding if Japanese text looks garbled below.")

headers = tables[0].frame.columns
saved = mappings_for(query_runner.con, headers)
st.subheader("2. Map the columns")
preset_column, saved_column = st.columns(2)
guessed = guess_preset(headers)
preset_key = preset_column.selectbox("Exported from", list(PRESETS), index=list(PRESETS).index(guessed.key),
                                     format_func=lambda k: PRESETS[k].label, key="preset",
                                     help="Guessed from the column names.")
use_saved = saved_column.selectbox("Saved mapping for these columns", [None, *(m.name for m in saved)],
                                   format_func=lambda n: "none — use the guess" if n is None else n,
                                   key="saved_mapping")
preset = PRESETS[preset_key]
base = next((m.mapping for m in saved if m.name == use_saved), None) or guess_mapping(headers, preset)

st.dataframe(tables[0].frame.head(5), hide_index=True, width="stretch")
st.caption("The first rows of the file, as read.")
options = [NOT_MAPPED, *headers]
mapping: dict[str, str] = {}
columns = st.columns(4)
for index, field in enumerate(MAPPED_FIELDS):
    current = base.get(field)
    picked = columns[index % 4].selectbox(FIELD_LABELS[field], options,
                                          index=options.index(current) if current in options else 0,
                                          key=f"map:{preset_key}:{use_saved}:{field}")
    if picked != NOT_MAPPED:
        mapping[field] = picked
name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
mapping_name = name_column.text_input("Save this mapping as", key="mapping_name",
                                      placeholder="e.g. 展示会リスト 2025 — offered again for files with these columns")


def _save_mapping(name: str, chosen: dict[str, str]) -> None:
    """Before the rerun, so the saved mapping is offered at once."""
    save_mapping(query_runner.con, name, headers, preset_key, chosen)
    st.session_state["saved_mapping"] = name.strip()


button_column.button("Save mapping", disabled=not mapping_name, on_click=_save_mapping, args=(mapping_name, mapping))

st.subheader("3. Check")
result = check(query_runner.con, uploads, tables, preset, mapping, DATA_TIMEZONE)
metrics = st.columns(5)
metrics[0].metric("Leads to import", f"{result.prepared.leads.height:,}")
metrics[1].metric("New", f"{result.leads_new:,}")
metrics[2].metric("Updated", f"{result.leads_updated:,}", help="Stored leads whose fields or stage dates change. "
                  "A blank never erases a stored value; nothing is deleted.")
metrics[3].metric("Unchanged", f"{result.leads_unchanged:,}")
metrics[4].metric("Rejected rows", f"{result.prepared.rejected_lines:,}")
report = result.report()
if report.height:
    st.dataframe(report, hide_index=True, width="stretch", height=min(36 * (report.height + 1) + 4, 360))
    st.download_button("Download the validation report (CSV)", csv_bytes(report), file_name="validation-report.csv",
                       mime="text/csv")
    st.caption("Rejected rows are not imported; warnings are imported as they are. Fix the file and upload it "
               "again, or import the valid rows now.")
else:
    st.success("Every row can be imported.")

st.subheader("4. Import")
accept = True
if result.problems:
    accept = st.checkbox(f"Import the {result.prepared.leads.height:,} valid leads and leave the "
                         f"{result.prepared.rejected_lines:,} rejected rows out", key="accept_valid")
if st.button("Import", type="primary", disabled=not accept):
    with st.status("Importing in one transaction…", expanded=True) as status:
        try:
            summary = commit(query_runner.con, result, accept_valid=bool(result.problems))
        except ImportRejected as rejected:
            status.update(label="Nothing was imported", state="error")
            st.error(str(rejected))
        else:
            status.update(label="Imported", state="complete")
            st.success(f"Leads: {summary.leads_new:,} new, {summary.leads_updated:,} updated, "
                       f"{summary.leads_unchanged:,} unchanged; {summary.activities_added:,} activities added. "
                       "Every page now shows the new data.")
log = run_query("data/import_log")
if log.height:
    st.markdown("**Import log**")
    st.dataframe(log, hide_index=True, width="stretch", column_config=LOG_COLUMNS)
