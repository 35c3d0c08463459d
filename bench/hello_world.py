"""The reference page for `python -m bench first-open`: one metric and one Plotly chart, nothing else."""

import plotly.graph_objects as go
import streamlit as st

st.metric("Leads", "5,000")
st.plotly_chart(go.Figure(go.Bar(x=["MQL", "SQL", "Won"], y=[300, 120, 40])))
