"""The web layer's state that several server processes must share, behind small Protocols chosen by the session
URL (``CONCIERGE_SESSION__URL``), like the session and bundle stores of ``bot.stores``:

- **rate limits** (``RateLimiter``): the single-process default keeps its sliding windows in memory (nothing to
  share, nothing per request but a deque); ``serve --workers N`` on SQLite counts in DATA_DIR/ratelimit.sqlite3
  and PostgreSQL in its ``rate_hits`` table: one fixed-window counter row per client and group, bumped with one
  atomic upsert per request (``web.state_pg``).
- **console accounts and sessions** (``web.accounts.UserStore`` / ``SessionStore``): DATA_DIR/accounts.sqlite3,
  or PostgreSQL, so a sign-in on one worker or machine is valid on every other.
- **the audit log** (``AuditLog``): DATA_DIR/editor/audit.jsonl, or PostgreSQL's ``audit_log`` table.

Example::

    >>> limiter = open_rate_limiter(settings, "chat", per_minute=60)
    >>> limiter.hit("203.0.113.7")      # 0.0: allowed; else the seconds until the next hit is allowed
    0.0
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from bot.sessions import open_sqlite
from bot.stores import is_postgres
from knowledge.settings import Settings
from web.accounts import SessionStore, SqliteSessionStore, SqliteUserStore, UserStore
from web.security import SlidingWindowLimiter

log = logging.getLogger(__name__)

WORKERS_ENV = "CONCIERGE_WORKER_PROCESSES"  # set by `concierge serve --workers N` for its workers
PURGE_EVERY = 1000  # hits between deletions of counters of windows that have passed


class RateLimiter(Protocol):
    """At most ``limit`` hits per ``window_s`` seconds per key.

    ``hit`` records a hit and returns 0 when it is allowed, else the seconds until the next hit would be
    allowed. ``shared`` is True when the counts live in a store other processes see (the middleware then calls
    ``hit`` off the event loop, and lets the request through should that store fail).
    """

    limit: int
    window_s: float
    shared: bool

    def hit(self, key: str, now: float | None = None) -> float: ...


class AuditLog(Protocol):
    """Who (user, role, IP) did what when (JST): ``append`` one entry (a dict with at, who, role, ip, action and
    optionally detail); ``entries`` newest first, filtered by user (substring), action and JST dates
    (YYYY-MM-DD, inclusive), at most ``limit`` (0: all)."""

    def append(self, entry: dict[str, Any]) -> None: ...

    def entries(
        self, who: str = "", action: str = "", since: str = "", until: str = "", limit: int = 0
    ) -> list[dict[str, Any]]: ...


def several_workers() -> bool:
    """Whether this process is one of several `concierge serve --workers N` workers."""
    try:
        return int(os.environ.get(WORKERS_ENV, "1")) > 1
    except ValueError:
        return False


class SqliteRateLimiter:
    """Fixed-window counters in a SQLite file shared by the worker processes of one machine."""

    shared = True

    def __init__(self, path: Path, name: str, limit: int, window_s: float = 60.0) -> None:
        self.name, self.limit, self.window_s = name, limit, window_s
        self._lock = threading.Lock()
        self._db = open_sqlite(path)
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS rate_hits (key TEXT PRIMARY KEY, slot INTEGER NOT NULL, "
            "hits INTEGER NOT NULL)"
        )
        self._since_purge = 0

    def hit(self, key: str, now: float | None = None) -> float:
        now = time.time() if now is None else now
        slot = int(now // self.window_s)
        with self._lock:
            row = self._db.execute(
                "INSERT INTO rate_hits (key, slot, hits) VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET "
                "hits = CASE WHEN rate_hits.slot = excluded.slot THEN rate_hits.hits + 1 ELSE 1 END, "
                "slot = excluded.slot RETURNING hits",
                (f"{self.name}:{key}", slot),
            ).fetchone()
            self._since_purge += 1
            if self._since_purge >= PURGE_EVERY:
                self._since_purge = 0
                self._db.execute("DELETE FROM rate_hits WHERE slot < ?", (slot - 1,))
        return window_wait(int(row[0]), self.limit, slot, self.window_s, now)


def window_wait(hits: int, limit: int, slot: int, window_s: float, now: float) -> float:
    """0 when ``hits`` (this one included) are within ``limit``, else the seconds until the window ends."""
    if hits <= limit:
        return 0.0
    return max((slot + 1) * window_s - now, 0.001)


def open_rate_limiter(settings: Settings, name: str, per_minute: int) -> RateLimiter:
    """The limiter of one route group: PostgreSQL by URL, SQLite for several workers, else in memory."""
    url = settings.session_url
    if is_postgres(url):
        from bot.stores_pg import database
        from web.state_pg import PgRateLimiter

        return PgRateLimiter(database(url), name, per_minute)
    if several_workers():
        return SqliteRateLimiter(settings.data_dir / "ratelimit.sqlite3", name, per_minute)
    return SlidingWindowLimiter(per_minute)


class FileAuditLog:
    """The audit log as JSON lines appended to one file (each line written in one append)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def entries(
        self, who: str = "", action: str = "", since: str = "", until: str = "", limit: int = 0
    ) -> list[dict[str, Any]]:
        from web.editorial import to_jst

        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines):
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not isinstance(e, dict):
                continue
            day = to_jst(str(e.get("at", "")))[:10]
            if who and who not in str(e.get("who", "")):
                continue
            if action and action != e.get("action"):
                continue
            if (since and day < since) or (until and day > until):
                continue
            out.append(e)
            if limit and len(out) >= limit:
                break
        return out


def open_audit_log(settings: Settings) -> AuditLog:
    """PostgreSQL by URL, else DATA_DIR/editor/audit.jsonl."""
    url = settings.session_url
    if is_postgres(url):
        from bot.stores_pg import database
        from web.state_pg import PgAuditLog

        return PgAuditLog(database(url))
    return FileAuditLog(settings.data_dir / "editor" / "audit.jsonl")


def open_account_stores(data_dir: Path, session_url: str | None = None) -> tuple[UserStore, SessionStore]:
    """Console users and their sessions: PostgreSQL by URL, else DATA_DIR/accounts.sqlite3."""
    if session_url and is_postgres(session_url):
        from bot.stores_pg import database
        from web.state_pg import PgConsoleSessionStore, PgUserStore

        db = database(session_url)
        return PgUserStore(db), PgConsoleSessionStore(db)
    path = data_dir / "accounts.sqlite3"
    return SqliteUserStore(path), SqliteSessionStore(path)


__all__ = [
    "AuditLog",
    "FileAuditLog",
    "RateLimiter",
    "SqliteRateLimiter",
    "open_account_stores",
    "open_audit_log",
    "open_rate_limiter",
]
