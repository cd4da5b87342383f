"""Polite, guarded HTTP fetching: clear User-Agent, timeouts and a total deadline per page, size and redirect
limits, per-host rate, robots.txt, and no internal addresses.

Pages and sitemaps are untrusted: a sitemap entry or a redirect may point at ``127.0.0.1``, a private network or
the cloud metadata address ``169.254.169.254``. Every connection (the first request, each redirect, robots.txt)
is checked after DNS resolution and made to the checked address, so a name cannot re-resolve in between. Hosts in
``allowed_hosts`` (``CONCIERGE_INGEST__ALLOWED_HOSTS``) are exempt, e.g. a municipality's intranet mirror or a test
server on loopback.

Example::

    >>> with Fetcher() as f:
    ...     page = f.fetch("https://www.city.example.lg.jp/kurashi/shussei.html")
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Iterable
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from ingest.models import Fetched, PageRefused

log = logging.getLogger(__name__)

USER_AGENT = "TokyoConciergeBot/0.1 (+https://github.com/tokyo-life-event-concierge/concierge)"
MAX_BYTES = 5_000_000
TEXT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "text/xml",
    "application/xml",
)


METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)


class BlockedAddress(PageRefused):
    """The URL's host resolves to an internal address (loopback, private, link-local, metadata, reserved)."""


def address_problem(ip: str) -> str | None:
    """Why ``ip`` must not be fetched (None = a public address)."""
    addr = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr in METADATA_ADDRESSES:
        return "cloud metadata address"
    if addr.is_unspecified:
        return "non-public address (unspecified, reaches this machine)"
    if addr.is_loopback:
        return "loopback address"
    if addr.is_link_local:
        return "link-local address"
    if addr.is_private:
        return "private address"
    if addr.is_unspecified or addr.is_multicast or addr.is_reserved or not addr.is_global:
        return "non-public address"
    return None


class AddressGuard:
    """Resolve a host and refuse it when any of its addresses is internal, unless the host is allow-listed."""

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed = {h.strip().lower().rstrip(".") for h in allowed_hosts if h.strip()}

    def is_allowed(self, host: str, port: int | None = None) -> bool:
        host = host.strip("[]").lower().rstrip(".")
        return host in self.allowed or (port is not None and f"{host}:{port}" in self.allowed)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; :class:`BlockedAddress` when one of them is internal."""
        bare = host.strip("[]")
        try:
            infos = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            raise PageRefused(f"cannot resolve host {bare!r}: {err}") from None
        ips = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if self.is_allowed(bare, port):
            return ips
        for ip in ips:
            problem = address_problem(ip)
            if problem:
                raise BlockedAddress(
                    f"refused: {bare} resolves to {ip}, a {problem} "
                    "(allow-list the host in CONCIERGE_INGEST__ALLOWED_HOSTS if this is intended)"
                )
        return ips

    def check_url(self, url: httpx.URL) -> None:
        port = url.port or (443 if url.scheme == "https" else 80)
        self.addresses(url.host, port)


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the guard accepted (resolution and connection use the same addresses)."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, int | bytes | None]] | None = None,  # type: ignore[override]
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for ip in self.guard.addresses(host, port):
            try:
                return super().connect_tcp(ip, port, timeout, local_address, socket_options)  # type: ignore[arg-type]
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                last = err
        raise last or httpcore.ConnectError(f"no address for {host}")


def guarded_transport(guard: AddressGuard) -> httpx.HTTPTransport:
    """An HTTP transport whose every TCP connection goes through ``guard``."""
    transport = httpx.HTTPTransport()
    pool = transport._pool
    if isinstance(pool, httpcore.ConnectionPool) and not isinstance(pool, httpcore.HTTPProxy):
        pool._network_backend = _GuardedBackend(guard)
    return transport


def is_binary(data: bytes) -> bool:
    """NUL bytes or the magic number of a PDF, ZIP/Office, PNG, JPEG or GIF file near the start."""
    head = data[:8192]
    return b"\x00" in head or head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8"))


class Fetcher:
    """One HTTP client for a run. Refusals raise ``PageRefused`` with the reason; the caller logs and skips."""

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout_s: float = 15.0,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        min_interval_s: float = 1.0,
        deadline_s: float = 60.0,
        allowed_hosts: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.min_interval_s = min_interval_s
        self.deadline_s = deadline_s
        self.guard = AddressGuard(allowed_hosts)

        def check_request(request: httpx.Request) -> None:  # every request, redirects and robots.txt included
            self.guard.check_url(request.url)

        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            follow_redirects=True,
            max_redirects=max_redirects,
            transport=transport or guarded_transport(self.guard),
            event_hooks={"request": [check_request]},
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last: dict[str, float] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _wait_turn(self, host: str) -> None:
        delay = self.min_interval_s
        robots = self._robots.get(host)
        if robots is not None:
            crawl_delay = robots.crawl_delay(self.user_agent)
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        wait = self._last.get(host, 0.0) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        """robots.txt says this User-Agent may fetch ``url`` (fetched once per host; 4xx = allowed)."""
        u = urlparse(url)
        host = f"{u.scheme}://{u.netloc}"
        if host not in self._robots:
            parser: RobotFileParser | None = RobotFileParser()
            try:
                self._wait_turn(host)
                r = self._client.get(urljoin(host, "/robots.txt"))
                if r.status_code in (401, 403):
                    parser.disallow_all = True  # type: ignore[union-attr]
                elif r.status_code >= 400:
                    parser = None  # no robots.txt: everything allowed
                else:
                    parser.parse(r.text.splitlines())  # type: ignore[union-attr]
            except httpx.HTTPError as err:
                log.warning("robots.txt of %s unreadable (%s); fetching politely anyway", host, err)
                parser = None
            self._robots[host] = parser
        robots = self._robots[host]
        return robots is None or robots.can_fetch(self.user_agent, url)

    def fetch(self, url: str) -> Fetched:
        if not url.startswith(("http://", "https://")):
            raise PageRefused(f"not an http(s) URL: {url}")
        if not self.allowed(url):
            raise PageRefused("disallowed by robots.txt")
        self._wait_turn(f"{urlparse(url).scheme}://{urlparse(url).netloc}")
        deadline = time.monotonic() + self.deadline_s
        try:
            with self._client.stream("GET", url) as r:
                if r.status_code >= 400:
                    raise PageRefused(f"HTTP {r.status_code}")
                ctype = r.headers.get("content-type", "")
                if ctype and not ctype.split(";")[0].strip().lower().startswith(TEXT_TYPES):
                    raise PageRefused(f"not a text page (Content-Type {ctype.split(';')[0]})")
                declared = int(r.headers.get("content-length") or 0)
                if declared > self.max_bytes:
                    raise PageRefused(f"too large ({declared} bytes > {self.max_bytes})")
                buf = bytearray()
                for part in r.iter_bytes():
                    buf += part
                    if len(buf) > self.max_bytes:
                        raise PageRefused(f"too large (over {self.max_bytes} bytes)")
                    if time.monotonic() > deadline:
                        raise PageRefused(f"too slow (not complete after the {self.deadline_s:g} s deadline)")
                if is_binary(bytes(buf[:8192])):  # a server may call any file text/html
                    raise PageRefused("binary file, not a text page")
                return Fetched(location=url, data=bytes(buf), content_type=ctype, final_url=str(r.url))
        except httpx.TooManyRedirects:
            raise PageRefused("too many redirects") from None
        except httpx.HTTPError as err:
            raise PageRefused(f"{type(err).__name__}: {err}") from None
