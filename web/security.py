"""Abuse limits and browser security as plain ASGI middleware: body size, per-client rate limits by route group,
trusted Host names, headers.

Each is small and configured from ``settings.server``; all answers are the JSON errors of :mod:`web.errors`.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.errors import BodyTooLarge, error_response

log = logging.getLogger(__name__)

PUBLIC_ASSETS = ("/widget.js", "/static/")
RETRY_SHARED_S = 5.0  # while a shared rate-limit store is down, ask it again after this long


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
    """At most ``limit`` hits per ``window_s`` seconds per key; remembers at most ``max_keys`` clients.

    In memory: the limiter of a single server process (``web.state.RateLimiter``; several workers share theirs)."""

    shared = False

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


def _networks(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


class ClientAddress:
    """The client's address: the socket peer, or — only when the peer is a configured proxy — the nearest address
    in X-Forwarded-For that is not itself a trusted proxy (so a client cannot pick its own bucket)."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted = _networks(trusted_proxies)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def trusts(self, scope: Scope) -> bool:
        client = scope.get("client")
        return bool(self.trusted and client and self._is_trusted(client[0]))

    def __call__(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.trusts(scope):
            return peer
        forwarded: list[str] = []
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                forwarded += [p.strip() for p in value.decode("latin-1").split(",") if p.strip()]
        for address in reversed(forwarded):  # the proxy appends: walk back past our own proxies
            if not self._is_trusted(address):
                return address
        return peer


@dataclass(frozen=True)
class RateGroup:
    """A named bucket: ``per_minute`` requests per client for requests matching one of ``routes``."""

    name: str
    per_minute: int
    routes: tuple[tuple[str, str], ...]  # (method, path regex)

    def matches(self, method: str, path: str) -> bool:
        return any(method == m and re.fullmatch(p, path) for m, p in self.routes)


class RateLimitMiddleware:
    """Per-client limits, one bucket per route group (chat, bundles, search, sign-in), so that one group's traffic
    cannot use up another's. Records the client address it used in ``scope["state"]["client"]``; behind a trusted
    proxy it also sets the scope's client and scheme (X-Forwarded-Proto), as uvicorn's proxy headers would (those
    are off in ``concierge serve``: uvicorn believes any loopback peer)."""

    def __init__(
        self,
        app: ASGIApp,
        groups: Iterable[RateGroup],
        trusted_proxies: Iterable[str] = (),
        limiter: Callable[[RateGroup], Any] | None = None,
    ) -> None:
        self.app = app
        self.client = ClientAddress(trusted_proxies)
        make = limiter or (lambda g: SlidingWindowLimiter(g.per_minute))
        self.groups = [(g, make(g)) for g in groups if g.per_minute > 0]
        self._failing, self._failed_at = False, 0.0

    async def _wait(self, limiter: Any, key: str) -> float:
        """The limiter's answer; a shared store is asked off the event loop, and requests pass (logged once)
        while that store cannot be reached — it is asked again only every RETRY_SHARED_S seconds, so that an
        outage of the database neither takes the service down nor makes every request wait for it."""
        if not limiter.shared:
            return float(limiter.hit(key))
        if self._failing and time.monotonic() - self._failed_at < RETRY_SHARED_S:
            return 0.0
        try:
            wait = float(await anyio.to_thread.run_sync(limiter.hit, key))
        except Exception as err:  # any failure of the store: fail open
            if not self._failing:
                log.error("rate-limit store unavailable (%s); requests pass unlimited", err)
            self._failing, self._failed_at = True, time.monotonic()
            return 0.0
        if self._failing:
            log.warning("rate-limit store available again")
            self._failing = False
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = self.client(scope)
        scope.setdefault("state", {})["client"] = key
        if self.client.trusts(
            scope
        ):  # behind a trusted proxy: the resident's address and the original scheme
            scope["client"] = (key, 0)
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-proto" and value.strip().lower() in (b"http", b"https"):
                    scope["scheme"] = value.strip().lower().decode()
        path = scope["path"].rstrip("/") or "/"
        for group, limiter in self.groups:
            if not group.matches(scope["method"], path):
                continue
            wait = await self._wait(limiter, key)
            if wait:
                retry = max(1, math.ceil(wait))
                log.warning("rate limit %s: client %s refused (retry in %d s)", group.name, key, retry)
                response = error_response(
                    429,
                    "rate_limited",
                    f"Too many requests from this client; please wait {retry} seconds and try again.",
                    headers={"Retry-After": str(retry)},
                )
                await response(scope, receive, send)
                return
            break
        await self.app(scope, receive, send)


class TrustedHostMiddleware:
    """Answer 400 to a Host header outside ``allowed`` (loopback names always pass): links in bundles, feeds and
    QR codes are built from the Host when ``CONCIERGE_SERVER__PUBLIC_URL`` is unset."""

    LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = {h.strip().lower() for h in allowed if h.strip()} | set(self.LOOPBACK)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1").strip().lower()
                break
        bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host not in self.allowed and bare not in self.allowed:
            response = error_response(
                400, "host_not_allowed", "This server does not answer to that host name (Host header)."
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
