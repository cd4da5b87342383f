"""The FastAPI app factory: services are built once at start-up and handed to routes as dependencies."""

from __future__ import annotations

from fastapi import FastAPI

from knowledge.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Tokyo Life-Event Concierge", version="0.1.0")
    app.state.settings = settings

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
