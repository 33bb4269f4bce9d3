"""Session state of the app: the signed-in user and the selected year, as primitives only.

Keys: ``auth_user_id``, ``auth_username``, ``auth_role``, ``auth_display_name``,
``auth_session_id`` (the ``login_session`` row the frame checks on every run), ``year``.
No Session or ORM object, and never the cookie token, is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from dashboard.data.db import read_session, transaction
from dashboard.services.auth import ROLE_LABELS, AuthError, PermissionDenied, SignedInUser
from dashboard.services.concurrency import ConflictError
from dashboard.services.entry import EntryError, scope_villages
from models import User

_AUTH_KEYS = ("auth_user_id", "auth_username", "auth_role", "auth_display_name", "auth_session_id")


def current_user() -> SignedInUser | None:
    """The signed-in user from session state, or None."""
    state = st.session_state
    if state.get("auth_user_id") is None:
        return None
    return SignedInUser(
        user_id=state["auth_user_id"],
        username=state["auth_username"],
        role=state["auth_role"],
        display_name=state.get("auth_display_name") or state["auth_username"],
    )


def current_session_id() -> int | None:
    """The server-side session (login_session row) this browser tab runs under, or None."""
    return st.session_state.get("auth_session_id")


def remember(user: SignedInUser, *, session_id: int) -> None:
    st.session_state["auth_user_id"] = user.user_id
    st.session_state["auth_username"] = user.username
    st.session_state["auth_role"] = user.role
    st.session_state["auth_display_name"] = user.display_name
    st.session_state["auth_session_id"] = session_id


def forget() -> None:
    for key in _AUTH_KEYS:
        st.session_state.pop(key, None)


def selected_year() -> int | None:
    return st.session_state.get("year")


def require_user() -> SignedInUser:
    """The signed-in user; stops the page when nobody is signed in (the frame prevents that)."""
    user = current_user()
    if user is None:
        st.error("请先登录")
        st.stop()
    return user


def require_year() -> int:
    year = selected_year()
    if year is None:
        st.info("还没有考评年度。请先在「数据导入」页导入工作簿，或由管理员载入示例数据。")
        st.stop()
    return year


# A refusal with up to this many bad cells lists them as lines; more go into a table.
LISTED_IN_MESSAGE = 30


def run_action(engine: Engine, action: Callable[..., Any], **kwargs: Any) -> tuple[bool, Any]:
    """Run one service in one transaction as the signed-in user; show refusals in Chinese.

    Returns (True, result) on success, (False, None) when refused (nothing was written).
    """
    signed = require_user()
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            if user is None:
                raise PermissionDenied("账号已不存在，请重新登录")
            result = action(session=session, user=user, **kwargs)
        return True, result
    except PermissionDenied as exc:
        show("error", f"无权操作：{exc}")
    except AuthError as exc:
        show("error", f"未保存：{exc}")
    except EntryError as exc:
        if 0 < len(exc.errors) <= LISTED_IN_MESSAGE:
            # One line per bad cell, readable (and findable) as text above the grid.
            show("error", "\n".join([f"未保存：{exc.summary}", *(f"- {e}" for e in exc.errors)]))
        else:
            show("error", f"未保存：{exc.summary}")
            if exc.errors:
                show("errors", list(exc.errors))
    except ConflictError as exc:
        show("warning", f"未保存：{exc.message_for(signed.username)}")
        if exc.current:
            show("table", exc.current)
    return False, None


# Messages shown while recording() is active, so that a page can show them again on its next run.
_recording: ContextVar[list[tuple[str, Any]] | None] = ContextVar("lianhu_recording", default=None)


def show(kind: str, payload: Any) -> None:
    """Show one outcome message: "error", "warning", "success" (text), "errors" (error list) or
    "table" (rows); kept as well while a recording() is open."""
    shown = _recording.get()
    if shown is not None:
        shown.append((kind, payload))
    _render(kind, payload)


def _render(kind: str, payload: Any) -> None:
    if kind == "errors":
        show_errors(payload)
    elif kind == "table":
        st.dataframe(pd.DataFrame(payload), hide_index=True, width="stretch")
    else:
        getattr(st, kind)(payload)


@contextmanager
def recording() -> Iterator[list[tuple[str, Any]]]:
    """Keep every message show() draws inside the block, in order, for replay()."""
    shown: list[tuple[str, Any]] = []
    token = _recording.set(shown)
    try:
        yield shown
    finally:
        _recording.reset(token)


def replay(shown: list[tuple[str, Any]]) -> None:
    """Draw messages kept by recording() again, in the same order."""
    for kind, payload in shown:
        _render(kind, payload)


def show_errors(errors) -> None:
    """Every error as a table (位置, 行, 列, 原因)."""
    frame = pd.DataFrame(
        [
            {"工作表": e.sheet, "行": e.row, "人员": getattr(e, "who", None) or "", "列": e.column or "",
             "原因": e.reason}
            for e in errors
        ]
    )
    if not frame["人员"].any():
        frame = frame.drop(columns="人员")
    frame["行"] = frame["行"].astype("Int64")
    st.dataframe(frame, hide_index=True, width="stretch")


def require_page_role(roles, *, what: str) -> SignedInUser:
    """Stop the page unless the signed-in role may use it (the menu already hides it)."""
    user = require_user()
    if user.role not in roles:
        st.error(f"您的角色（{ROLE_LABELS[user.role]}）不能{what}")
        st.stop()
    return user


def read(engine: Engine, query: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a read-only service as the signed-in user in a short session."""
    signed = require_user()
    with read_session(engine) as session:
        user = session.get(User, signed.user_id)
        if user is None:
            forget()
            st.error("账号已不存在，请重新登录")
            st.stop()
        return query(session=session, user=user, **kwargs)


def village_picker(engine: Engine, *, key: str, label: str = "村") -> int | None:
    """A select box of the villages in the user's scope; returns the chosen village id."""
    villages = read(engine, scope_villages)
    if not villages:
        st.info("您的范围内还没有村。请先导入人员名册。")
        return None
    labels = {vid: f"{town}/{name}" for vid, town, name in villages}
    return st.selectbox(label, list(labels), format_func=labels.get, key=key)


def clean_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Grid rows as plain dicts with empty cells as None (not NaN)."""
    return [
        {k: (None if _is_missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
