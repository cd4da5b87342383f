"""Saved bundles over HTTP: save a chat session under a short code, read it back re-planned, as JSON, as an
iCalendar download, as a subscription feed and as a printable A4 page with a QR code (generated locally).

Routes stay thin: parse, one call to :class:`bot.bundle_service.BundleService`, respond. The service is taken from
``app.state.bundles`` (built at start-up by ``create_app``).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from bot.bundle_codes import display_code, normalize_code
from bot.bundle_service import BundleOut, BundleService, NothingToSave, bundle_links
from bot.bundle_store import BundleExpired, BundleMistyped, BundleNotFound
from bot.render import format_date
from knowledge.models import Lang
from knowledge.provenance import page_date_label
from knowledge.settings import Settings
from web.errors import ApiError, error_responses

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PRINT_CSS = TEMPLATES / "bundle_print.css"
CSS_PATH = "/bundles/assets/print.css"

router = APIRouter(tags=["bundles"])
log = logging.getLogger(__name__)

MISTYPED = (
    "このバンドル番号は打ち間違いがあるようです（確認用の文字が合いません）。一文字ずつ確かめてください。"
    " / This plan code has a typo (its check character does not match); please check each character."
)
GUESS_WARN_AFTER = 10  # unknown codes per client per minute before a guessing warning is logged
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_env.globals["page_date_label"] = page_date_label


# ---- dependencies -------------------------------------------------------------------------------------------
def _settings(request: Request) -> Settings:
    services = getattr(request.app.state, "services", None)
    return services.settings if services is not None else request.app.state.settings


def get_bundle_service(request: Request) -> BundleService:
    """The bundle service ``create_app`` built at start-up."""
    svc: BundleService = request.app.state.bundles
    return svc


def base_url(request: Request) -> str:
    """settings.server.public_url, or the URL this request came in on (its Host checked against
    ``CONCIERGE_SERVER__ALLOWED_HOSTS`` by the middleware; ``concierge serve`` requires one of the two off
    loopback)."""
    settings = _settings(request)
    return (settings.server.public_url or str(request.base_url)).rstrip("/")


def client_of(request: Request) -> str:
    """The client address the rate limiter used (proxies only when trusted)."""
    state = request.scope.get("state") or {}
    return str(state.get("client") or (request.client.host if request.client else "unknown"))


class GuessWatch:
    """Counts unknown codes per client: each is logged; many in a minute are logged as probable guessing."""

    def __init__(self) -> None:
        from web.security import SlidingWindowLimiter

        self.misses = SlidingWindowLimiter(GUESS_WARN_AFTER)

    def miss(self, client: str, status: str) -> None:
        log.info("bundle code lookup failed (%s) from client %s", status, client)
        if self.misses.hit(client):
            log.warning(
                "possible bundle code guessing: client %s looked up more than %d unknown codes in a minute",
                client,
                GUESS_WARN_AFTER,
            )


_guesses = GuessWatch()


Bundles = Annotated[BundleService, Depends(get_bundle_service)]
LangParam = Annotated[
    Lang | None, Query(description="Language: ja, easy (やさしい日本語) or en (default: the saved one).")
]


def _open(svc: BundleService, code: str, lang: Lang | None, base: str, client: str = "unknown") -> BundleOut:
    try:
        return svc.view(code, lang, base)
    except BundleExpired:
        raise ApiError(
            410, "expired", "This bundle has expired; start a new chat to make a new one."
        ) from None
    except BundleMistyped:
        _guesses.miss(client, "mistyped")
        raise ApiError(422, "mistyped", MISTYPED) from None
    except BundleNotFound:
        _guesses.miss(client, "not found")
        raise ApiError(404, "not_found", f"No saved bundle has the code {code[:40]!r}.") from None


# ---- QR code ------------------------------------------------------------------------------------------------
def qr_svg(data: str) -> str:
    """An SVG QR code for ``data`` (medium error correction, 4-module quiet zone, white background)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr-code" role="img" aria-label="QR" ', 1)


