"""The app's own HTTP routes next to Streamlit's (served by ``st.App``): the session cookie.

Streamlit talks to the browser over a websocket, which cannot set a cookie, and JavaScript
cannot set an HttpOnly one. So the sign-in form (a Streamlit page) checks the password and
opens a session row with a one-time ticket; the page then posts the ticket to
``POST <base>/lianhu-auth/session``, whose response sets the cookie. ``POST
<base>/lianhu-auth/logout`` ends the cookie's session and deletes the cookie. The database is
the only store, so any app process can answer either request.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.data.db import make_engine, transaction
from dashboard.services.auth import (
    SESSION_ABSOLUTE_LIMIT,
    SESSION_COOKIE,
    end_session,
    issue_cookie_token,
)
from dashboard.ui.vote_page import vote_routes

SESSION_ROUTE = "lianhu-auth/session"
LOGOUT_ROUTE = "lianhu-auth/logout"
MAX_TICKET_BYTES = 256


def base_path(base_url_path: str | None) -> str:
    """"/" or "/base/" for Streamlit's server.baseUrlPath ("" or "base" or "/base/")."""
    stripped = (base_url_path or "").strip("/")
    return f"/{stripped}/" if stripped else "/"


@lru_cache(maxsize=1)
def _engine():
    return make_engine()


def _trade(ticket: str) -> str | None:
    with transaction(_engine()) as session:
        return issue_cookie_token(session=session, ticket=ticket)


def _end(token: str) -> None:
    with transaction(_engine()) as session:
        end_session(session=session, token=token)


def _same_origin(request: Request) -> bool:
    """Refuse requests another site makes the browser send (login and logout forgery)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return site is not None  # a browser that says neither is not one we serve
    hosts = {
        urlsplit(f"//{h.strip()}").hostname
        for h in (request.headers.get("host", ""), request.headers.get("x-forwarded-host", ""))
        if h.strip()
    }
    return urlsplit(origin).hostname in hosts


def _secure(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or proto == "https"


def _session_endpoint(cookie_path: str):
    async def endpoint(request: Request) -> Response:
        if not _same_origin(request):
            return Response(status_code=403)
        ticket = (await request.body())[:MAX_TICKET_BYTES].decode("ascii", "replace").strip()
        token = await run_in_threadpool(_trade, ticket)  # the database never blocks the event loop
        if token is None:
            return Response(status_code=403)
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            SESSION_COOKIE, token, max_age=int(SESSION_ABSOLUTE_LIMIT.total_seconds()), path=cookie_path,
            httponly=True, samesite="lax", secure=_secure(request),
        )
        return response

    return endpoint


def _logout_endpoint(cookie_path: str):
    async def endpoint(request: Request) -> Response:
        if not _same_origin(request):
            return Response(status_code=403)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await run_in_threadpool(_end, token)
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.delete_cookie(SESSION_COOKIE, path=cookie_path, httponly=True, samesite="lax",
                               secure=_secure(request))
        return response

    return endpoint


def session_routes(base_url_path: str | None) -> list[Route]:
    """The two cookie routes and the voting page under Streamlit's base URL path (st.App does not prefix them)."""
    base = base_path(base_url_path)
    return [
        Route(f"{base}{SESSION_ROUTE}", _session_endpoint(base), methods=["POST"]),
        Route(f"{base}{LOGOUT_ROUTE}", _logout_endpoint(base), methods=["POST"]),
        *vote_routes(base),
    ]
