"""Audit trail 操作日志: who did what, when, with the old and new value and the reason.

`record` adds one AuditEvent to the caller's session, so the event commits or rolls back
together with the write it describes (one transaction per user action). Values are stored
as JSON text; timestamps are UTC.
"""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, select

from dashboard.data.export.files import write_cell
from dashboard.data.export.records import safe_text
from models import AuditEvent

# Action names used across the services; the page shows the Chinese label.
ACTION_LABELS: dict[str, str] = {
    "import": "导入工作簿",
    "seed_sample": "载入示例数据",
    "leader.save": "保存人员信息",
    "self_report.save": "保存个人述职",
    "self_report.submit": "本人提交个人述职",
    "self_report.confirm": "确认个人述职",
    "self_report.return": "退回个人述职",
    "committee.save": "保存两委打分",
    "ballot.save": "保存测评票",
    "platform.save": "保存平台上报",
    "adjustment.save": "保存加减分",
    "scheme.save": "修改考核方案",
    "year.create": "新建考评年度",
    "year.publish": "发布公示",
    "year.finalize": "定稿",
    "year.reopen": "重新开放录入",
    "round.open": "发起在线评议",
    "round.close": "结束在线评议",
    "round.slips": "下载评议票",
    "notice.results": "导出结果短信",
    "notice.reminders": "导出上报提醒短信",
    "objection.add": "登记异议",
    "objection.answer": "答复异议",
    "user.create": "新建账号",
    "user.update": "修改账号",
    "user.login_failed": "登录失败",
    "user.locked": "账号锁定",
    "backup": "备份数据库",
    "restore": "恢复数据库",
}

# Column names of the audit frame and their Chinese headers (page and export).
COLUMNS: dict[str, str] = {
    "at": "时间（UTC）",
    "username": "用户",
    "action": "操作",
    "action_label": "操作名称",
    "year": "年度",
    "target": "对象",
    "old_value": "原值",
    "new_value": "新值",
    "reason": "理由",
}


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def to_json(value: Any) -> str | None:
    """A value as JSON text (UTF-8 characters kept, keys sorted); None stays None."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def record(
    session: Session,
    *,
    username: str,
    action: str,
    year: int | None = None,
    target: str | None = None,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add one audit event to `session` (committed with the caller's transaction)."""
    if not username:
        raise ValueError("审计记录缺少用户名")
    if not action:
        raise ValueError("审计记录缺少操作名称")
    event = AuditEvent(
        at=now_utc(),
        username=username[:64],
        action=action[:64],
        year=year,
        target=None if target is None else str(target)[:200],
        old_value=to_json(old),
        new_value=to_json(new),
        reason=reason,
    )
    session.add(event)
    return event


def audit_frame(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    year: int | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit events matching the filters, newest first (columns: COLUMNS' keys).

    `since`/`until` are inclusive; a date means the whole UTC day.
    """
    stmt = select(AuditEvent)
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if year is not None:
        stmt = stmt.where(AuditEvent.year == year)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= _as_utc(since, end=False))
    if until is not None:
        stmt = stmt.where(AuditEvent.at <= _as_utc(until, end=True))
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = [
        {
            "at": ev.at,
            "username": ev.username,
            "action": ev.action,
            "action_label": ACTION_LABELS.get(ev.action, ev.action),
            "year": ev.year,
            "target": ev.target,
            "old_value": ev.old_value,
            "new_value": ev.new_value,
            "reason": ev.reason,
        }
        for ev in session.exec(stmt)
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    return frame


def _as_utc(moment: date | datetime, *, end: bool) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.combine(moment, time.max if end else time.min, tzinfo=UTC)


def audit_users(session: Session) -> list[str]:
    """Every user name that appears in the trail (for the page's filter)."""
    stmt = select(AuditEvent.username).distinct().order_by(AuditEvent.username)
    return list(session.exec(stmt))


# Field names written by the services in old/new values, as a reader of the trail calls them.
VALUE_KEYS: dict[str, str] = {
    "role": "角色",
    "villages": "负责的村",
    "township": "乡镇",
    "demo": "演示账户",
    "password": "密码",
    "ended_sessions": "结束的会话",
    "disabled": "停用",
    "locked_until": "锁定至",
    "failed_logins": "连续输错次数",
    "accounts": "账户",
    "status": "状态",
}
VALUE_WORDS: dict[str, str] = {"admin": "管理员", "assessor": "评分员", "viewer": "查看", "official": "官员"}


def _readable(value: Any) -> Any:
    if isinstance(value, dict):
        return {VALUE_KEYS.get(k, k): _readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    if value is True or value is False:
        return "是" if value else "否"
    if value is None:
        return "无"
    return VALUE_WORDS.get(value, value) if isinstance(value, str) else value


def readable_value(text: str | None) -> str:
    """An old/new value as people read it: Chinese field names, 是/否, 无; empty when there is none."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, str):
        return VALUE_WORDS.get(value, value)
    return json.dumps(_readable(value), ensure_ascii=False).replace('"', "")


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The audit frame with Chinese headers, the time as text and readable values (no "None"),
    for the page and exports."""
    out = frame.copy()
    out["at"] = [
        "" if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S") for t in out["at"]
    ]
    for column in ("old_value", "new_value"):
        out[column] = [readable_value(v) for v in out[column]]
    for column in ("target", "reason"):
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    out = out.drop(columns=["action"])
    return out.rename(columns=COLUMNS)


def _safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet could read as a formula (safe_text of the exports)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return safe_text(value)
    return value


def export_audit(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the audit frame to `.csv` (UTF-8 with BOM) or `.xlsx`, formula text neutralised."""
    path = Path(path)
    table = display_frame(frame)
    headers = list(table.columns)
    rows = [list(row) for row in table.itertuples(index=False, name=None)]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(["" if (v := _safe_cell(x)) is None else v for x in row])
    elif suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "操作日志"
        for c, header in enumerate(headers, start=1):
            write_cell(ws, 1, c, header).font = Font(bold=True)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                missing = value is None or (not isinstance(value, str) and pd.isna(value))
                write_cell(ws, r, c, None if missing else value,
                           "text" if isinstance(value, str) else "integer")
        for letter, width in zip("ABCDEFGH", (20, 12, 14, 6, 28, 40, 40, 30), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        wb.save(path)
    else:
        raise ValueError(f"不支持的导出格式：{path.suffix}（请使用 .csv 或 .xlsx）")
    return path


def export_audit_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The export as bytes for a download button (`fmt` is "csv" or "xlsx")."""
    with tempfile.TemporaryDirectory() as tmp:
        out = export_audit(frame, Path(tmp) / f"audit.{fmt}")
        return out.read_bytes()
