"""Streamlit glue: the shared connection, cached queries, the sidebar. The only Streamlit-aware package code."""
