"""短信通知: CSV files (手机号, 内容) that the township's bulk-SMS platform imports.

The app sends nothing itself. Numbers come from the roster's 联系电话; leaders without one are
listed so that someone calls or visits them. Files are UTF-8 with BOM (Excel and the
platforms' import dialogs read Chinese), and every cell is guarded against formula reading.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.export.records import safe_text
from dashboard.data.years import get_year
from dashboard.domain import ACTIVE, YEAR_OPEN
from dashboard.services.auth import ADMIN, OFFICIAL, require_role, village_scope
from dashboard.services.workflow import latest_snapshot, snapshot_records
from models import Grid, Leader, PlatformCount, Township, Village

NOTICE_ROLES = (ADMIN, OFFICIAL)
HEADER = ("手机号", "内容")


class NoticeError(ValueError):
    """The notice cannot be made now; the message (Chinese) is shown as is."""


@dataclass(frozen=True)
class SmsBatch:
    """The CSV for the platform, how many messages it holds, and who has no number."""

    csv: bytes
    count: int
    without_phone: list[dict[str, str]]


def _csv(rows: list[tuple[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for phone, text in rows:
        writer.writerow((safe_text(phone), safe_text(text)))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _leaders(session: Session, user) -> list[tuple]:
    scope = village_scope(session=session, user=user)
    query = (
        select(Leader.id, Leader.code, Leader.name, Leader.phone, Township.name, Village.name)
        .join(Grid, Grid.id == Leader.grid_id).join(Village, Village.id == Grid.village_id)
        .join(Township, Township.id == Village.township_id).where(Leader.status == ACTIVE)
        .order_by(Township.name, Village.name, Leader.code)
    )
    if scope is not None:
        query = query.where(Village.id.in_(sorted(scope) or [-1]))
    return list(session.exec(query).all())


def _phone(value: str | None) -> str | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return digits or None


def _batch(pairs: list[tuple[tuple, str]]) -> SmsBatch:
    rows, missing = [], []
    for (_, code, name, phone, town, village), text in pairs:
        number = _phone(phone)
        if number is None:
            missing.append({"编号": code, "姓名": name, "乡镇": town, "村": village})
        else:
            rows.append((number, text))
    return SmsBatch(csv=_csv(rows), count=len(rows), without_phone=missing)


def result_notices(*, session: Session, user, year: int) -> SmsBatch:
    """Each leader's published result: 等次, 总分, rank in the township, objection deadline."""
    require_role(user, NOTICE_ROLES, action="导出短信通知")
    row = get_year(session, year)
    if row is None or row.status == YEAR_OPEN:
        raise NoticeError(f"{year} 年度还没有公示，不能发送考评结果")
    snapshot = latest_snapshot(session, year)
    results = {r["code"]: r for r in snapshot_records(snapshot)}
    deadline = f"{row.publicity_end.year}年{row.publicity_end.month}月{row.publicity_end.day}日" \
        if row.publicity_end else "公示期结束"
    pairs = []
    for leader in _leaders(session, user):
        r = results.get(leader[1])
        if r is None:
            continue
        rank = f"，全乡镇{r['role']}第{r['township_rank']}名" if r.get("township_rank") else ""
        text = (f"【{leader[4]}】{leader[2]}同志：您{year}年度{r['role']}考评等次为{r['grade']}，"
                f"总分{r['final']:.2f}{rank}。如有异议，请于{deadline}前向乡镇提出。")
        pairs.append((leader, text))
    batch = _batch(pairs)
    audit.record(session, username=user.username, action="notice.results", year=year,
                 new={"短信条数": batch.count, "无手机号": len(batch.without_phone)})
    return batch


def report_reminders(*, session: Session, user, year: int, month: int) -> SmsBatch:
    """A reminder to each active leader with no 综治E通 report in the month (no row, or 0 reports)."""
    require_role(user, NOTICE_ROLES, action="导出短信通知")
    if not 1 <= month <= 12:
        raise NoticeError("月份必须是 1 到 12")
    reported = set(session.exec(
        select(PlatformCount.leader_id).where(PlatformCount.year == year, PlatformCount.month == month,
                                              PlatformCount.reports > 0)
    ).all())
    pairs = [
        (leader, f"【{leader[4]}】{leader[2]}同志：系统中您{year}年{month}月还没有综治E通上报记录，"
                 "请及时通过手持终端上报社情民意和矛盾纠纷信息。")
        for leader in _leaders(session, user) if leader[0] not in reported
    ]
    batch = _batch(pairs)
    audit.record(session, username=user.username, action="notice.reminders", year=year,
                 target=f"{month}月", new={"短信条数": batch.count, "无手机号": len(batch.without_phone)})
    return batch
