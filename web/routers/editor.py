"""The content editors' console: login by token, ingest runs, facts to re-verify, coverage, evaluation scores.

Refuses to serve (503) when no token is configured, unless ``settings.editor.allow_open`` says otherwise. Every
action (login, failed login, logout, re-verification) is appended to the audit log with who and when.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.accounts import ConsoleSession
from web.auth import client_ip
from web.deps import AuthDep, ServicesDep, TemplatesDep
from web.eval_view import eval_view
from web.routers.signin import ROLE_NAMES, require
from web.services import pages_status_ja

AUDIT_ACTIONS = {
    "login": "ログイン",
    "login_failed": "ログイン失敗",
    "logout": "ログアウト",
    "reverify": "再確認済み",
    "edit_needed": "要修正",
    "ingest_started": "取り込み開始",
    "bundle_saved": "プラン保存（コード発行）",
}

router = APIRouter(prefix="/editor", include_in_schema=False)

EditorDep = Annotated[ConsoleSession, require("editor")]


def _error(request: Request, templates, status: int, message: str) -> Response:  # type: ignore[no-untyped-def]
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


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


@router.get("/login")
def login_form() -> Response:
    """The former editor sign-in address: the consoles share one sign-in page."""
    return RedirectResponse("/login?next=/editor", status_code=303)


@router.get("/eval/report", response_class=HTMLResponse)
def eval_report_html(
    request: Request, templates: TemplatesDep, services: ServicesDep, session: EditorDep
) -> Response:
    """The full HTML report of the latest evaluation (written by ``concierge eval``)."""
    path = services.editorial.eval_path.with_name("report.html")
    try:
        return HTMLResponse(path.read_text(encoding="utf-8"), headers={"Cache-Control": "no-store"})
    except OSError:
        return _error(
            request, templates, 404, "評価の報告書はまだありません（concierge eval で作成されます）。"
        )


@router.get("/audit.csv")
def audit_csv(
    services: ServicesDep,
    session: EditorDep,
    who: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The audit log, filtered like the console's table, as CSV (UTF-8 with BOM so that Excel reads it)."""
    ed = services.editorial
    body = "\ufeff" + ed.audit_csv(ed.audit_entries(who, action, since, until))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"', "Cache-Control": "no-store"},
    )


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    templates: TemplatesDep,
    auth: AuthDep,
    services: ServicesDep,
    session: EditorDep,
    who: Annotated[str, Query(max_length=40)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    from urllib.parse import urlencode

    af = {"who": who, "action": action, "since": since, "until": until}
    ed = services.editorial
    report = ed.eval_report()
    pages_ok, pages_msg = services.pages.status()
    pages_msg = pages_status_ja(pages_ok, pages_msg)
    if not pages_ok and "取り込まれていません" in pages_msg:
        pages_msg += "（下の「取り込みを実行」から取り込めます）"
    return templates.TemplateResponse(
        request,
        "editor.html",
        {
            "session": session,
            "open": auth.open,
            "runs": ed.runs(),
            "review": ed.review_items(),
            "todos": ed.todos(),
            "coverage": ed.coverage(),
            "report": report,
            "metrics": flatten_metrics(report) if report else [],
            "ev": eval_view(report) if report else None,
            "audit": ed.audit_entries(who, action, since, until, limit=100),
            "af": af,
            "af_query": urlencode({k: v for k, v in af.items() if v}),
            "audit_actions": AUDIT_ACTIONS,
            "ingest_sources": _jobs(request).sources(),
            "job": _jobs(request).running(),
            "role_names": ROLE_NAMES,
            "pages_ok": pages_ok,
            "pages_msg": pages_msg,
            "catalog_version": services.catalog.version,
        },
        headers={"Cache-Control": "no-store"},
    )


UNKNOWN_FACT = "カタログにない情報です（情報と出典の組み合わせを確認してください）。"
EXPIRED = "フォームの有効期限が切れました。ページを再読み込みしてください。"


@router.post("/reverify")
def reverify(
    request: Request,
    templates: TemplatesDep,
    services: ServicesDep,
    session: EditorDep,
    fact: Annotated[str, Form(min_length=1, max_length=300)],
    url: Annotated[str, Form(min_length=1, max_length=2000)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    action: Annotated[str, Form(max_length=20)] = "reverify",
) -> Response:
    """Decide on a flagged fact: re-verified against its (changed) source page (with a note), or an edit is
    needed (a to-do). Only facts the catalog has, citing that URL, are accepted; both are audited."""
    from web.review import is_known

    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _error(request, templates, 403, EXPIRED)
    if not is_known(services.catalog, fact, url):
        return _error(request, templates, 422, UNKNOWN_FACT)
    who = {"role": session.role, "ip": client_ip(request), "note": note.strip()}
    if action == "edit_needed":
        services.editorial.add_todo(fact, url, session.who, **who)
    else:
        services.editorial.mark_reverified(fact, url, session.who, **who)
    return RedirectResponse("/editor#review", status_code=303)


@router.post("/reverify-page")
def reverify_page(
    request: Request,
    templates: TemplatesDep,
    services: ServicesDep,
    session: EditorDep,
    url: Annotated[str, Form(min_length=1, max_length=2000)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Bulk: mark every flagged fact citing ``url`` re-verified (one audit entry per fact)."""
    from web.review import is_known

    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _error(request, templates, 403, EXPIRED)
    ed = services.editorial
    items = [r for r in ed.to_review() if r.url == url and is_known(services.catalog, r.fact, r.url)]
    if not items:
        return _error(request, templates, 422, "このページを出典とする要確認の情報はありません。")
    for r in items:
        ed.mark_reverified(
            r.fact, r.url, session.who, role=session.role, ip=client_ip(request), note=note.strip()
        )
    return RedirectResponse("/editor#review", status_code=303)


# ---- ingest from the console ---------------------------------------------------------------------------------
def _jobs(request: Request):  # type: ignore[no-untyped-def]
    from web.ingest_jobs import IngestJobs

    jobs = getattr(request.app.state, "ingest_jobs", None)
    if jobs is None:
        jobs = request.app.state.ingest_jobs = IngestJobs(request.app.state.services.settings)
    return jobs


@router.post("/ingest")
def start_ingest(
    request: Request,
    templates: TemplatesDep,
    services: ServicesDep,
    session: EditorDep,
    source: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Start an ingest run on a configured source in the background (one at a time), then show its progress."""
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        return _error(
            request, templates, 403, "フォームの有効期限が切れました。ページを再読み込みしてください。"
        )
    jobs = _jobs(request)
    try:
        job = jobs.start(source, session.who)
    except ValueError:
        return _error(request, templates, 422, "設定されていない取り込み元です。")
    services.editorial.audit(
        session.who, "ingest_started", {"source": source}, role=session.role, ip=client_ip(request)
    )
    return RedirectResponse(f"/editor/ingest/{job.id}", status_code=303)


@router.get("/ingest/{job_id}", response_class=HTMLResponse)
def ingest_job(request: Request, templates: TemplatesDep, session: EditorDep, job_id: str) -> Response:
    from web.ingest_jobs import started_jst

    job = _jobs(request).get(job_id)
    if job is None:
        return _error(
            request, templates, 404, "その取り込みジョブはありません（サーバーの再起動で消えます）。"
        )
    return templates.TemplateResponse(
        request,
        "editor_job.html",
        {"job": job, "started": started_jst(job.started), "session": session},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/ingest/{job_id}/status")
def ingest_job_json(request: Request, session: EditorDep, job_id: str) -> Response:
    import json

    job = _jobs(request).get(job_id)
    if job is None:
        return Response('{"error": "not found"}', status_code=404, media_type="application/json")
    return Response(json.dumps(job.to_dict(), ensure_ascii=False), media_type="application/json")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_detail(
    request: Request, templates: TemplatesDep, services: ServicesDep, session: EditorDep, run_id: str
) -> Response:
    run = services.editorial.run(run_id)
    if run is None:
        return _error(request, templates, 404, "その取り込みの記録はありません。")
    return templates.TemplateResponse(request, "editor_run.html", {"run": run, "session": session})


@router.get("/runs/{run_id}/diff/{index}", response_class=HTMLResponse)
def run_diff(
    request: Request,
    templates: TemplatesDep,
    services: ServicesDep,
    session: EditorDep,
    run_id: str,
    index: int,
) -> Response:
    """A changed page of a run: the stored old and new text side by side, and the facts that cite it."""
    diff = services.editorial.page_diff(run_id, index)
    if diff is None:
        return _error(request, templates, 404, "その変更ページはありません。")
    return templates.TemplateResponse(request, "editor_diff.html", {**diff, "session": session})