# ---- page ---------------------------------------------------------------------------------------------------
LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "heading": "手続きバンドル",
        "code": "バンドル番号",
        "events": "ライフイベント",
        "municipality": "市区町村",
        "move": "引っ越し",
        "event_date": "出来事の日",
        "created": "作成日",
        "expires": "有効期限",
        "procedures": "必要な手続き",
        "title": "手続き",
        "office": "窓口",
        "due": "期限",
        "bring": "持ち物",
        "online": "オンライン",
        "maybe": "該当する場合",
        "checklist": "持ち物チェックリスト（まとめて）",
        "milestones": "この先の予定",
        "sources": "出典",
        "reference": "参考：他の区市町村のページ",
        "unconfirmed": "公式ページで未確認",
        "page_date": "ページの日付",
        "no_deadline": "期限の定めなし",
        "no_page_date": "ページに日付の記載なし",
        "more_sources": "ほか{}件の出典",
        "qr": "スマートフォンで読み取ると、このバンドルを開けます",
        "privacy": "このページには氏名・連絡先などの個人情報は含まれていません。窓口で提示するか、コールセンターでバンドル番号をお伝えください。",
        "calendar": "カレンダー",
        "download": "ダウンロード（.ics）",
        "subscribe": "購読（自動更新）",
        "catalog": "カタログ版",
        "none": "（なし）",
    },
    "easy": {
        "heading": "てつづきの まとめ",
        "code": "ばんごう",
        "events": "あったこと",
        "municipality": "区や 市",
        "move": "ひっこし",
        "event_date": "あった 日",
        "created": "作った 日",
        "expires": "つかえる きげん",
        "procedures": "する てつづき",
        "title": "てつづき",
        "office": "まどぐち",
        "due": "きげん",
        "bring": "もって いく もの",
        "online": "オンライン",
        "maybe": "ひつような とき",
        "checklist": "もって いく もの（まとめ）",
        "milestones": "これからの よてい",
        "sources": "でどころ",
        "qr": "スマートフォンで よみとると、この まとめを ひらけます",
        "privacy": "この ページには なまえや でんわばんごうは ありません。まどぐちで 見せるか、でんわで ばんごうを いって ください。",
        "calendar": "カレンダー",
        "download": "ダウンロード（.ics）",
        "subscribe": "こうどく（じどうで かわります）",
        "catalog": "カタログ",
        "none": "（なし）",
        "reference": "さんこう：ほかの 区や 市の ページ",
        "unconfirmed": "こうしきの ページで たしかめて いません",
        "page_date": "ページの 日づけ",
        "no_deadline": "きげんは ありません",
        "no_page_date": "ページに 日づけが ありません",
        "more_sources": "ほかに {}この でどころ",
    },
    "en": {
        "heading": "Your procedures",
        "code": "Plan code",
        "events": "Life events",
        "municipality": "Municipality",
        "move": "Move",
        "event_date": "Date of the event",
        "created": "Created",
        "expires": "Expires",
        "procedures": "Procedures",
        "title": "Procedure",
        "office": "Office",
        "due": "Due",
        "bring": "Bring",
        "online": "Online",
        "maybe": "If it applies",
        "checklist": "What to bring (once each)",
        "milestones": "Coming up",
        "sources": "Sources",
        "reference": "For reference: another municipality's page",
        "unconfirmed": "not confirmed on an official page",
        "page_date": "page dated",
        "no_deadline": "No legal deadline",
        "no_page_date": "page states no date",
        "more_sources": "{} more sources",
        "qr": "Scan with a phone to open this plan",
        "privacy": "This page holds no name or contact details. Show it at the window, or read the plan code to the call center.",
        "calendar": "Calendar",
        "download": "Download (.ics)",
        "subscribe": "Subscribe (updates itself)",
        "catalog": "Catalog version",
        "none": "(none)",
    },
}


# the marks around a source's badge and details: full-width in Japanese, ASCII in English
MARKS = {"ja": ("［", "］", "（", "・", "）", "："), "en": ("[", "]", " (", "; ", ")", ": ")}


def render_bundle_page(view: BundleOut, *, staff: bool = False, municipality: str | None = None) -> str:
    """The printable A4 HTML of a bundle (also what the staff console can show for ``/staff/bundles/{code}``);
    ``municipality``: its name in the bundle's language (default: the Japanese name the bundle carries)."""
    tokyo = dt.timezone(dt.timedelta(hours=9))
    return _env.get_template("bundle_print.html").render(
        view=view,
        t=LABELS.get(view.lang, LABELS["ja"]),
        marks=MARKS["en" if view.lang == "en" else "ja"],
        municipality=municipality or view.municipality,
        fmt_date=lambda day: format_date(day, view.lang),
        qr=Markup(qr_svg(view.links["url"])),
        created=view.created.astimezone(tokyo).date(),
        expires=view.expires.astimezone(tokyo).date(),
        css_path=CSS_PATH,
        staff=staff,
    )


