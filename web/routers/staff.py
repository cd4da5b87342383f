"""The call-center console: search procedures and pages, view a procedure for a municipality, compare two
municipalities side by side, open a resident's saved bundle by its short code. Server-rendered, no script."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.catalog_views import procedure_view
from web.deps import ServicesDep, TemplatesDep
from web.errors import ApiError
from web.routers.api import resolve_event, resolve_municipality, staff_search
from web.routers.signin import require

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[require("staff")])

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
def staff_bundle_lookup(code: Annotated[str, Query(max_length=20)]) -> RedirectResponse:
    """The short-code form's target."""
    from urllib.parse import quote

    return RedirectResponse(f"/staff/bundles/{quote(code.strip(), safe='')}", status_code=303)


@router.get("/bundles/{code}", response_class=HTMLResponse)
def staff_bundle(code: str, request: Request, templates: TemplatesDep) -> Response:
    """A resident's saved bundle (warm hand-off), rendered by the push feature's page in staff mode."""
    try:
        from bot.bundles import normalize_code
        from web.routers.bundles import base_url, bundle_page, get_bundle_service
    except ImportError:
        return _page_error(request, templates, 503, "Saved bundles are not available in this installation.")

    norm = normalize_code(code)
    if norm is None:
        return _page_error(
            request, templates, 404, "That is not a bundle code (8 letters and digits, e.g. K7MQ-2XWA)."
        )
    try:
        return bundle_page(get_bundle_service(request), norm, base_url(request), staff=True)
    except ApiError as err:
        return _page_error(request, templates, err.status, err.message)
