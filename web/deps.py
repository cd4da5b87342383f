"""Route dependencies: the services built at start-up, handed to routes as ``Annotated[..., Depends(...)]``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from bot.service import Concierge
from knowledge.catalog import Catalog
from knowledge.settings import Settings
from web.auth import EditorAuth
from web.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def get_concierge(request: Request) -> Concierge:
    return get_services(request).concierge


def get_catalog(request: Request) -> Catalog:
    return get_services(request).catalog


def get_settings_dep(request: Request) -> Settings:
    return get_services(request).settings


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates  # type: ignore[no-any-return]


def get_auth(request: Request) -> EditorAuth:
    return request.app.state.editor_auth  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]
ConciergeDep = Annotated[Concierge, Depends(get_concierge)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
AuthDep = Annotated[EditorAuth, Depends(get_auth)]
