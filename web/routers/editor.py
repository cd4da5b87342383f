"""The content editors' console: login by token, ingest runs, facts to re-verify, coverage, evaluation scores.

Refuses to serve (503) when no token is configured, unless ``settings.editor.allow_open`` says otherwise. Every
action (login, failed login, logout, re-verification) is appended to the audit log with who and when.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.auth import COOKIE, COOKIE_PATH, SESSION_TTL_S, EditorSession, safe_next, valid_name
from web.deps import AuthDep, ServicesDep, TemplatesDep

router = APIRouter(prefix="/editor", include_in_schema=False)

DISABLED = (
    "The editor console is disabled: no editor token is configured. Set CONCIERGE_EDITOR__TOKEN "
    "(or, on a closed network only, CONCIERGE_EDITOR__ALLOW_OPEN=true)."
)


def _error(request: Request, templates, status: int, message: str) -> Response:  # type: ignore[no-untyped-def]
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


def _session(request: Request, auth) -> EditorSession | None:  # type: ignore[no-untyped-def]
    if auth.open:
        return auth.open_session()
    return auth.get(request.cookies.get(COOKIE))


def flatten_metrics(report: dict[str, Any], prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """Scalar values of an evaluation report as (dotted key, value) rows, two levels deep."""
    rows: list[tuple[str, Any]] = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            rows += flatten_metrics(value, name + ".", depth + 1)
        elif isinstance(value, bool | int | float | str) and not (
            isinstance(value, str) and len(value) > 120
        ):
            rows.append((name, round(value, 4) if isinstance(value, float) else value))
    return rows


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, templates: TemplatesDep, auth: AuthDep, next: Annotated[str, Query(max_length=300)] = ""
) -> Response:
    if not auth.enabled:
        return _error(request, templates, 503, DISABLED)
    if _session(request, auth):
        return RedirectResponse(safe_next(next), status_code=303)
    return templates.TemplateResponse(
        request, "editor_login.html", {"error": None, "name": "", "next": safe_next(next)}
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    services: ServicesDep,
    name: Annotated[str, Form(max_length=200)] = "",
    token: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    if not auth.enabled:
        return _error(request, templates, 503, DISABLED)
    target = safe_next(next)
    name = name.strip()
    if not valid_name(name):
        return templates.TemplateResponse(
            request,
            "editor_login.html",
            {
                "error": "Enter your name (up to 40 letters, digits, spaces, . @ ' -).",
                "name": "",
                "next": target,
            },
            status_code=422,
        )
    if not auth.check_token(token):
        services.editorial.audit(name, "login_failed")
        return templates.TemplateResponse(
            request,
            "editor_login.html",
            {"error": "Wrong token.", "name": name, "next": target},
            status_code=401,
        )
    sid = auth.start(name)
    services.editorial.audit(name, "login")
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        COOKIE,
        sid,
        max_age=SESSION_TTL_S,
        path=COOKIE_PATH,
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
    session = _session(request, auth)
    if session is None or not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _error(request, templates, 401, "Not logged in.")
    services.editorial.audit(session.who, "logout")
    auth.end(request.cookies.get(COOKIE))
    resp = RedirectResponse("/editor/login", status_code=303)
    resp.delete_cookie(COOKIE, path=COOKIE_PATH)
    return resp


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, templates: TemplatesDep, auth: AuthDep, services: ServicesDep) -> Response:
    if not auth.enabled:
        return _error(request, templates, 503, DISABLED)
    session = _session(request, auth)
    if session is None:
        return RedirectResponse("/editor/login", status_code=303)
    ed = services.editorial
    report = ed.eval_report()
    pages_ok, pages_msg = services.pages.status()
    return templates.TemplateResponse(
        request,
        "editor.html",
        {
            "session": session,
            "open": auth.open,
            "runs": ed.runs(),
            "review": ed.to_review(),
            "coverage": ed.coverage(),
            "report": report,
            "metrics": flatten_metrics(report) if report else [],
            "audit": ed.audit_tail(),
            "pages_ok": pages_ok,
            "pages_msg": pages_msg,
            "catalog_version": services.catalog.version,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/reverify")
def reverify(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    services: ServicesDep,
    fact: Annotated[str, Form(min_length=1, max_length=300)],
    url: Annotated[str, Form(min_length=1, max_length=2000)],
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Record that the signed-in editor re-checked a flagged fact against its (changed) source page."""
    if not auth.enabled:
        return _error(request, templates, 503, DISABLED)
    session = _session(request, auth)
    if session is None:
        return _error(request, templates, 401, "Log in to the editor console first.")
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _error(request, templates, 403, "The form expired; reload the page and try again.")
    services.editorial.mark_reverified(fact, url, session.who)
    return RedirectResponse("/editor#review", status_code=303)
