"""评议批次: open and close online mass-evaluation rounds, make their one-time codes, turnout.

A round's codes exist in clear text only in the slips made when the round is opened; the
database keeps each code's SHA-256 and a spent flag. Officials and admins run rounds within
their scope; every opening, closing and slip sheet is in the audit trail.
"""

from __future__ import annotations

import hashlib
import html
import os
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import segno
from sqlalchemy import case, func
from sqlmodel import Session, select

from dashboard.data import audit
from dashboard.data.years import require_open
from dashboard.domain import ACTIVE, LEADER_ROLES
from dashboard.services.auth import ADMIN, OFFICIAL, PermissionDenied, require_role, village_scope
from models import BallotMark, EvaluationRound, Grid, Leader, Township, Village, VoteCode

ROUND_ROLES = (ADMIN, OFFICIAL)
SCOPE_VILLAGE = "village"
SCOPE_TOWNSHIP = "township"
SCOPE_LABELS = {SCOPE_VILLAGE: "本村", SCOPE_TOWNSHIP: "全乡镇各村"}
OPEN = "open"
CLOSED = "closed"
STATUS_LABELS = {OPEN: "进行中", CLOSED: "已结束"}
RATER_TYPES = ("群众代表", "联户长互评", "党员代表", "村民代表")
MAX_SLIPS = 2000

# 31 characters without the look-alikes 0/O, 1/I/L; 10 of them are 49 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# Online ballots carry this prefix and the round in their 票号, never anything of the code.
BALLOT_PREFIX = "线上"
PUBLIC_URL_ENV = "LIANHU_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501/"
VOTE_PATH = "vote"


class RoundError(ValueError):
    """A round cannot be opened or closed as asked; the message (Chinese) is shown as is."""


def new_code() -> str:
    """A fresh random code of CODE_LENGTH characters from CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a voter typed, as a code: upper case, without spaces and hyphens."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[: CODE_LENGTH * 2]


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def show_code(code: str) -> str:
    """A code as printed: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def public_url() -> str:
    """The app's address as voters reach it (LIANHU_PUBLIC_URL), ending in "/"."""
    base = os.environ.get(PUBLIC_URL_ENV, "").strip() or DEFAULT_PUBLIC_URL
    return base if base.endswith("/") else base + "/"


def vote_url(code: str) -> str:
    return f"{public_url()}{VOTE_PATH}?c={quote(code)}"


@dataclass(frozen=True)
class Slip:
    code: str
    village: str
    url: str


@dataclass(frozen=True)
class OpenedRound:
    """A new round and its slips (the only time the codes exist in clear text)."""

    round_id: int
    title: str
    slips: list[Slip]


def _round_village_ids(session: Session, row: EvaluationRound) -> list[int]:
    if row.scope == SCOPE_VILLAGE:
        return [row.village_id]
    return list(session.exec(select(Village.id).where(Village.township_id == row.township_id).order_by(Village.id)))


def _check_scope(session: Session, user, village_ids: list[int], place: str) -> None:
    scope = village_scope(session=session, user=user)
    if scope is not None and not set(village_ids) <= scope:
        raise PermissionDenied(f"{place} 不在您的范围内")


def scope_townships(*, session: Session, user) -> list[tuple[int, str]]:
    """(id, name) of the townships all of whose villages are in the user's scope."""
    scope = village_scope(session=session, user=user)
    rows = session.exec(select(Village.township_id, Village.id)).all()
    towns: dict[int, set[int]] = {}
    for tid, vid in rows:
        towns.setdefault(tid, set()).add(vid)
    keep = [tid for tid, vids in towns.items() if scope is None or vids <= scope]
    names = session.exec(select(Township.id, Township.name).where(Township.id.in_(keep or [-1]))).all()
    return sorted(names, key=lambda r: r[1])


def round_title(session: Session, row: EvaluationRound) -> str:
    town = session.get(Township, row.township_id)
    place = town.name
    if row.village_id is not None:
        place += session.get(Village, row.village_id).name
    return f"{row.year} 年度{place}群众评议（{row.rater_type}）"


