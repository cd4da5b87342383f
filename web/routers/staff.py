"""The call-center console: search procedures and pages, view a procedure for a municipality, compare two
municipalities side by side, open a resident's saved bundle by its short code. Server-rendered, no script.

Signed-in staff only: until per-user accounts exist, the console uses the editor console's sign-in (token, then
a cookie session; ``CONCIERGE_EDITOR__ALLOW_OPEN`` opens both on a closed development network). Anonymous
requests are sent to the sign-in page; with no token configured the console refuses to serve (503).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from web.auth import COOKIE, EditorAuth
from web.catalog_views import procedure_view
from web.deps import ServicesDep, TemplatesDep
from web.errors import ApiError
from web.routers.api import resolve_event, resolve_municipality, staff_search

DISABLED = (
    "The staff console is disabled: no console token is configured. Set CONCIERGE_EDITOR__TOKEN "
    "(or, on a closed network only, CONCIERGE_EDITOR__ALLOW_OPEN=true)."
)


def require_console(request: Request) -> None:
    """Anonymous -> 303 to the sign-in page (then back here); no token configured -> 503."""
    auth: EditorAuth = request.app.state.editor_auth
    if not auth.enabled:
        raise ApiError(503, "console_disabled", DISABLED)
    if auth.open or auth.get(request.cookies.get(COOKIE)) is not None:
        return
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise HTTPException(
        303,
        "Sign in to the staff console first.",
        headers={"Location": f"/editor/login?next={quote(target)}"},
    )


NOT_A_CODE = "That is not a bundle code (15 letters and digits in three groups, e.g. K7MQ2-XWA9P-3HJ4C)."

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[Depends(require_console)])

Text = Annotated[str, Query(max_length=200)]
Opt = Annotated[str | None, Query(max_length=40)]


def _choices(services):  # type: ignore[no-untyped-def]
    cat = services.catalog
    munis = sorted(cat.municipalities.values(), key=lambda m: m.code)
    events = [(e.id, e.name.ja) for e in cat.events.values()]
    return munis, events


def _page_error(request: Request, templates, status: int, message: str) -> Response:  # type: ignore[no-untyped-def]
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


@router.get("", response_class=HTMLResponse)
def staff_home(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    q: Text = "",
    municipality: Opt = None,
    event: Opt = None,
) -> Response:
    cat = services.catalog
    try:
        code = resolve_municipality(cat, municipality)
        ev = resolve_event(cat, event)
    except ApiError as err:
        return _page_error(request, templates, err.status, err.message)
    result = staff_search(services, q, code, ev) if (q.strip() or ev) else None
    munis, events = _choices(services)
    return templates.TemplateResponse(
        request,
        "staff.html",
        {
            "q": q,
            "code": code,
            "event": ev,
            "result": result,
            "munis": munis,
            "events": events,
            "cat": cat,
            "procedures": sorted(cat.procedures.values(), key=lambda p: p.id),
        },
    )


@router.get("/procedures/{proc_id}", response_class=HTMLResponse)
def staff_procedure(
    proc_id: str,
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    municipality: Opt = None,
    compare: Opt = None,
) -> Response:
    """One procedure as it applies in ``municipality``; with ``compare``, two municipalities side by side."""
    cat = services.catalog
    try:
        a = resolve_municipality(cat, municipality)
        b = resolve_municipality(cat, compare)
        views = [procedure_view(cat, proc_id, a)]
        if b:
            views.append(procedure_view(cat, proc_id, b))
    except ApiError as err:
        return _page_error(request, templates, err.status, err.message)
    except KeyError:
        return _page_error(request, templates, 404, f"Unknown procedure {proc_id!r}.")
    munis, _ = _choices(services)
    return templates.TemplateResponse(
        request,
        "staff_procedure.html",
        {"views": views, "proc_id": proc_id, "code": a, "compare": b, "munis": munis, "cat": cat},
    )


@router.get("/compare")
def staff_compare(
    procedure: Annotated[str, Query(max_length=80)], a: Opt = None, b: Opt = None
) -> RedirectResponse:
    """The compare form's target: redirects to the side-by-side procedure view."""
    from urllib.parse import quote, urlencode

    params = urlencode({k: v for k, v in (("municipality", a), ("compare", b)) if v})
    return RedirectResponse(f"/staff/procedures/{quote(procedure, safe='')}?{params}", status_code=303)


@router.get("/bundle")
def staff_bundle_lookup(code: Annotated[str, Query(max_length=40)]) -> RedirectResponse:
    """The short-code form's target."""
    from urllib.parse import quote

    return RedirectResponse(f"/staff/bundles/{quote(code.strip(), safe='')}", status_code=303)


@router.get("/bundles/{code}", response_class=HTMLResponse)
def staff_bundle(code: str, request: Request, templates: TemplatesDep) -> Response:
    """A resident's saved bundle (warm hand-off), rendered by the push feature's page in staff mode."""
    try:
        from bot.bundles import code_status
        from web.routers.bundles import MISTYPED, base_url, bundle_page, client_of, get_bundle_service
    except ImportError:
        return _page_error(request, templates, 503, "Saved bundles are not available in this installation.")

    norm, status = code_status(code)
    if norm is None:
        message = MISTYPED if status == "mistyped" else NOT_A_CODE
        return _page_error(request, templates, 422 if status == "mistyped" else 404, message)
    try:
        return bundle_page(
            get_bundle_service(request), norm, base_url(request), staff=True, client=client_of(request)
        )
    except ApiError as err:
        return _page_error(request, templates, err.status, err.message)
