"""Pandas shaping of engine results for the pages, and their charts (no Streamlit)."""
