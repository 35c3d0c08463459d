"""A second reference for `python -m bench first-open`: the hello-world metric beside a sidebar with the kinds of
widget the dashboard's sidebar has (and no data, no chart) — what any page with those filters costs a new
browser session before it does anything of its own."""

from datetime import date, time

import streamlit as st

with st.sidebar:
    st.selectbox("Language", ["English", "日本語"])
    st.radio("Amounts", ["¥1,200,000", "120万円"], horizontal=True)
    st.date_input("Date range", (date(2026, 8, 1), date(2026, 10, 31)))
    st.radio("Funnel mode", ["Period", "Cohort"], horizontal=True)
    st.multiselect("Channel", ["Webinar", "SEO"], placeholder="All channels")
    st.date_input("As of", date(2026, 10, 31))
    st.time_input("Time", time(9))
    st.download_button("Meeting pack", "leadfunnel", file_name="pack.html")
st.metric("Leads", "5,000")
