"""The FastAPI app factory: services are built once at start-up and handed to routes as dependencies.

Example::

    >>> app = create_app(get_settings(data_dir="/tmp/x"))
    >>> TestClient(app).post("/api/chat", json={"message": "子どもが生まれました"}).status_code
    200
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.cors import CORSMiddleware

from bot.bundle_service import build_bundle_service
from knowledge.settings import Settings, get_settings
from web.auth import ConsoleAuth
from web.catalog_views import install_provenance
from web.editorial import to_jst
from web.errors import install_error_handlers
from web.routers import api, bundles, editor, signin, site, staff
from web.security import (
    BodyLimitMiddleware,
    RateGroup,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
    TrustedHostMiddleware,
)
from web.services import build_services
from web.state import open_rate_limiter

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
_CODE = r"[^/]{1,64}"


def rate_groups(settings: Settings) -> list[RateGroup]:
    """Route groups with their own per-client buckets (``CONCIERGE_SERVER__RATE_LIMIT_*``; 0 for chat = all off)."""
    server = settings.server
    if server.rate_limit_per_minute <= 0:
        return []
    return [
        RateGroup("chat", server.rate_limit_per_minute, (("POST", "/api/chat"),)),
        RateGroup(
            "bundles",
            server.rate_limit_bundles_per_minute,
            (
                ("POST", "/api/bundles"),
                ("GET", f"/api/bundles/{_CODE}"),
                ("GET", f"/bundles/{_CODE}(/print)?"),
                ("GET", f"/feeds/{_CODE}"),
                ("GET", "/staff/bundle"),
                ("GET", f"/staff/bundles/{_CODE}"),
            ),
        ),
        # the staff console's search is behind the sign-in (a call center shares one address): not limited
        RateGroup("search", server.rate_limit_search_per_minute, (("GET", "/api/search"),)),
        RateGroup("signin", server.rate_limit_signin_per_minute, (("POST", "/login"),)),
    ]


def storage_status(services: object, settings: Settings) -> str | None:
    """Why storage is degraded (None = fine): the session store's last write failed, or the data directory
    cannot take a small write (full or read-only disk)."""
    sessions = getattr(getattr(services, "concierge", None), "sessions", None)
    reason = getattr(sessions, "degraded", None)
    if reason:
        return str(reason)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=settings.data_dir) as probe:
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as err:
        return f"data directory {settings.data_dir} not writable: {err.strerror or err}"
    return None


def http_url(url: object) -> str:
    """The URL when it is http(s), else "#" (ingested pages are untrusted: no javascript: links)."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else "#"


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """State in the OpenAPI document the limits this HTTP layer adds to the chat contract (bot/contract.py)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            message = schema["components"]["schemas"]["ChatRequest"]["properties"]["message"]
            message.update(minLength=1, maxLength=settings.server.max_message_chars, pattern=NOT_BLANK)
            message["description"] += (
                f" Not blank; at most {settings.server.max_message_chars} characters (longer: 413)."
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# "Not blank" as the server means it (``str.strip``): a character other than the ones Python counts as whitespace,
# spelled out because regex engines disagree about \s (the information separators \x1c-\x1f, NEL, NBSP…).
NOT_BLANK = r"[^\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    services = build_services(settings)
    services.search.entries  # noqa: B018 — build the search index now, not on the first request

    app = FastAPI(
        title="Tokyo Life-Event Concierge",
        version="0.1.0",
        description="Every procedure a life event brings in Tokyo, with due dates and sources.",
        docs_url=None,  # /docs is served locally (web.routers.site): nothing from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.bundles = build_bundle_service(settings, services.concierge)
    app.state.editor_auth = ConsoleAuth(settings.editor, settings.data_dir, settings.session_url)
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescaping on
    templates.env.filters["http_url"] = http_url
    templates.env.filters["jst"] = to_jst
    install_provenance(templates.env, services.catalog)  # source badges in both consoles
    app.state.templates = templates
    if not app.state.editor_auth.enabled:
        log.warning("consoles disabled: no account yet (create one with `concierge users add`)")
    if settings.editor.token is not None and not settings.editor.dev_token:
        log.warning(
            "CONCIERGE_EDITOR__TOKEN is ignored: the shared token is a development setting (DEV_TOKEN)"
        )

    install_error_handlers(app)
    signin.install(app)
    _document_limits(app, settings)

    @app.get(
        "/healthz",
        tags=["api"],
        summary="200 once the app can answer; 503 with the reason when storage is degraded",
        response_model=None,
    )
    def healthz() -> dict[str, str] | JSONResponse:
        problem = storage_status(services, settings)
        if problem:
            return JSONResponse(
                {"status": "degraded", "catalog": services.catalog.version, "storage": problem},
                status_code=503,
            )
        return {"status": "ok", "catalog": services.catalog.version}

    app.include_router(api.router)
    app.include_router(site.router)
    app.include_router(staff.router)
    app.include_router(editor.router)
    app.include_router(signin.router)
    app.include_router(bundles.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # the last added runs first: security headers on every answer (errors included), then CORS (so that a
    # cross-origin widget can read 413/429 answers), then the body size and rate limits
    server = settings.server
    app.add_middleware(
        RateLimitMiddleware,
        groups=rate_groups(settings),
        trusted_proxies=server.trusted_proxies,
        limiter=lambda g: open_rate_limiter(settings, g.name, g.per_minute),  # shared across workers by URL
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=server.max_body_bytes)
    if server.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed=server.allowed_hosts)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(server.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware, allowed_origins=server.allowed_origins)
    return app