def open_round(
    *, session: Session, user, year: int, rater_type: str, slips: int,
    village_id: int | None = None, township_id: int | None = None,
) -> OpenedRound:
    """Open a round for one village (village_id) or each village of a township (township_id).

    A township round makes `slips` codes for each of its villages.
    """
    require_role(user, ROUND_ROLES, action="发起在线评议")
    require_open(session, year)
    rater_type = (rater_type or "").strip()
    if not rater_type or len(rater_type) > 32:
        raise RoundError("评议人类别必须填写，且不超过 32 个字")
    if not isinstance(slips, int) or not 1 <= slips <= MAX_SLIPS:
        raise RoundError(f"评议票张数必须是 1 到 {MAX_SLIPS} 之间的整数")
    if (village_id is None) == (township_id is None):
        raise RoundError("请选择一个村，或一个乡镇（全乡镇各村）")
    if village_id is not None:
        village = session.get(Village, village_id)
        if village is None:
            raise RoundError("所选的村不存在")
        row = EvaluationRound(year=year, scope=SCOPE_VILLAGE, township_id=village.township_id,
                              village_id=village_id, rater_type=rater_type, slips=slips,
                              created_by=user.username, created_at=audit.now_utc())
    else:
        if session.get(Township, township_id) is None:
            raise RoundError("所选的乡镇不存在")
        row = EvaluationRound(year=year, scope=SCOPE_TOWNSHIP, township_id=township_id, village_id=None,
                              rater_type=rater_type, slips=slips, created_by=user.username,
                              created_at=audit.now_utc())
    village_ids = _round_village_ids(session, row)
    title = round_title(session, row)
    _check_scope(session, user, village_ids, title)
    if not village_ids:
        raise RoundError("该乡镇还没有村，不能发起评议")
    session.add(row)
    session.flush()
    names = dict(session.exec(select(Village.id, Village.name).where(Village.id.in_(village_ids))).all())
    made: list[Slip] = []
    for vid in village_ids:
        for _ in range(slips):
            code = new_code()
            session.add(VoteCode(round_id=row.id, village_id=vid, code_hash=hash_code(code), spent=False))
            made.append(Slip(code=code, village=names[vid], url=vote_url(code)))
    audit.record(session, username=user.username, action="round.open", year=year, target=title,
                 new={"批次": row.id, "范围": SCOPE_LABELS[row.scope], "评议人类别": rater_type,
                      "每村票数": slips, "总票数": len(made)})
    return OpenedRound(round_id=row.id, title=title, slips=made)


def close_round(*, session: Session, user, round_id: int) -> str:
    """Close a round: its unused codes no longer vote. Returns the round's title."""
    require_role(user, ROUND_ROLES, action="结束在线评议")
    row = session.get(EvaluationRound, round_id)
    if row is None:
        raise RoundError("该评议批次不存在")
    title = round_title(session, row)
    _check_scope(session, user, _round_village_ids(session, row), title)
    if row.status == CLOSED:
        raise RoundError(f"{title} 已经结束")
    row.status = CLOSED
    row.closed_by = user.username
    row.closed_at = audit.now_utc()
    session.add(row)
    used = session.exec(select(func.count()).where(VoteCode.round_id == round_id, VoteCode.spent)).one()
    audit.record(session, username=user.username, action="round.close", year=row.year, target=title,
                 old={"状态": STATUS_LABELS[OPEN]}, new={"状态": STATUS_LABELS[CLOSED], "已投票": used})
    return title


# --- turnout ---------------------------------------------------------------------------------


def list_rounds(*, session: Session, user, year: int) -> list[dict]:
    """The year's rounds in the user's scope, newest first, with slips issued and used."""
    require_role(user, ROUND_ROLES, action="查看在线评议")
    scope = village_scope(session=session, user=user)
    rows = session.exec(select(EvaluationRound).where(EvaluationRound.year == year)
                        .order_by(EvaluationRound.id.desc())).all()
    counts = {
        (rid, spent): n for rid, spent, n in session.exec(
            select(VoteCode.round_id, VoteCode.spent, func.count()).join(EvaluationRound)
            .where(EvaluationRound.year == year).group_by(VoteCode.round_id, VoteCode.spent)
        ).all()
    }
    out = []
    for row in rows:
        if scope is not None and not set(_round_village_ids(session, row)) <= scope:
            continue
        issued = counts.get((row.id, False), 0) + counts.get((row.id, True), 0)
        out.append({
            "批次": row.id, "名称": round_title(session, row), "范围": SCOPE_LABELS[row.scope],
            "评议人类别": row.rater_type, "状态": STATUS_LABELS[row.status], "发放": issued,
            "已投票": counts.get((row.id, True), 0), "发起人": row.created_by,
            "发起日期": row.created_at.date().isoformat(),
        })
    return out


