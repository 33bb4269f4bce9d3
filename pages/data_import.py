"""数据导入: download the template pre-filled with the user's scope, upload it back, check, confirm."""

import hashlib

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.filesafety import MACRO_SUFFIXES, MACRO_WORKBOOK
from dashboard.data.validation import FieldError
from dashboard.data.workbook import WorkbookRejected
from dashboard.services.auth import IMPORT_ROLES, PermissionDenied
from dashboard.services.uploads import check_upload, import_upload, template_for_user
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role(IMPORT_ROLES, what="导入数据")
selected = state.selected_year()

st.title("数据导入")
st.markdown(
    "1. 下载模板（已预填您范围内的人员名册）；2. 在 Excel 或 WPS 中填写；"
    "3. 上传后系统先检查，列出全部错误（超过 500 处时列出前 500 处并给出总数），此时不写入任何数据；4. 没有错误时点「确认导入」，一次性写入。"
)

with read_session(engine) as session:
    user = session.get(User, signed.user_id)
year = st.number_input(
    "导入到的年度", min_value=2000, max_value=2100, step=1,
    value=selected if selected is not None else 2024, key="data_import_year",
)
year = int(year)

with st.expander("两委打分预填（可选）：选季度和评分人，模板的「两委打分」表每人一行，只需填七项分数"):
    a, b = st.columns([1, 2])
    template_quarter = a.selectbox("季度", [None, 1, 2, 3, 4], key="data_import_template_quarter",
                                   format_func=lambda q: "不预填" if q is None else f"第 {q} 季度")
    template_rater = b.text_input("评分人（两委成员姓名）", key="data_import_template_rater", max_chars=64)
    st.caption("没有填分数的预填行在导入时跳过，不算错误。")
if st.button("生成模板", key="data_import_make_template", icon=":material/description:"):
    with read_session(engine) as session:
        try:
            st.session_state["data_import_template"] = template_for_user(
                session=session, user=user, year=year, quarter=template_quarter, rater=template_rater or None)
        except FieldError as exc:
            st.error(f"评分人：{exc.reason}")
if "data_import_template" in st.session_state:
    st.download_button(
        "下载模板（.xlsx）", st.session_state["data_import_template"],
        file_name=f"考评数据_{year}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="data_import_download", icon=":material/download:",
    )

st.divider()
# Every file type is let through the uploader only to be refused here in words: Streamlit's own
# refusal of a file type is an English "text/csv files are not allowed".
upload = st.file_uploader(
    "上传填好的工作簿（.xlsx；不接受启用宏的 .xlsm）", type=None, key="data_import_upload"
)
if upload is None:
    st.stop()
if upload.name.lower().endswith(MACRO_SUFFIXES):
    st.error(f"未检查、未导入：{MACRO_WORKBOOK}")
    st.stop()
if not upload.name.lower().endswith(".xlsx"):
    st.error(
        f"未检查、未导入：「{upload.name}」不是 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 打开它，"
        "“另存为”Excel 工作簿（.xlsx）后再上传；CSV 文件请先在模板中填写。"
    )
    st.stop()
data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()
check_key = f"{digest}-{year}"
if st.session_state.get("data_import_checked") != check_key:
    with st.status("正在检查工作簿…", expanded=False) as status:
        try:
            check = check_upload(engine=engine, user=user, data=data, year=year)
        except PermissionDenied as exc:
            st.error(f"无权操作：{exc}")
            st.stop()
        status.update(label="检查完成", state="complete" if check.ok else "error")
    st.session_state["data_import_checked"] = check_key
    st.session_state["data_import_errors"] = [
        {"工作表": e.sheet or "", "行": e.row, "列": e.column or "", "原因": e.reason} for e in check.errors
    ]
    st.session_state["data_import_warnings"] = list(check.warnings)
    st.session_state["data_import_plan"] = check.plan
    st.session_state["data_import_unlisted"] = check.unlisted

for warning in st.session_state.get("data_import_warnings", []):
    st.warning(f"提示：{warning}")
errors = st.session_state.get("data_import_errors", [])
if errors:
    unlisted = st.session_state.get("data_import_unlisted", 0)
    more = f"下表列出前 {len(errors)} 处，另有 {unlisted} 处错误未列出。" if unlisted else ""
    st.error(f"工作簿有 {len(errors) + unlisted} 处错误，未写入任何数据。{more}请改正后重新上传。")
    frame = pd.DataFrame(errors)
    frame["行"] = frame["行"].astype("Int64")
    st.dataframe(frame, hide_index=True, width="stretch", key="data_import_errors_table")
    st.stop()

plan = st.session_state.get("data_import_plan")
st.success(f"检查通过：可以导入 {year} 年度。确认前请核对下表：每一行只替换它对应的那一条数据，其余数据保持不变。")
st.subheader("导入预览")
st.dataframe(
    pd.DataFrame(
        [{"工作表": p.sheet, "新增": p.added, "修改": p.changed, "不变": p.unchanged, "删除": len(p.removed)}
         for p in plan.sheets.values()],
        columns=["工作表", "新增", "修改", "不变", "删除"],
    ),
    hide_index=True, width="stretch", key="data_import_preview",
)
if plan.removed:
    st.warning(f"以下 {len(plan.removed)} 行将被删除（加减分工作表列出的是这些人员本年度的全部加减分，"
               "两委成员工作表列出的是这些村本年度的全部两委成员，表中没有的会删除）：")
    st.dataframe(
        pd.DataFrame([{"工作表": r.sheet, "编号": r.code, "姓名": r.name, "将删除的内容": r.what} for r in plan.removed]),
        hide_index=True, width="stretch", key="data_import_removed",
    )
else:
    st.caption("不会删除任何数据。")
if not plan.changes:
    st.info("工作簿与系统中的数据完全相同，导入不会改变任何数据。")
if st.button("确认导入", type="primary", key="data_import_confirm"):
    progress = st.progress(0.0, text="开始导入…")
    steps = iter([0.3, 0.7])

    def say(text: str) -> None:
        progress.progress(next(steps, 0.9), text=text)

    try:
        report = import_upload(engine=engine, user=user, data=data, year=year, progress=say)
    except WorkbookRejected as exc:
        progress.empty()
        st.error(f"未导入：{exc}")
        state.show_errors(exc.errors)
        if exc.unlisted:
            st.warning(f"另有 {exc.unlisted} 处错误未列出")
        st.stop()
    except PermissionDenied as exc:
        progress.empty()
        st.error(f"无权操作：{exc}")
        st.stop()
    progress.progress(1.0, text="导入完成")
    st.session_state.pop("data_import_checked", None)
    st.success(f"已导入 {year} 年度：" + "；".join(report.lines()))
