"""The resident-facing pages: the demo municipal home page, the embeddable widget script, the API docs page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from web.deps import CatalogDep, TemplatesDep

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(include_in_schema=False)

DEFAULT_DEMO_MUNICIPALITY = "131121"


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    templates: TemplatesDep,
    cat: CatalogDep,
    municipality: Annotated[str, Query(max_length=16)] = DEFAULT_DEMO_MUNICIPALITY,
    lang: Annotated[str, Query(max_length=4)] = "ja",
) -> Response:
    """A plausible municipal home page with the widget embedded by one script tag."""
    muni = cat.municipalities.get(municipality) or cat.municipalities[DEFAULT_DEMO_MUNICIPALITY]
    return templates.TemplateResponse(
        request,
        "home.html",
        {"muni": muni, "lang": lang if lang in ("easy", "en") else "ja"},
    )


@router.get("/widget.js")
def widget_js() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list[{_schema_name(schema.get('items'))}]"
    return str(schema.get("type", ""))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, templates: TemplatesDep) -> Response:
    """The API reference rendered from the OpenAPI document (served locally: no CDN)."""
    spec = request.app.openapi()
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for status, r in op.get("responses", {}).items():
                schema = r.get("content", {}).get("application/json", {}).get("schema")
                responses.append((status, r.get("description", ""), _schema_name(schema)))
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        (p["name"], p["in"], p.get("required", False), p.get("description", ""))
                        for p in op.get("parameters", [])
                    ],
                    "body": _schema_name(body),
                    "responses": responses,
                }
            )
    schemas = sorted(spec.get("components", {}).get("schemas", {}).items())
    return templates.TemplateResponse(request, "docs.html", {"spec": spec, "ops": ops, "schemas": schemas})