def round_turnout(*, session: Session, user, round_id: int) -> tuple[list[dict], list[dict]]:
    """(slips issued and used per village, ballots received per leader) of one round.

    Per leader only how many online ballots of this round name him: never how anyone voted.
    """
    require_role(user, ROUND_ROLES, action="查看在线评议")
    row = session.get(EvaluationRound, round_id)
    if row is None:
        raise RoundError("该评议批次不存在")
    _check_scope(session, user, _round_village_ids(session, row), round_title(session, row))
    villages = session.exec(
        select(Village.name, func.count(VoteCode.id), func.sum(case((VoteCode.spent, 1), else_=0)))
        .join(VoteCode, VoteCode.village_id == Village.id).where(VoteCode.round_id == round_id)
        .group_by(Village.id, Village.name).order_by(Village.name)
    ).all()
    per_village = [{"村": name, "发放": issued, "已投票": int(used or 0)} for name, issued, used in villages]
    prefix = f"{ballot_prefix(round_id)}%"
    ballots = dict(session.exec(
        select(BallotMark.leader_id, func.count()).where(BallotMark.year == row.year,
                                                        BallotMark.ballot_no.like(prefix))
        .group_by(BallotMark.leader_id)
    ).all())
    leaders = session.exec(
        select(Leader.id, Leader.code, Leader.name, Leader.role, Village.name)
        .join(Grid, Grid.id == Leader.grid_id).join(Village, Village.id == Grid.village_id)
        .where(Village.id.in_(_round_village_ids(session, row)), Leader.role.in_(LEADER_ROLES),
               Leader.status == ACTIVE)
        .order_by(Village.name, Leader.code)
    ).all()
    per_leader = [
        {"村": vname, "编号": code, "姓名": name, "角色": role, "已收到评议票": ballots.get(lid, 0)}
        for lid, code, name, role, vname in leaders
    ]
    return per_village, per_leader


def ballot_prefix(round_id: int) -> str:
    return f"{BALLOT_PREFIX}{round_id}-"


# --- the print-ready slips -------------------------------------------------------------------

_SLIP_CSS = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 0; }
.sheet { display: grid; grid-template-columns: 1fr 1fr; gap: 0; }
.slip { border: 1px dashed #888; padding: 4mm; height: 68mm; overflow: hidden; page-break-inside: avoid;
        break-inside: avoid; display: flex; gap: 4mm; align-items: center; }
.slip svg { width: 34mm; height: 34mm; flex: none; }
.slip h2 { font-size: 11pt; margin: 0 0 2mm; }
.slip p { font-size: 9pt; margin: 1mm 0; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 16pt; font-weight: bold; letter-spacing: 1px; }
.url { font-size: 7pt; word-break: break-all; color: #333; }
.break { break-after: page; page-break-after: always; }
header { font-size: 10pt; margin-bottom: 3mm; }
@media screen { body { max-width: 190mm; margin: 0 auto; } }
"""
SLIPS_PER_PAGE = 8


def slips_html(opened: OpenedRound) -> str:
    """A print-ready HTML sheet (A4, 8 slips a page): each slip's code, QR code and address."""
    title = html.escape(opened.title)
    parts = [
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        f"<title>{title} · 评议票</title><style>{_SLIP_CSS}</style></head><body>",
        f"<header>{title} · 共 {len(opened.slips)} 张 · 每张评议码只能使用一次，沿虚线剪开后发放</header>",
    ]
    for start in range(0, len(opened.slips), SLIPS_PER_PAGE):
        page = opened.slips[start:start + SLIPS_PER_PAGE]
        last = start + SLIPS_PER_PAGE >= len(opened.slips)
        parts.append(f"<div class=\"sheet{'' if last else ' break'}\">")
        for slip in page:
            qr = segno.make(slip.url, error="m").svg_inline(scale=4, border=2)
            parts.append(
                "<div class=\"slip\">" + qr + "<div>"
                f"<h2>{html.escape(opened.title)}</h2>"
                f"<p>{html.escape(slip.village)} · 用手机扫描二维码，或打开下面的网址输入评议码</p>"
                f"<p class=\"code\">{show_code(slip.code)}</p>"
                f"<p class=\"url\">{html.escape(public_url() + VOTE_PATH)}</p>"
                "<p>本票不记名，评议码只能使用一次；请勿拍照或转交他人。</p>"
                "</div></div>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def record_slips_download(*, session: Session, user, round_id: int, count: int) -> None:
    """Audit that a round's slips were downloaded (the codes themselves are never logged)."""
    require_role(user, ROUND_ROLES, action="下载评议票")
    row = session.get(EvaluationRound, round_id)
    if row is None:
        raise RoundError("该评议批次不存在")
    title = round_title(session, row)
    _check_scope(session, user, _round_village_ids(session, row), title)
    audit.record(session, username=user.username, action="round.slips", year=row.year,
                 target=title, new={"批次": round_id, "张数": count})
