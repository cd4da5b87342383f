"""The call-center console: search procedures and pages, view a procedure for a municipality, compare two
municipalities side by side, open a resident's saved bundle by its short code. Server-rendered, no script.

Signed-in staff only (role staff, editor or admin; web.routers.signin): anonymous requests are sent to ``/login``
(then back here), a signed-in user without the role gets 403, and with no account and no development setting the
console refuses to serve (503). ``CONCIERGE_EDITOR__ALLOW_OPEN`` opens it on a closed development network.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.accounts import ConsoleSession
from web.auth import client_ip
from web.catalog_views import procedure_view
from web.deps import ServicesDep, TemplatesDep
from web.errors import ApiError
from web.routers.api import resolve_event, resolve_municipality, staff_search
from web.routers.signin import require
from web.services import pages_status_ja

NOT_A_CODE = (
    "保存コードの形式ではありません（英数字15文字を5文字ずつ3つに区切ったもの、例：K7MQ2-XWA9P-3HJ4C）。"
)

router = APIRouter(prefix="/staff", include_in_schema=False, dependencies=[require("staff")])

Text = Annotated[str, Query(max_length=200)]
Opt = Annotated[str | None, Query(max_length=40)]


def _choices(services):  # type: ignore[no-untyped-def]
    cat = services.catalog
    munis = sorted(cat.municipalities.values(), key=lambda m: m.code)
    events = [(e.id, e.name.ja) for e in cat.events.values()]
    return munis, events


API_ERRORS_JA = {
    "unknown_municipality": "その区市町村は東京都の62区市町村にありません。",
    "unknown_life_event": "そのライフイベントはカタログにありません。",
}


def _ja(err: ApiError) -> str:
    """The console's Japanese wording of an API error (the JSON API keeps its English message)."""
    return API_ERRORS_JA.get(err.code, err.message)


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
        return _page_error(request, templates, err.status, _ja(err))
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
            "pages_ja": pages_status_ja(False, result.pages_message or "") if result else "",
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
        return _page_error(request, templates, err.status, _ja(err))
    except KeyError:
        return _page_error(request, templates, 404, "その手続きはカタログにありません。")
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
    """A resident's saved bundle (warm hand-off), re-planned in the staff planner's layout; a code may be typed
    in full width or with long-vowel marks (「６ＪＡ６－Ｎ７Ｒ３」)."""
    from bot.bundle_store import BundleExpired, BundleNotFound
    from web.routers.bundles import MISTYPED, get_bundle_service
    from web.staff_planner import plan_view, staff_code_status

    norm, status = staff_code_status(code)
    if norm is None:
        if status == "mistyped":
            return _page_error(request, templates, 422, MISTYPED)
        return _page_error(request, templates, 404, NOT_A_CODE)
    svc = get_bundle_service(request)
    try:
        saved = svc.get(norm)
    except BundleNotFound:
        return _page_error(
            request, templates, 404, "このコードの保存プランは見つかりません。コードをご確認ください。"
        )
    except BundleExpired:
        return _page_error(
            request, templates, 410, "このコードの保存プランは保存期間が過ぎて削除されました。"
        )
    return _plan_page(request, templates, svc, plan_view(svc, saved), {}, saved=True)


def _plan_page(request, templates, svc, view, form, saved=False, session=None):  # type: ignore[no-untyped-def]
    from web.staff_planner import PLACE_CHOICES, household_facts

    cat = svc.catalog
    munis = sorted(cat.municipalities.values(), key=lambda m: m.code)
    return templates.TemplateResponse(
        request,
        "staff_plan.html",
        {
            "view": view,
            "form": form,
            "saved": saved,
            "munis": munis,
            "places": PLACE_CHOICES,
            "events": [(e.id, e.name.ja) for e in cat.events.values()],
            "facts": household_facts(cat),
            "session": session,
        },
        headers={"Cache-Control": "no-store"},
    )


def _plan_form(request: Request) -> dict:  # type: ignore[type-arg]
    q = request.query_params
    return {
        "events": q.getlist("events")[:5],
        "municipality": q.get("municipality", "")[:10],
        "move_from": q.get("move_from", "")[:10],
        "move_to": q.get("move_to", "")[:10],
        "event_date": q.get("event_date", "")[:10],
        "facts": {k[2:]: v[:20] for k, v in q.items() if k.startswith("f.") and len(k) < 60},
    }


