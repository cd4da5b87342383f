"""PostgreSQL implementations of the web layer's shared state (``web.state``): rate-limit counters, console
accounts and sessions, the audit log. They share the process's pool and schema (``bot.stores_pg``, migration 2).

Example::

    >>> db = database("postgresql://concierge@127.0.0.1:5432/postgres")
    >>> PgRateLimiter(db, "chat", limit=60).hit("203.0.113.7")
    0.0
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import psycopg

from bot.stores_pg import PgDatabase
from web.accounts import (
    SESSION_TTL_S,
    USERNAME,
    ConsoleSession,
    User,
    _sid_hash,
    checked,
    new_session,
    new_user,
    password_hash,
    valid_sid,
)
from web.state import PURGE_EVERY, window_wait

log = logging.getLogger(__name__)


class PgRateLimiter:
    """Fixed-window counters, one row per group and client, bumped by one atomic upsert per request: every
    worker and machine on this database counts into the same window."""

    shared = True

    def __init__(self, db: PgDatabase, name: str, limit: int, window_s: float = 60.0) -> None:
        self.db, self.name, self.limit, self.window_s = db, name, limit, window_s
        self._since_purge = 0

    def hit(self, key: str, now: float | None = None) -> float:
        now = time.time() if now is None else now
        slot = int(now // self.window_s)
        with self.db.pool.connection(timeout=2) as conn:  # the middleware lets requests pass if it fails
            row = conn.execute(
                "INSERT INTO rate_hits (key, slot, hits) VALUES (%s, %s, 1) ON CONFLICT (key) DO UPDATE SET "
                "hits = CASE WHEN rate_hits.slot = excluded.slot THEN rate_hits.hits + 1 ELSE 1 END, "
                "slot = excluded.slot RETURNING hits",
                (f"{self.name}:{key}", slot),
            ).fetchone()
            self._since_purge += 1
            if self._since_purge >= PURGE_EVERY:
                self._since_purge = 0
                conn.execute("DELETE FROM rate_hits WHERE slot < %s", (slot - 1,))
        hits = int(row[0]) if row else 1
        return window_wait(hits, self.limit, slot, self.window_s, now)


class PgAuditLog:
    """The audit log as rows (the entry as JSON, plus its JST day, user and action to filter on)."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def append(self, entry: dict[str, Any]) -> None:
        from web.editorial import to_jst

        with self.db.pool.connection() as conn:
            conn.execute(
                "INSERT INTO audit_log (day, who, action, entry) VALUES (%s, %s, %s, %s::jsonb)",
                (
                    to_jst(str(entry.get("at", "")))[:10],
                    str(entry.get("who", "")),
                    str(entry.get("action", "")),
                    json.dumps(entry, ensure_ascii=False),
                ),
            )

    def entries(
        self, who: str = "", action: str = "", since: str = "", until: str = "", limit: int = 0
    ) -> list[dict[str, Any]]:
        with self.db.pool.connection() as conn:
            rows = conn.execute(
                "SELECT entry::text FROM audit_log WHERE (%(who)s = '' OR strpos(who, %(who)s) > 0) "
                "AND (%(action)s = '' OR action = %(action)s) AND (%(since)s = '' OR day >= %(since)s) "
                "AND (%(until)s = '' OR day <= %(until)s) ORDER BY id DESC LIMIT %(limit)s",
                {"who": who, "action": action, "since": since, "until": until, "limit": limit or None},
            ).fetchall()
        return [json.loads(r[0]) for r in rows]


class PgUserStore:
    """``web.accounts.UserStore`` over PostgreSQL (see the Protocol for the semantics)."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def add(self, username: str, password: str, role: str, display_name: str = "") -> User:
        user = new_user(username, password, role, display_name)
        try:
            with self.db.pool.connection() as conn:
                conn.execute(
                    "INSERT INTO console_users (username, display_name, role, password_hash, active, created) "
                    "VALUES (%s, %s, %s, %s, TRUE, %s)",
                    (user.username, user.display_name, role, password_hash(password), user.created),
                )
        except psycopg.errors.UniqueViolation:
            raise ValueError(f"user {user.username!r} exists already") from None
        return user

    def _row(self, username: str) -> tuple[User, str] | None:
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT username, display_name, role, active, created, password_hash FROM console_users "
                "WHERE username = %s",
                (username.strip().lower(),),
            ).fetchone()
        if row is None:
            return None
        return User(row[0], row[1], row[2], bool(row[3]), row[4]), row[5]

    def get(self, username: str) -> User | None:
        found = self._row(username)
        return found[0] if found else None

    def list(self) -> list[User]:
        with self.db.pool.connection() as conn:
            rows = conn.execute(
                "SELECT username, display_name, role, active, created FROM console_users ORDER BY username"
            ).fetchall()
        return [User(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def disable(self, username: str) -> bool:
        name = username.strip().lower()
        with self.db.pool.connection() as conn, conn.transaction():
            cur = conn.execute("UPDATE console_users SET active = FALSE WHERE username = %s", (name,))
            conn.execute("DELETE FROM console_sessions WHERE username = %s", (name,))
        return cur.rowcount > 0

    def authenticate(self, username: str, password: str) -> User | None:
        return checked(self._row(username) if USERNAME.match(username.strip().lower()) else None, password)

    def count(self) -> int:
        with self.db.pool.connection() as conn:
            row = conn.execute("SELECT count(*) FROM console_users WHERE active").fetchone()
        return int(row[0]) if row else 0


class PgConsoleSessionStore:
    """``web.accounts.SessionStore`` over PostgreSQL: a sign-in on one worker or machine is valid on all."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def start(self, user: User, ip: str, ttl_s: float = SESSION_TTL_S) -> str:
        sid, row = new_session(user, ip, ttl_s)
        with self.db.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM console_sessions WHERE expires < %s", (time.time(),))
            conn.execute("INSERT INTO console_sessions VALUES (%s, %s, %s, %s, %s, %s, %s)", row)
        return sid

    def get(self, sid: str | None) -> ConsoleSession | None:
        if not sid or not valid_sid(sid):
            return None
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT s.username, s.who, s.role, s.csrf, s.expires, s.ip FROM console_sessions s "
                "LEFT JOIN console_users u ON u.username = s.username "
                "WHERE s.sid_hash = %s AND (u.active OR s.username LIKE 'dev:%%')",
                (_sid_hash(sid),),
            ).fetchone()
        if row is None or row[4] < time.time():
            return None
        return ConsoleSession(row[0], row[1], row[2], row[3], row[4], row[5])

    def end(self, sid: str | None) -> None:
        if sid:
            with self.db.pool.connection() as conn:
                conn.execute("DELETE FROM console_sessions WHERE sid_hash = %s", (_sid_hash(sid),))

    def end_user(self, username: str) -> None:
        with self.db.pool.connection() as conn:
            conn.execute("DELETE FROM console_sessions WHERE username = %s", (username,))
