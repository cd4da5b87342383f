"""JSON errors with one clear message: ``{"error": {"status": 413, "code": "too_long", "message": "…"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="Stable machine-readable reason, e.g. too_long, rate_limited.")
    message: str = Field(description="What went wrong and what to do, in plain words.")
    message_ja: str = Field(
        "", description="Additive: the same in Japanese, for Japanese pages (the widget shows it)."
    )
    message_easy: str = Field(
        "", description="Additive: the same in やさしい日本語 (short, kana or 小学校 kanji), for easy pages."
    )
    details: list[dict[str, Any]] = Field(default_factory=list, description="Per-field problems (422).")


class ErrorOut(BaseModel):
    error: ErrorBody


class BodyTooLarge(Exception):
    """Raised while a request body streams in past ``settings.server.max_body_bytes``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit} bytes; send less.")
        self.limit = limit


class ApiError(Exception):
    """Raised by routes and middleware; rendered as :class:`ErrorOut`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


# What a Japanese page shows for each error code (the English message may name values; these stay general).
MESSAGES_JA: dict[str, str] = {
    "message_too_long": "メッセージが長すぎます。短くして、もう一度送ってください。",
    "empty_message": "メッセージが空です。あったことを書いてください（例：子どもが生まれました）。",
    "body_too_large": "送信した内容が大きすぎます。短くして、もう一度送ってください。",
    "invalid_request": "送信した内容を読み取れませんでした。ページを再読み込みして、もう一度お試しください。",
    "rate_limited": "短い時間に送信が続きました。しばらく待ってから、もう一度お試しください。",
    "timeout": "回答に時間がかかりすぎました。もう一度お試しください。",
    "pages_unavailable": (
        "いまは市区町村のページを検索できないため、このご質問にはお答えできません。"
        "出産・引っ越し・おくやみなどの手続きのご案内は使えます。数分後にもう一度お試しください。"
    ),
    "not_found": "見つかりませんでした。番号を確かめるか、新しく会話を始めてください。",
    "expired": "有効期限が過ぎました。新しく会話を始めて、もう一度保存してください。",
    "no_life_event": "まだ手続きがないため保存できません。先にあったことを教えてください。",
    "unknown_municipality": "その区市町村は見つかりませんでした。",
    "unknown_life_event": "そのできごとは見つかりませんでした。",
    "unknown_procedure": "その手続きは見つかりませんでした。",
    "invalid_text": "文字として読み取れない内容が含まれています。入力し直してください。",
    "mistyped": "番号が正しくないようです。もう一度確かめて入力してください。",
    "storage_unavailable": "いまは保存できません。時間をおいて、もう一度お試しください。",
    "console_disabled": "このコンソールは使えない設定になっています。",
    "host_not_allowed": "このアドレスからは利用できません。",
    "unauthorized": "ログインが必要です。",
    "forbidden": "このページを開く権限がありません。",
    "method_not_allowed": "この操作はできません。",
    "internal_error": "システムでエラーが起きました。時間をおいて、もう一度お試しください。",
}
DEFAULT_MESSAGE_JA = "エラーが発生しました。時間をおいて、もう一度お試しください。"
# The same in やさしい日本語 (a page or resident using easy Japanese): phrases spaced, kana or 小学校 kanji only.
_WAIT_EASY = "すこし まって から、もう 一ど ためして ください。"
MESSAGES_EASY: dict[str, str] = {
    "message_too_long": "メッセージが ながすぎます。みじかく して、もう 一ど おくって ください。",
    "empty_message": "なにも 書いて いません。あった ことを 書いて ください（れい：子どもが うまれました）。",
    "body_too_large": "おくった ものが 大きすぎます。みじかく して、もう 一ど おくって ください。",
    "invalid_request": "おくった ものを よめませんでした。ページを もう 一ど ひらいて、ためして ください。",
    "rate_limited": "みじかい あいだに たくさん おくりました。" + _WAIT_EASY,
    "timeout": "こたえを 作るのに 時間が かかりすぎました。もう 一ど ためして ください。",
    "pages_unavailable": (
        "いまは 区や 市の ページを さがせません。この しつもんには こたえられません。"
        "子どもが うまれた、ひっこし、かぞくが なくなった ときの てつづきの あんないは つかえます。"
        + _WAIT_EASY
    ),
    "not_found": "見つかりませんでした。ばんごうを たしかめるか、はじめから やりなおして ください。",
    "expired": "つかえる きかんが おわりました。はじめから やりなおして、もう 一ど ほぞん して ください。",
    "no_life_event": "まだ てつづきが ないので、ほぞん できません。さきに あった ことを 書いて ください。",
    "unknown_municipality": "その 区や 市、町、村は 見つかりませんでした。",
    "unknown_life_event": "その できごとは 見つかりませんでした。",
    "unknown_procedure": "その てつづきは 見つかりませんでした。",
    "invalid_text": "よめない 文字が あります。もう 一ど 書いて ください。",
    "mistyped": "ばんごうが ちがう ようです。もう 一ど たしかめて 入れて ください。",
    "storage_unavailable": "いまは ほぞん できません。" + _WAIT_EASY,
    "console_disabled": "この 画面は つかえない せってい です。",
    "host_not_allowed": "この アドレスからは つかえません。",
    "unauthorized": "ログインが ひつようです。",
    "forbidden": "この ページを ひらく ことは できません。",
    "method_not_allowed": "この そうさは できません。",
    "internal_error": "システムで エラーが おきました。" + _WAIT_EASY,
}
DEFAULT_MESSAGE_EASY = "エラーが おきました。" + _WAIT_EASY


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(
        error=ErrorBody(
            status=status,
            code=code,
            message=message,
            message_ja=MESSAGES_JA.get(code, DEFAULT_MESSAGE_JA),
            message_easy=MESSAGES_EASY.get(code, DEFAULT_MESSAGE_EASY),
            details=details or [],
        )
    )
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


# OpenAPI: the error statuses each JSON route may answer with.
def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        404: "Not found.",
        410: "Gone: the saved item has expired.",
        413: "Request body or message too long.",
        422: "Malformed JSON or a field of the wrong type.",
        429: "Too many requests from this client; see Retry-After.",
        503: "Page search (the vector store) is unavailable; catalog-only answers still work.",
    }
    return {s: {"model": ErrorOut, "description": text.get(s, "Error.")} for s in statuses}


_HTTP_CODES = {
    303: "sign_in_required",
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}


def _field_problems(err: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        details.append({"field": ".".join(loc) or "body", "problem": str(e.get("msg", "invalid"))})
    if any(e.get("type") == "json_invalid" for e in err.errors()):
        return "The request body is not valid JSON.", [{"field": "body", "problem": "not valid JSON"}]
    if details:
        first = details[0]
        more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
        return f"Invalid request: {first['field']}: {first['problem']}{more}.", details
    return "Invalid request.", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _field_problems(exc)
        return error_response(422, "invalid_request", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, BodyTooLarge):  # FastAPI wraps errors raised while reading the body
            return error_response(413, "body_too_large", str(exc.__cause__))
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's answer to a body that is not UTF-8: say so, with the same status as other bad JSON
            return error_response(422, "invalid_request", "The request body is not valid UTF-8 JSON.")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "Something went wrong on our side; please try again.")
