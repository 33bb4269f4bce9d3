"""Streamlit helpers shared by the frame and the pages (the only package in dashboard/ that imports streamlit)."""