def bundle_page(
    svc: BundleService,
    code: str,
    base: str,
    lang: Lang | None = None,
    *,
    staff: bool = False,
    client: str = "unknown",
) -> HTMLResponse:
    """Open ``code`` and render its page; 404/410 as JSON errors. For the staff console's ``/staff/bundles/{code}``."""
    view = _open(svc, code, lang, base, client)
    muni = svc.catalog.municipalities.get(view.municipality_code or "")
    name = muni.en if muni and view.lang == "en" else None
    return HTMLResponse(
        render_bundle_page(view, staff=staff, municipality=name), headers={"Cache-Control": "no-store"}
    )


# ---- routes -------------------------------------------------------------------------------------------------
class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=64, description="The chat session whose bundle to save.")


class SaveResponse(BaseModel):
    code: str
    display_code: str = Field(description="The code as printed and read out, e.g. K7MQ2-XWA9P-3HJ4C.")
    url: str
    ics_url: str
    feed_url: str
    print_url: str
    expires: dt.datetime


@router.post(
    "/api/bundles",
    status_code=201,
    response_model=SaveResponse,
    responses=error_responses(404, 422, 429, 503),
    summary="Save a chat session's bundle under a short code",
)
def save_bundle(body: SaveRequest, request: Request, svc: Bundles) -> SaveResponse:
    try:
        saved = svc.save_session(body.session_id)
    except sqlite3.OperationalError as err:  # disk full or read-only: say so instead of a 500
        log.error("bundle not saved: %s", err)
        raise ApiError(
            503,
            "storage_unavailable",
            "The plan cannot be saved right now (storage problem); please try later.",
        ) from None
    except BundleNotFound:
        raise ApiError(404, "not_found", "Unknown or expired session; start a new chat.") from None
    except NothingToSave:
        raise ApiError(
            422, "no_life_event", "This session has no life event yet, so there is no bundle to save."
        ) from None
    return SaveResponse(
        code=saved.code,
        display_code=display_code(saved.code),
        expires=saved.expires,
        **bundle_links(base_url(request), saved.code),
    )


@router.get(
    "/api/bundles/{code}",
    response_model=BundleOut,
    responses=error_responses(404, 410, 422, 429),
    summary="A saved bundle, re-planned with the current catalog",
)
def get_bundle(code: str, request: Request, svc: Bundles, lang: LangParam = None) -> BundleOut:
    """422 ``mistyped`` when the code's check character does not match (a typo, not an unknown code)."""
    return _open(svc, code, lang, base_url(request), client_of(request))


@router.get(CSS_PATH, include_in_schema=False)
def print_css() -> Response:
    return Response(
        PRINT_CSS.read_bytes(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _ics(svc: BundleService, code: str, request: Request, *, feed: bool) -> bytes:
    base = base_url(request)
    _open(svc, code, None, base, client_of(request))  # 404 / 410 / 422 first
    return svc.calendar(code, base_url=base, feed=feed)


@router.get(
    "/bundles/{code}.ics",
    responses=error_responses(404, 410, 422, 429),
    summary="Download the bundle's calendar",
)
def download_ics(code: str, request: Request, svc: Bundles) -> Response:
    body = _ics(svc, code, request, feed=False)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="bundle-{normalize_code(code) or "plan"}.ics"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/feeds/{code}.ics",
    responses=error_responses(404, 410, 422, 429),
    summary="Subscription feed of the bundle",
)
def feed_ics(code: str, request: Request, svc: Bundles) -> Response:
    body = _ics(svc, code, request, feed=True)
    return Response(body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "no-cache"})


@router.get(
    "/bundles/{code}/print",
    response_class=HTMLResponse,
    responses=error_responses(404, 410, 422, 429),
    summary="Printable A4 page with a QR code",
)
def print_page(code: str, request: Request, svc: Bundles, lang: LangParam = None) -> HTMLResponse:
    return bundle_page(svc, code, base_url(request), lang, client=client_of(request))


@router.get(
    "/bundles/{code}",
    response_class=HTMLResponse,
    responses=error_responses(404, 410, 422, 429),
    summary="The bundle page (what the QR code opens)",
)
def bundle_html(code: str, request: Request, svc: Bundles, lang: LangParam = None) -> HTMLResponse:
    return bundle_page(svc, code, base_url(request), lang, client=client_of(request))
