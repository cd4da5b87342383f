"""Abuse limits and browser security as plain ASGI middleware: body size, per-client rate limit, headers.

Each is small and configured from ``settings.server``; all answers are the JSON errors of :mod:`web.errors`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import BodyTooLarge, error_response

PUBLIC_ASSETS = ("/widget.js", "/static/")


def content_security_policy(allowed_origins: Iterable[str]) -> str:
    """No inline script or style anywhere; framing only by this origin and the configured embedding origins."""
    ancestors = " ".join(["'self'", *allowed_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


class SecurityHeadersMiddleware:
    """CSP, X-Content-Type-Options, Referrer-Policy and friends on every response."""

    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str]) -> None:
        self.app = app
        self.origins = list(allowed_origins)
        self.headers = [
            (b"content-security-policy", content_security_policy(self.origins).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        public = scope["path"].startswith(PUBLIC_ASSETS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                # the widget script and its stylesheet are loaded by other origins' pages
                extra.append((b"cross-origin-resource-policy", b"cross-origin" if public else b"same-origin"))
                if not self.origins:
                    extra.append((b"x-frame-options", b"SAMEORIGIN"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, whether declared (Content-Length) or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refuse(self) -> object:
        return error_response(413, "body_too_large", str(BodyTooLarge(self.max_bytes)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse()(scope, receive, send)  # type: ignore[operator]
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse()(scope, receive, send)  # type: ignore[operator]


class SlidingWindowLimiter:
    """At most ``limit`` hits per ``window_s`` seconds per key; remembers at most ``max_keys`` clients."""

    def __init__(self, limit: int, window_s: float = 60.0, max_keys: int = 50_000) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit; return 0 when allowed, else the seconds until the next hit would be allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.get(key)
            if q is None:
                q = self._hits[key] = deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                return max(q[0] + self.window_s - now, 0.001)
            q.append(now)
            return 0.0


class RateLimitMiddleware:
    """Per-client limit on the expensive or sensitive routes (chat, saving bundles, editor login)."""

    def __init__(self, app: ASGIApp, per_minute: int, routes: Iterable[tuple[str, str]]) -> None:
        self.app = app
        self.routes = set(routes)
        self.limiter = SlidingWindowLimiter(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.limiter is None
            or scope["type"] != "http"
            or (scope["method"], scope["path"].rstrip("/") or "/") not in self.routes
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        wait = self.limiter.hit(key)
        if wait:
            retry = max(1, math.ceil(wait))
            response = error_response(
                429,
                "rate_limited",
                f"Too many requests from this client; please wait {retry} seconds and try again.",
                headers={"Retry-After": str(retry)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
