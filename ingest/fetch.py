"""Polite HTTP fetching: clear User-Agent, timeouts, size and redirect limits, per-host rate, robots.txt.

Example::

    >>> with Fetcher() as f:
    ...     page = f.fetch("https://www.city.example.lg.jp/kurashi/shussei.html")
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.min_interval_s = min_interval_s
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            follow_redirects=True,
            max_redirects=max_redirects,
            transport=transport,
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
                if is_binary(bytes(buf[:8192])):  # a server may call any file text/html
                    raise PageRefused("binary file, not a text page")
                return Fetched(location=url, data=bytes(buf), content_type=ctype, final_url=str(r.url))
        except httpx.TooManyRedirects:
            raise PageRefused("too many redirects") from None
        except httpx.HTTPError as err:
            raise PageRefused(f"{type(err).__name__}: {err}") from None
