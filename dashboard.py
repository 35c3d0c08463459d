"""leadfunnel dashboard entry point: navigation and the sidebar shared by every page."""

import streamlit as st

from leadfunnel.ui.sidebar import remember_view, sidebar

st.set_page_config(page_title="leadfunnel", page_icon=":material/filter_alt:", layout="wide")

navigation = st.navigation([
    st.Page("pages/funnel.py", title="Funnel", icon=":material/filter_alt:", url_path="funnel", default=True),
    st.Page("pages/channels.py", title="Channels", icon=":material/campaign:", url_path="channels"),
    st.Page("pages/scoring.py", title="Scoring", icon=":material/speed:", url_path="scoring"),
    st.Page("pages/sla.py", title="SLA", icon=":material/timer:", url_path="sla"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
])
remember_view(sidebar())
navigation.run()
