"""leadfunnel dashboard entry point: language, navigation and the sidebar shared by every page."""

from datetime import datetime
from pathlib import Path

import streamlit as st

from leadfunnel.filters import Filters
from leadfunnel.i18n import t
from leadfunnel.ui.auth import require_login
from leadfunnel.ui.errors import guarded
from leadfunnel.ui.first_paint import probe, start_run
from leadfunnel.ui.legacy_pages import leave_legacy_pages_mode
from leadfunnel.ui.sidebar import language_picker, meeting_pack_button, money_picker, remember_view, sidebar

# The tab's icon from the project: a Material icon name makes every page load fetch it from fonts.gstatic.com
FAVICON = Path(__file__).parent / "leadfunnel" / "ui" / "favicon.png"
st.set_page_config(page_title="leadfunnel", page_icon=str(FAVICON), layout="wide")
leave_legacy_pages_mode()  # the first run after the server starts: so it runs the same page every later run does
start_run()  # a session's first run shows the numbers first: charts, tables and controls wait for the paint
language_picker()
require_login()  # with [auth] in .streamlit/secrets.toml: no page, no query before sign-in
navigation = st.navigation([
    st.Page("pages/funnel.py", title=t("nav.funnel"), icon=":material/filter_alt:", url_path="home", default=True),
    # the home page under its own name too: /funnel, typed like /channels, would say "page not found" otherwise
    st.Page("pages/funnel.py", title=t("nav.funnel"), url_path="funnel", visibility="hidden"),
    st.Page("pages/channels.py", title=t("nav.channels"), icon=":material/campaign:", url_path="channels"),
    st.Page("pages/scoring.py", title=t("nav.scoring"), icon=":material/speed:", url_path="scoring"),
    st.Page("pages/sla.py", title=t("nav.sla"), icon=":material/timer:", url_path="sla"),
    st.Page("pages/pipeline.py", title=t("nav.pipeline"), icon=":material/hourglass_top:", url_path="pipeline"),
    st.Page("pages/velocity.py", title=t("nav.velocity"), icon=":material/trending_up:", url_path="velocity"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/upload_file:", url_path="data"),
])
money_picker()
view = guarded("error.the_filters", sidebar, (Filters(), "period", datetime.now().replace(second=0, microsecond=0)))
remember_view(view)
guarded("error.the_filters", lambda: meeting_pack_button(*view), None)
guarded("error.the_page", navigation.run, None)
probe()  # in that first run, drawn last: reruns the page once the browser has painted its numbers
