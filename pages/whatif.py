"""方案对比: move weights, grade bands or the award ratio on a copy of the scheme and see whose
grade or award would change, side by side with the current scheme. Nothing is saved."""

import pandas as pd
import streamlit as st

from dashboard.domain import COMPONENT_NAMES, COMPONENTS, GRADES
from dashboard.headers import HEADERS
from dashboard.reports.labels import year_title
from dashboard.reports.whatif import compare_results, grade_shift_matrix, whatif_changes
from dashboard.scoring.scheme import SchemeError
from dashboard.services.results import WHATIF_ROLES
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from dashboard.ui.results import whatif_results, year_results

state.require_page_role(WHATIF_ROLES, what="使用方案对比")
engine = get_engine()
data = year_results(engine)
scheme = data.scheme

st.title(year_title("方案对比", data.year))
st.caption(
    "在当前方案的副本上调整权重、等次分数线或表彰比例，查看谁的等次或表彰会变化。不会保存任何内容。"
)

with st.form("whatif_form"):
    st.markdown("**分项权重**（不必合计为 1，计算时按实际参与的分项重新归一）")
    wcols = st.columns(2)
    weights = {
        k: wcols[i % 2].number_input(
            COMPONENT_NAMES[k],
            min_value=0.0,
            max_value=10.0,
            value=float(scheme.weights[k]),
            step=0.05,
            format="%.2f",
            key=f"whatif_weight_{k}",
        )
        for i, k in enumerate(COMPONENTS)
    }
    st.markdown(f"**等次分数线**（{HEADERS['final']}不低于该分数）")
    bcols = st.columns(3)
    bands = {
        g: bcols[i].number_input(
            g,
            min_value=0.0,
            max_value=200.0,
            value=float(scheme.grade_bands[g]),
            step=1.0,
            format="%.2f",
            key=f"whatif_band_{g}",
        )
        for i, g in enumerate(GRADES[:3])
    }
    ratio = st.slider(
        "表彰比例",
        min_value=0.0,
        max_value=1.0,
        value=float(scheme.award_ratio),
        step=0.01,
        key="whatif_ratio",
    )
    submitted = st.form_submit_button("计算对比", type="primary")

changes = whatif_changes(weights=weights, grade_bands=bands, award_ratio=ratio)
try:
    changed_scheme = scheme.replace(changes)
except SchemeError as exc:
    st.error(f"调整后的方案无效：{exc}")
    st.stop()

if changed_scheme.to_dict() == scheme.to_dict():
    st.info("尚未调整任何设置。修改上面的数值后点击「计算对比」。")
    st.stop()

changed = whatif_results(engine, data, changed_scheme)
current = data.results
diff = compare_results(current, changed)

m = st.columns(3)
m[0].metric("等次变化", int(diff["grade_changed"].sum()))
m[1].metric("表彰变化", int(diff["award_changed"].sum()))
m[2].metric(
    "表彰人数",
    int(changed["award"].sum()),
    delta=int(changed["award"].sum()) - int(current["award"].sum()),
)

st.subheader("等次变化")
shift = grade_shift_matrix(current, changed)
shift.index.name = "当前方案 ↓ / 调整后 →"
st.dataframe(shift, width="stretch")

st.subheader("变化人员（当前方案 → 调整后）")
if diff.empty:
    st.success("调整后没有人的等次或表彰发生变化。")
else:
    st.dataframe(
        pd.DataFrame(
            {
                **{HEADERS[k]: diff[k] for k in ("code", "name", "role", "village")},
                **{
                    f"{when}{HEADERS[k]}": diff[f"{k}_{suffix}"]
                    for k in ("final", "grade", "award")
                    for when, suffix in (("当前", "now"), ("调整后", "new"))
                },
                "变化": diff["change"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            f"{when}{HEADERS['final']}": st.column_config.NumberColumn(format="%.2f")
            for when in ("当前", "调整后")
        },
        key="whatif_diff",
    )
