"""The JSON API: chat (the contract in bot/contract.py), catalog reads and the staff search."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.contract import ChatRequest, ChatResponse, SourceKind
from bot.provenance_view import citation
from bot.service import Concierge, TurnWithoutPages
from knowledge.catalog import Catalog
from knowledge.deadlines import DateOutOfRange
from knowledge.retrieval_types import PageSearchUnavailable
from web.catalog_views import (
    LifeEventView,
    MunicipalityView,
    ProcedureSummary,
    ProcedureView,
    event_view,
    municipality_view,
    procedure_view,
)
from web.deps import CatalogDep, ConciergeDep, ServicesDep, SettingsDep
from web.errors import ApiError, error_responses
from web.services import Services

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["api"])

CHAT_TIMEOUT_S = 30.0
PAGES_DOWN = (
    "Searching the municipal pages is unavailable right now, so this question cannot be answered. "
    "Questions about a life event (a birth, a move, a death in the family, care, marriage…) still work; "
    "please try again in a few minutes."
)

LangQ = Annotated[Literal["ja", "en"], Query(description="Language of names and texts.")]
MunicipalityQ = Annotated[
    str | None, Query(max_length=40, description="Municipality code (e.g. 131121) or name (世田谷区).")
]


def resolve_municipality(cat: Catalog, value: str | None) -> str | None:
    """A municipality code from a code or a name; ApiError 404 when it names none of the 62."""
    if value is None or not value.strip():
        return None
    m = cat.municipalities.get(value.strip()) or cat.municipality_by_name(value.strip())
    if m is None:
        raise ApiError(404, "unknown_municipality", f"No Tokyo municipality has the code or name {value!r}.")
    return m.code


def resolve_event(cat: Catalog, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if value not in cat.events:
        raise ApiError(404, "unknown_life_event", f"Unknown life event {value!r}; see GET /api/life-events.")
    return value


# A reference date outside this range is not a plausible "today" for current rules (and dates near the ends of
# Python's calendar overflow when deadlines are added).
TODAY_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
DATE_RANGE_REPLY = {
    "ja": "その日付では期限を計算できません（扱える日付の範囲外です）。日付を確かめて、もう一度お書きください。",
    "en": "That date is outside the range deadlines can be computed for; please check the date and write again.",
}


def _date_reply(concierge: Concierge, req: ChatRequest) -> ChatResponse:
    """A clear reply (not an error) when ``today`` or a date in the message lies outside what can be computed."""
    known = req.session_id and concierge.sessions.get(req.session_id) is not None
    lang = "en" if req.lang == "en" else "ja"
    return ChatResponse(session_id=req.session_id if known else "", reply=DATE_RANGE_REPLY[lang], lang=lang)


def _check_text(req: ChatRequest) -> None:
    """Text that is not valid Unicode (a lone surrogate such as \\ud800) cannot be analysed or stored: 422."""
    for name in ("message", "session_id", "municipality"):
        value = getattr(req, name)
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(
                422, "invalid_text", f"The {name} holds characters that are not valid Unicode text."
            ) from None


@router.post(
    "/chat",
    response_model=ChatResponse,
    responses=error_responses(413, 422, 429, 503),
    summary="One turn of the conversation",
)
async def chat(req: ChatRequest, concierge: ConciergeDep, settings: SettingsDep) -> ChatResponse:
    """What the resident wrote -> their bundle of procedures with due dates and sources, or a grounded answer.

    503 when the answer needs the ingested pages and page search is down; life-event answers (catalog) still work.
    """
    limit = settings.server.max_message_chars
    if len(req.message) > limit:
        raise ApiError(
            413, "message_too_long", f"The message has {len(req.message)} characters; the limit is {limit}."
        )
    if not req.message.strip():
        raise ApiError(
            422, "empty_message", "The message is empty; write what happened, e.g. 子どもが生まれました."
        )
    _check_text(req)
    if req.today is not None and not TODAY_RANGE[0] <= req.today <= TODAY_RANGE[1]:
        log.info("chat turn with today out of range")
        return _date_reply(concierge, req)
    try:
        return await asyncio.wait_for(run_in_threadpool(concierge.chat, req), CHAT_TIMEOUT_S)
    except TimeoutError:
        raise ApiError(503, "timeout", "The answer took too long; please try again.") from None
    except (DateOutOfRange, OverflowError):  # 「9999年1月1日に生まれました」: no deadline can be computed
        log.info("chat turn with a date out of range")
        return _date_reply(concierge, req)
    except TurnWithoutPages as err:  # page search is down: the catalog's procedures still answer, else 503
        log.warning("page search failed during a chat turn: %s", err)
        if not err.response.procedures:
            raise ApiError(503, "pages_unavailable", PAGES_DOWN, headers={"Retry-After": "30"}) from None
        return err.response


@router.get(
    "/municipalities", response_model=list[MunicipalityView], summary="The 62 municipalities of Tokyo"
)
def municipalities(
    cat: CatalogDep, kind: Annotated[Literal["ward", "city", "town", "village"] | None, Query()] = None
) -> list[MunicipalityView]:
    return [municipality_view(cat, m) for m in cat.municipalities.values() if kind is None or m.kind == kind]


@router.get("/municipalities/{code}", response_model=MunicipalityView, responses=error_responses(404))
def municipality(code: str, cat: CatalogDep) -> MunicipalityView:
    return municipality_view(cat, cat.municipalities[resolve_municipality(cat, code) or ""])


@router.get("/life-events", response_model=list[LifeEventView], summary="Life events the concierge knows")
def life_events(cat: CatalogDep, lang: LangQ = "ja") -> list[LifeEventView]:
    return [event_view(e, lang) for e in cat.events.values()]


@router.get("/life-events/{event_id}", response_model=LifeEventView, responses=error_responses(404))
def life_event(event_id: str, cat: CatalogDep, lang: LangQ = "ja") -> LifeEventView:
    return event_view(cat.events[resolve_event(cat, event_id) or ""], lang)


@router.get(
    "/procedures",
    response_model=list[ProcedureSummary],
    responses=error_responses(404, 422),
    summary="Procedures, filtered by life event and municipality, optionally ranked by a query",
)
def procedures(
    services: ServicesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    event: Annotated[str | None, Query(max_length=40)] = None,
    municipality: MunicipalityQ = None,
    lang: LangQ = "ja",
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[ProcedureSummary]:
    cat = services.catalog
    return services.search.search(
        q, resolve_municipality(cat, municipality), resolve_event(cat, event), limit=limit, lang=lang
    )


@router.get(
    "/procedures/{proc_id}",
    response_model=ProcedureView,
    responses=error_responses(404, 422),
    summary="One procedure, with a municipality's overrides applied",
)
def procedure(
    proc_id: str, cat: CatalogDep, municipality: MunicipalityQ = None, lang: LangQ = "ja"
) -> ProcedureView:
    code = resolve_municipality(cat, municipality)
    try:
        return procedure_view(cat, proc_id, code, lang)
    except KeyError:
        raise ApiError(
            404, "unknown_procedure", f"Unknown procedure {proc_id!r}; see GET /api/procedures."
        ) from None


class PageHitOut(BaseModel):
    url: str
    title: str
    snippet: str
    municipality_code: str | None = None
    heading: str | None = None
    updated: str | None = None
    score: float
    # additive (provenance), as on the chat's citations
    publisher: str | None = None
    kind: SourceKind | None = None
    page_date: dt.date | None = None
    verified: dt.date | None = None
    reference: bool = False
    badge: str | None = None
    similarity: float | None = Field(None, description="Cosine similarity of the passage to the query.")


class SearchOut(BaseModel):
    query: str
    procedures: list[ProcedureSummary]
    pages: list[PageHitOut]
    pages_available: bool = Field(description="False when page search is down; procedures still come back.")
    pages_message: str | None = None
    municipality_code: str | None = Field(
        None, description="The municipality searched: the parameter, else the one the query names."
    )
    no_match: str | None = Field(
        None,
        description="Set when no procedure and no page passed the evidence floor: says so and names whom to ask.",
    )


SNIPPET = 200


def staff_search(
    services: Services,
    q: str,
    municipality: str | None,
    event: str | None,
    k: int = 10,
    lang: Literal["ja", "en"] = "ja",
) -> SearchOut:
    """Procedures (catalog) and pages (searcher) for one query; pages failing does not fail the search.

    A municipality named in the query (品川区の児童手当) is searched like the parameter. Procedures below the catalog
    search's floor and pages below the chat's evidence floor are left out; when nothing is left, ``no_match`` says
    so and suggests the municipality's contact.
    """
    answerer = services.concierge.answerer
    code = municipality or (answerer.place_in(q) if q.strip() else None)
    procs = services.search.search(q, code, event, limit=k * 2, lang=lang)
    pages: list[PageHitOut] = []
    available, status = services.pages.status()
    message = None if available else status
    if q.strip() and available:
        query = q
        if event and event in services.catalog.events:  # pages carry no event tag: rank with the event's name
            query = f"{q} {services.catalog.events[event].name.ja}"
        try:
            for h in answerer.relevant_hits(query, code, k=k):
                body = " ".join(h.text.split())
                snippet = body[:SNIPPET] + ("…" if len(body) > SNIPPET else "")
                prov = citation(services.catalog, h, snippet, code, lang)
                pages.append(
                    PageHitOut(
                        **prov.model_dump(exclude={"url", "title", "snippet"}),
                        url=h.url,
                        title=h.title,
                        snippet=snippet,
                        municipality_code=h.municipality,
                        heading=h.heading,
                        updated=h.updated,
                        score=round(h.score, 4),
                        similarity=round(h.extra["dense"], 4) if "dense" in h.extra else None,
                    )
                )
        except PageSearchUnavailable as err:
            available, message = False, f"Page search is unavailable: {err}"
    no_match = None
    if q.strip() and not procs and not pages:
        no_match = answerer.no_match_text(q, code, lang)
    return SearchOut(
        query=q,
        procedures=procs,
        pages=pages,
        pages_available=available,
        pages_message=message,
        municipality_code=code,
        no_match=no_match,
    )


@router.get(
    "/search",
    response_model=SearchOut,
    responses=error_responses(404, 422, 429),
    summary="Staff search across procedures (catalog) and ingested pages",
)
def search(
    services: ServicesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    municipality: MunicipalityQ = None,
    event: Annotated[str | None, Query(max_length=40)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    lang: LangQ = "ja",
) -> SearchOut:
    cat = services.catalog
    return staff_search(
        services, q, resolve_municipality(cat, municipality), resolve_event(cat, event), k, lang
    )
