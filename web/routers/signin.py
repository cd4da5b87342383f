"""Sign-in to the consoles (``/login``, ``/logout``) and the role guard the console routers depend on.

``/staff`` needs the staff role (editor and admin include it); ``/editor`` needs editor (or admin). A request
without a session is sent to ``/login?next=…`` (GET) or refused with 401; a session without the role gets 403.
Every sign-in, refused sign-in and sign-out is audited with user, role, IP and time (JST).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import pass_context

from web.accounts import ConsoleSession
from web.auth import COOKIE, SESSION_TTL_S, ConsoleAuth, client_ip, valid_name
from web.deps import AuthDep, ServicesDep, TemplatesDep

router = APIRouter(include_in_schema=False)

DISABLED = (
    "コンソールは使えません：アカウントがまだありません。管理者が `concierge users add` で作成してください"
    "（開発用の設定: CONCIERGE_EDITOR__DEV_TOKEN と CONCIERGE_EDITOR__TOKEN）。"
)
ROLE_NAMES = {"staff": "職員", "editor": "編集者", "admin": "管理者"}


class SignInRequired(Exception):
    def __init__(self, status: int, next_path: str, message: str = "") -> None:
        self.status, self.next_path, self.message = status, next_path, message


def _safe_next(path: str) -> str:
    return (
        path if path.startswith(("/staff", "/editor")) and "//" not in path and "\\" not in path else "/staff"
    )


def require(needed: str):  # type: ignore[no-untyped-def]
    """A route dependency: the request's console session, when it holds ``needed`` (else SignInRequired)."""

    def dependency(request: Request, auth: AuthDep) -> ConsoleSession:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not auth.enabled:
            raise SignInRequired(503, target, DISABLED)
        session = auth.session(request)
        if session is None:
            raise SignInRequired(401, target)
        if not auth.may(session, needed):
            raise SignInRequired(
                403,
                target,
                f"この画面には{ROLE_NAMES[needed]}の権限が必要です（あなたは{ROLE_NAMES.get(session.role, session.role)}）。",
            )
        return session

    return Depends(dependency)


LANG_COOKIE = "console_lang"


def console_lang(request: Request | None) -> str:
    """The consoles are Japanese unless switched to English (a cookie set by /console/lang)."""
    return "en" if request is not None and request.cookies.get(LANG_COOKIE) == "en" else "ja"


@pass_context
def _tr(ctx: Any, ja: str, en: str) -> str:
    return en if console_lang(ctx.get("request")) == "en" else ja


@router.get("/console/lang")
def switch_lang(
    to: Annotated[str, Query(max_length=2)] = "ja", next: Annotated[str, Query(max_length=300)] = "/staff"
) -> Response:
    """Switch the consoles' language (Japanese by default) and go back."""
    target = next if next.startswith(("/staff", "/editor", "/login")) and "//" not in next else "/staff"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(LANG_COOKIE, "en" if to == "en" else "ja", max_age=365 * 86400, path="/", samesite="lax")
    return resp


def install(app: FastAPI) -> None:
    templates = app.state.templates
    templates.env.globals["tr"] = _tr
    templates.env.globals["console_lang"] = console_lang

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if exc.status == 401 and request.method == "GET":
            return RedirectResponse(f"/login?next={quote(exc.next_path, safe='')}", status_code=303)
        message = exc.message or "ログインしてください。"
        return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
            request, "error.html", {"status": exc.status, "message": message}, status_code=exc.status
        )


def _form(
    request: Request, templates, auth: ConsoleAuth, next_path: str, error: str | None, status: int = 200
):  # type: ignore[no-untyped-def]
    return templates.TemplateResponse(
        request,
        "login.html",
        {"error": error, "next": next_path, "dev_token": auth.dev_token},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    next: Annotated[str, Query(max_length=300)] = "/staff",
) -> Response:
    next_path = _safe_next(next)
    if not auth.enabled:
        return templates.TemplateResponse(
            request, "error.html", {"status": 503, "message": DISABLED}, status_code=503
        )
    needed = "editor" if next_path.startswith("/editor") else "staff"
    if auth.may(auth.session(request), needed):
        return RedirectResponse(next_path, status_code=303)
    return _form(request, templates, auth, next_path, None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    token: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=300)] = "/staff",
) -> Response:
    next_path = _safe_next(next)
    if not auth.enabled:
        return templates.TemplateResponse(
            request, "error.html", {"status": 503, "message": DISABLED}, status_code=503
        )
    ip = client_ip(request)
    audit = services.editorial.audit
    if token and auth.dev_token:  # development setting: shared token plus a typed-in name
        name = name.strip()
        if not valid_name(name):
            return _form(request, templates, auth, next_path, "お名前を入力してください（40文字まで）。", 422)
        if not auth.check_token(token):
            audit(name, "login_failed", role="", ip=ip)
            return _form(request, templates, auth, next_path, "トークンが違います。", 401)
        sid = auth.dev_login(name, ip)
        who, role = name, "editor"
    else:
        found = auth.login(username, password, ip)
        if found is None:
            audit(username.strip()[:40] or "?", "login_failed", role="", ip=ip)
            return _form(request, templates, auth, next_path, "ユーザー名またはパスワードが違います。", 401)
        sid, user = found
        who, role = user.display_name or user.username, user.role
    audit(who, "login", role=role, ip=ip)
    resp = RedirectResponse(next_path, status_code=303)
    resp.set_cookie(
        COOKIE,
        sid,
        max_age=SESSION_TTL_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
def logout(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    services: ServicesDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    session = auth.get(request.cookies.get(COOKIE))
    if session is None or not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return templates.TemplateResponse(
            request, "error.html", {"status": 401, "message": "ログインしていません。"}, status_code=401
        )
    services.editorial.audit(session.who, "logout", role=session.role, ip=client_ip(request))
    auth.end(request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp
