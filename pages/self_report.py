"""个人述职: a leader's seven self-scores (0–100) and the narrative."""

import streamlit as st

from dashboard.domain import DUTIES
from dashboard.reports.labels import year_title
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.concurrency import self_report_version
from dashboard.services.entry import scope_leaders
from dashboard.services.input_reads import self_report_fields
from dashboard.services.inputs import delete_self_report
from dashboard.services.inputs import save_self_report as save
from dashboard.ui import state
from dashboard.ui.entry_grid import forget_save, save_once, score_text
from dashboard.ui.resources import get_engine

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入个人述职")
year = state.require_year()

st.title(year_title("个人述职", year))
st.caption("每人每年一份：七大员各项的自评（0–100，百分制）和述职摘要。")
village_id = state.village_picker(engine, key="self_report_village")
if village_id is None:
    st.stop()
refs = state.read(engine, scope_leaders, village_id=village_id)
if not refs:
    st.info("这个村没有在任的网格长或联户长。")
    st.stop()
labels = {r.code: f"{r.code} {r.name}（{r.role}）" for r in refs}
code = st.selectbox("人员", list(labels), format_func=labels.get, key="self_report_leader")
stored = state.read(engine, self_report_fields, year=year, code=code)
# The report's version when the form was opened: a save over someone else's later save is refused.
token_key = f"self_report_token_{year}_{code}"
if token_key not in st.session_state:
    st.session_state[token_key] = state.read(engine, self_report_version, year=year, code=code)
st.caption("已有个人述职，可修改后保存。" if stored else "尚未录入个人述职。")

with st.form(f"self_report_form_{code}"):
    scores = {}
    cols = st.columns(4)
    for i, (key, name) in enumerate(DUTIES.items()):
        # Text, not a number input: a number input silently blocks 105 and the form then does
        # nothing; the service refuses it with a message naming the field, the others kept.
        scores[name] = cols[i % 4].text_input(
            name, value="" if stored is None else score_text(stored[name]), max_chars=12,
            placeholder="0–100", key=f"self_report_{key}_{code}",
        )
    narrative = st.text_area(
        "述职摘要（最多 2000 字）", value="" if stored is None else stored["述职摘要"] or "",
        max_chars=2000, key=f"self_report_narrative_{code}",
    )
    submitted = st.form_submit_button("保存个人述职", type="primary")
if submitted:

    def _save():
        ok, result = state.run_action(engine, save, year=year, code=code, scores=scores, narrative=narrative,
                                      expected_token=st.session_state.get(token_key))
        st.session_state.pop(token_key, None)  # saved, or refused: the next run loads the stored version
        return ok, result

    save_once("self_report_saved", (year, code, repr(scores), narrative), _save)
if stored is not None and st.button("删除这份个人述职", key=f"self_report_delete_{code}"):
    ok, result = state.run_action(engine, delete_self_report, year=year, code=code)
    if ok:
        forget_save("self_report_saved")
        st.success(result.message)
        st.rerun()
