"""The voting page (GET/POST ``<base>vote``): plain server-rendered HTML, no account, no script.

A plain form works on weak phones without a websocket, and the route sees the client address
for the wrong-code limit. The page shows nothing but the round's title and names; responses
are never cached and send no referrer (the code may be in the address).
"""

from __future__ import annotations

import html
from functools import lru_cache
from ipaddress import ip_address

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dashboard.data.db import make_engine
from dashboard.domain import MARKS
from dashboard.services import voting
from dashboard.services.rounds import VOTE_PATH, normalise_code

MAX_FORM_BYTES = 64_000
limiter = voting.Limiter()

_CSS = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0;
       padding: 12px; background: #f6f7f9; color: #222; font-size: 17px; line-height: 1.5; }
main { max-width: 640px; margin: 0 auto; }
h1 { font-size: 21px; margin: 8px 0 4px; }
.note { color: #555; font-size: 15px; }
.error { background: #fdecea; color: #8a1c12; padding: 10px 12px; border-radius: 8px; margin: 10px 0; }
.ok { background: #e7f5ea; color: #14532d; padding: 16px; border-radius: 8px; margin: 14px 0; font-size: 19px; }
fieldset { border: 1px solid #d9dce1; border-radius: 10px; background: #fff; margin: 10px 0; padding: 10px; }
legend { font-weight: bold; padding: 0 4px; }
.who { font-size: 14px; color: #666; font-weight: normal; }
.marks { display: grid; grid-template-columns: 1fr 1fr 1.3fr 1.15fr 1fr; gap: 5px; }
.marks label { display: block; }
.marks input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.marks span { display: flex; align-items: center; justify-content: center; min-height: 48px; text-align: center;
              border: 2px solid #c7ccd4; border-radius: 8px; font-size: 15px; padding: 0; background: #fff;
              white-space: nowrap; }
.marks input:checked + span { background: #1f6feb; border-color: #1f6feb; color: #fff; font-weight: bold; }
.marks input:focus-visible + span { outline: 3px solid #f59e0b; }
input[type=text] { width: 100%; font-size: 22px; padding: 12px; border: 2px solid #c7ccd4; border-radius: 8px;
                   letter-spacing: 2px; text-transform: uppercase; }
button { width: 100%; min-height: 56px; font-size: 20px; margin: 14px 0 30px; border: 0; border-radius: 10px;
         background: #16a34a; color: #fff; font-weight: bold; }
"""


@lru_cache(maxsize=1)
def _engine():
    return make_engine()


def _page(body: str, *, status: int = 200) -> HTMLResponse:
    text = (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"referrer\" content=\"no-referrer\"><title>群众评议</title>"
        f"<style>{_CSS}</style></head><body><main>{body}</main></body></html>"
    )
    return HTMLResponse(text, status_code=status, headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
        "X-Frame-Options": "DENY",
    })


def client_address(request: Request) -> str:
    """The voter's address: the direct peer, or, when that is a proxy on loopback, the address
    the proxy appended last to X-Forwarded-For (docs/deploy.md's nginx does)."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for", "")
    try:
        loopback = ip_address(peer).is_loopback
    except ValueError:
        loopback = False
    if loopback and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return peer


def _code_form(action: str, error: str | None = None, code: str = "") -> HTMLResponse:
    err = f"<p class=\"error\" role=\"alert\">{html.escape(error)}</p>" if error else ""
    return _page(
        "<h1>群众评议</h1><p class=\"note\">请输入评议票上的 10 位评议码（字母不分大小写，可不输横线）。"
        "本评议不记名，系统不保存您的评议码与评议内容的对应关系。</p>" + err +
        f"<form method=\"get\" action=\"{action}\"><input type=\"text\" name=\"c\" autocomplete=\"off\" "
        f"autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"24\" aria-label=\"评议码\" "
        f"value=\"{html.escape(code)}\"><button type=\"submit\">开始评议</button></form>",
        status=200 if error is None else 400,
    )


def _ballot_form(action: str, code: str, ballot: voting.Ballot, chosen: dict[int, str],
                 error: str | None = None) -> HTMLResponse:
    err = f"<p class=\"error\" role=\"alert\">{html.escape(error)}</p>" if error else ""
    parts = [
        f"<h1>{html.escape(ballot.title)}</h1>",
        f"<p class=\"note\">{html.escape(ballot.village)} · 共 {len(ballot.leaders)} 人。请为每一位选择一项，"
        "不评价请选「弃权」；提交后评议码即作废，不能修改。</p>", err,
        f"<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"c\" value=\"{html.escape(code)}\">",
    ]
    for x in ballot.leaders:
        parts.append(f"<fieldset><legend>{html.escape(x.name)} <span class=\"who\">{html.escape(x.role)} · "
                     f"{html.escape(x.grid)}</span></legend><div class=\"marks\">")
        for mark in MARKS:
            checked = " checked" if chosen.get(x.leader_id) == mark else ""
            parts.append(f"<label><input type=\"radio\" name=\"m{x.leader_id}\" value=\"{mark}\"{checked}>"
                         f"<span>{mark}</span></label>")
        parts.append("</div></fieldset>")
    parts.append("<button type=\"submit\">提交评议</button></form>")
    return _page("".join(parts), status=200 if error is None else 400)


def _vote_endpoint(action: str):
    async def endpoint(request: Request) -> HTMLResponse:
        client = client_address(request)
        if request.method == "GET":
            code = normalise_code(request.query_params.get("c", ""))
            if not code:
                return _code_form(action)
            chosen: dict[int, str] = {}
        else:
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                return _page("<p class=\"error\">提交的内容过大</p>", status=413)
            form = await request.form()
            code = normalise_code(str(form.get("c", "")))
            chosen = {}
            for key, value in form.items():
                if key.startswith("m") and key[1:].isdigit() and value in MARKS:
                    chosen[int(key[1:])] = str(value)
        if limiter.blocked(client):
            return _code_form(action, voting.TOO_MANY)
        try:
            ballot = await run_in_threadpool(voting.open_ballot, engine=_engine(), code=code)
        except voting.VoteRefused as exc:
            if str(exc) == voting.CODE_UNKNOWN:
                limiter.fail(client)
            return _code_form(action, str(exc), code if str(exc) == voting.CODE_UNKNOWN else "")
        if request.method == "GET":
            return _ballot_form(action, code, ballot, chosen)
        try:
            count = await run_in_threadpool(voting.cast_vote, engine=_engine(), code=code, marks=chosen)
        except voting.VoteRefused as exc:
            if exc.fix_ballot:
                return _ballot_form(action, code, ballot, chosen, str(exc))
            return _code_form(action, str(exc))
        return _page(f"<h1>{html.escape(ballot.title)}</h1><p class=\"ok\" role=\"status\">提交成功，"
                     f"已记录您对 {count} 人的评议。感谢参与！评议码已作废，可以关闭本页。</p>")

    return endpoint


def vote_routes(base: str) -> list[Route]:
    """The voting page under the app's base path ("/" or "/base/")."""
    action = f"{base}{VOTE_PATH}"
    return [Route(action, _vote_endpoint(action), methods=["GET", "POST"])]
