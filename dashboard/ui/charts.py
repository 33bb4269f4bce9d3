"""Charts drawn from a Vega-Lite spec built once per chart input, shared by every session.

Streamlit turns an Altair chart into its Vega-Lite spec on every rerun, and Altair validates
the whole spec against the schema each time (most of a chart page's run). The chart builders
of dashboard.reports.charts are pure functions of their (small, aggregated) frames, so the
spec (Altair's public `to_dict`) is kept per builder and input content
(st.cache_data hashes the frames) and drawn with st.vega_lite_chart: the same spec, data and
theme as st.altair_chart, without the rebuild. Inputs too large to hash exactly are drawn the usual way.

A page whose frames are already kept per (year, revision, scope) by `derived` builds its specs
there with `chart_spec` and draws them with `draw_spec`: no hashing of the frames on each run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

# st.cache_data hashes a frame exactly only below its sampling threshold (50,000 rows).
EXACT_HASH_ROWS = 10_000


def chart_spec(build: Callable[..., Any], *args: Any, **kwargs: Any) -> dict:
    """The Vega-Lite spec of build(*args, **kwargs) as st.vega_lite_chart sends it.

    Not validated against the schema here (the unit tests build every chart with validation).
    The datasets are encoded to Arrow once, with the function st.vega_lite_chart would run on
    them at every draw (it passes bytes through as they are): the same bytes, sent as before.
    """
    spec = build(*args, **kwargs).to_dict(validate=False)
    if "datasets" in spec:
        spec["datasets"] = {name: convert_anything_to_arrow_bytes(values) for name, values in spec["datasets"].items()}
    return spec


def draw_spec(spec: dict, **st_kwargs: Any) -> None:
    """Draw a spec of `chart_spec` (st.vega_lite_chart works on its own shallow copy of the dict)."""
    st.vega_lite_chart(spec=spec, **st_kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def _spec(name: str, args: tuple, kwargs: dict, _build: Callable[..., Any]) -> dict:
    return chart_spec(_build, *args, **kwargs)


def _hashable_exactly(values) -> bool:
    return all(not isinstance(v, pd.DataFrame | pd.Series) or len(v) <= EXACT_HASH_ROWS for v in values)


def draw_chart(build: Callable[..., Any], *args: Any, chart_kwargs: dict | None = None, **st_kwargs: Any) -> None:
    """st.altair_chart(build(*args, **chart_kwargs), **st_kwargs), the spec cached per input."""
    chart_kwargs = chart_kwargs or {}
    if not _hashable_exactly((*args, *chart_kwargs.values())):
        st.altair_chart(build(*args, **chart_kwargs), **st_kwargs)
        return
    spec = _spec(f"{build.__module__}.{build.__qualname__}", args, chart_kwargs, build)
    st.vega_lite_chart(spec=spec, **st_kwargs)