@router.get("/plan", response_class=HTMLResponse)
def staff_plan(
    request: Request, templates: TemplatesDep, session: Annotated[ConsoleSession, require("staff")]
) -> Response:
    """The staff planner: the residents' planner as a form; the result can be saved as a bundle code."""
    from web.routers.bundles import get_bundle_service
    from web.staff_planner import fields_from_form, preview

    svc = get_bundle_service(request)
    form = _plan_form(request)
    fields = fields_from_form(svc, form)
    view = preview(svc, fields) if fields["events"] else None
    return _plan_page(request, templates, svc, view, form, session=session)


@router.post("/plan/save")
async def staff_plan_save(
    request: Request, templates: TemplatesDep, session: Annotated[ConsoleSession, require("staff")]
) -> Response:
    """Save the planned bundle under a short code for the resident (audited), then open it."""
    import hmac
    from urllib.parse import quote

    from web.routers.bundles import get_bundle_service
    from web.staff_planner import fields_from_form

    data = await request.form()
    if not hmac.compare_digest(str(data.get("csrf", "")).encode(), session.csrf.encode()):
        return _page_error(
            request, templates, 403, "フォームの有効期限が切れました。ページを再読み込みしてください。"
        )
    form = {
        "events": [str(v) for v in data.getlist("events")][:5],
        "municipality": str(data.get("municipality", ""))[:10],
        "move_from": str(data.get("move_from", ""))[:10],
        "move_to": str(data.get("move_to", ""))[:10],
        "event_date": str(data.get("event_date", ""))[:10],
        "facts": {k[2:]: str(v)[:20] for k, v in data.items() if k.startswith("f.") and len(k) < 60},
    }
    svc = get_bundle_service(request)
    fields = fields_from_form(svc, form)
    if not fields["events"]:
        return _page_error(request, templates, 422, "ライフイベントを選んでください。")
    saved = svc.store.add(fields)
    services = request.app.state.services
    services.editorial.audit(
        session.who, "bundle_saved", {"code": saved.code}, role=session.role, ip=client_ip(request)
    )
    return RedirectResponse(f"/staff/bundles/{quote(saved.code)}?saved=1", status_code=303)


def _compare_all(request: Request, services, procedure: str, field: str):  # type: ignore[no-untyped-def]
    from web.compare_all import FIELDS, compare_all

    cat = services.catalog
    rows = compare_all(cat, procedure, field)
    title = f"{cat.procedure(procedure).title.ja}：{FIELDS[field]}"
    return rows, title


@router.get("/compare-all", response_class=HTMLResponse)
def staff_compare_all(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    procedure: Annotated[str, Query(max_length=80)] = "",
    field: Annotated[str, Query(max_length=20)] = "amount",
) -> Response:
    """One fact for all 62 municipalities as a table with sources and their kind; CSV and A4 print."""
    from urllib.parse import urlencode

    from web.compare_all import FIELDS, PRESETS

    cat = services.catalog
    rows, title = None, ""
    if procedure:
        try:
            rows, title = _compare_all(request, services, procedure, field)
        except KeyError:
            return _page_error(request, templates, 404, "その手続きまたは項目はカタログにありません。")
    procs = sorted(
        {(pid, cat.procedure(pid).title.ja) for pid in cat.all_procedure_ids()}, key=lambda x: (x[1], x[0])
    )
    return templates.TemplateResponse(
        request,
        "staff_compare_all.html",
        {
            "rows": rows,
            "title": title,
            "procedure": procedure,
            "field": field,
            "fields": FIELDS,
            "presets": PRESETS,
            "procs": procs,
            "csv_query": urlencode({"procedure": procedure, "field": field}),
        },
    )


@router.get("/compare-all.csv")
def staff_compare_all_csv(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    procedure: Annotated[str, Query(max_length=80)],
    field: Annotated[str, Query(max_length=20)] = "amount",
) -> Response:
    from web.compare_all import to_csv

    try:
        rows, title = _compare_all(request, services, procedure, field)
    except KeyError:
        return _page_error(request, templates, 404, "その手続きまたは項目はカタログにありません。")
    return Response(
        "\ufeff" + to_csv(rows, title),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="compare-{procedure}-{field}.csv"'},
    )
