"""PostgreSQL implementations of the session and bundle stores (psycopg 3 + psycopg-pool).

One ``PgDatabase`` per URL and process holds a small connection pool and migrates the schema on first use:
``MIGRATIONS`` is a list of versioned SQL scripts, applied in order under an advisory lock (so that workers
starting together do not race) and recorded in ``schema_version``. Add a new ``(version, sql)`` entry to change
the schema; never edit an applied one.

Example::

    >>> db = database("postgresql://concierge@127.0.0.1:5432/postgres")
    >>> PgSessionStore(db, ttl_hours=24).get("unknown") is None
    True
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from bot import bundle_codes
from bot.bundle_codes import CODE_TRIES, code_status
from bot.bundle_store import BundleExpired, BundleMistyped, BundleNotFound, SavedBundle, feed_record
from bot.calendar import FeedRecord
from bot.sessions import SessionState

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x436F6E63  # advisory lock id ("Conc")
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY, state JSONB NOT NULL, updated DOUBLE PRECISION NOT NULL);
        CREATE INDEX IF NOT EXISTS sessions_updated ON sessions (updated);
        CREATE TABLE IF NOT EXISTS bundles (
            code TEXT PRIMARY KEY, data JSONB NOT NULL, created DOUBLE PRECISION NOT NULL,
            expires DOUBLE PRECISION NOT NULL);
        CREATE INDEX IF NOT EXISTS bundles_expires ON bundles (expires);
        CREATE TABLE IF NOT EXISTS expired_codes (code TEXT PRIMARY KEY, expired DOUBLE PRECISION NOT NULL);
        CREATE TABLE IF NOT EXISTS feed_meta (
            code TEXT PRIMARY KEY, catalog_version TEXT NOT NULL, generated DOUBLE PRECISION NOT NULL);
        CREATE TABLE IF NOT EXISTS feed_events (
            code TEXT NOT NULL, uid TEXT NOT NULL, hash TEXT NOT NULL, sequence INTEGER NOT NULL,
            modified DOUBLE PRECISION NOT NULL, snapshot JSONB NOT NULL, change TEXT,
            PRIMARY KEY (code, uid));
        """,
    ),
    (
        # the web layer's shared state (web.state_pg): rate-limit windows, console accounts and sessions, the
        # audit log; and a generation counter per feed (how many times its stored state was written)
        2,
        """
        CREATE TABLE IF NOT EXISTS rate_hits (
            key TEXT PRIMARY KEY, slot BIGINT NOT NULL, hits INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS console_users (
            username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
            password_hash TEXT NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE, created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS console_sessions (
            sid_hash TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL, who TEXT NOT NULL,
            csrf TEXT NOT NULL, ip TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL);
        CREATE INDEX IF NOT EXISTS console_sessions_user ON console_sessions (username);
        CREATE TABLE IF NOT EXISTS audit_log (
            id BIGSERIAL PRIMARY KEY, day TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
            entry JSONB NOT NULL);
        ALTER TABLE feed_meta ADD COLUMN IF NOT EXISTS generation INTEGER NOT NULL DEFAULT 0;
        """,
    ),
]


class PgDatabase:
    """A connection pool to one PostgreSQL database, its schema migrated to the latest version."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 8) -> None:
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as err:  # pragma: no cover - a core dependency
            raise RuntimeError("PostgreSQL session store needs psycopg and psycopg-pool") from err
        self.url = url
        # autocommit: a single statement is one round trip (no BEGIN/COMMIT); several go in conn.transaction()
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=True, timeout=10, kwargs={"autocommit": True}
        )
        # one feed lock at a time per process: a waiting thread must not hold a pool connection
        self.feed_threads = threading.Lock()
        self.migrate()

    def migrate(self) -> int:
        """Apply the migrations this database lacks; returns the schema version."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TIMESTAMPTZ "
                "NOT NULL DEFAULT now())"
            )
            row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
            have = int(row[0]) if row else 0
            for version, sql in MIGRATIONS:
                if version > have:
                    conn.execute(sql)  # type: ignore[arg-type]  # trusted, constant SQL
                    conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                    have = version
        return have

    def close(self) -> None:
        self.pool.close()


_databases: dict[str, PgDatabase] = {}
_databases_lock = threading.Lock()


def database(url: str) -> PgDatabase:
    """The process's pool for ``url`` (sessions and bundles share it)."""
    with _databases_lock:
        db = _databases.get(url)
        if db is None or db.pool.closed:
            db = _databases[url] = PgDatabase(url)
        return db


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC).replace(microsecond=0)


class PgSessionStore:
    """``SessionStoreLike`` over PostgreSQL; safe to share between threads and processes."""

    def __init__(self, db: PgDatabase, ttl_hours: float = 24.0) -> None:
        self.db = db
        self.ttl_s = ttl_hours * 3600
        self.degraded: str | None = None  # why the last write failed (None = writes work)

    def new(self, lang: str = "ja") -> SessionState:
        """A new session with a server-chosen, unguessable id (128 random bits)."""
        return SessionState(id=secrets.token_urlsafe(16), lang=lang)

    def get(self, session_id: str) -> SessionState | None:
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT state::text, updated FROM sessions WHERE id = %s", (session_id,)
            ).fetchone()
        if row is None or time.time() - row[1] > self.ttl_s:
            return None
        return SessionState.model_validate_json(row[0])

    def save(self, state: SessionState) -> bool:
        """Store the state; False (logged, ``degraded`` set) when the database refuses the write."""
        try:
            with self.db.pool.connection() as conn:
                conn.execute(
                    "INSERT INTO sessions (id, state, updated) VALUES (%s, %s::jsonb, %s) "
                    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                    (state.id, state.model_dump_json(), time.time()),
                )
        except psycopg.Error as err:  # server gone, disk full on the server, read-only replica
            if self.degraded is None:
                log.error("session store cannot be written (%s); answering without saving", err)
            self.degraded = f"session store not writable: {err}"
            return False
        if self.degraded is not None:
            log.warning("session store writable again")
            self.degraded = None
        return True

    def purge_expired(self) -> int:
        with self.db.pool.connection() as conn:
            cur = conn.execute("DELETE FROM sessions WHERE updated < %s", (time.time() - self.ttl_s,))
            return cur.rowcount

    def raw_rows(self) -> list[dict[str, Any]]:
        with self.db.pool.connection() as conn:
            rows = conn.execute("SELECT id, state::text, updated FROM sessions").fetchall()
        return [{"id": r[0], "state": json.loads(r[1]), "updated": r[2]} for r in rows]

    def close(self) -> None:
        """The pool is shared by the process's stores; it closes with the process."""


class PgBundleStore:
    """``BundleStoreLike`` over PostgreSQL: the same codes, expiry (410 tombstones) and feed state as SQLite."""

    def __init__(self, db: PgDatabase, ttl_days: float) -> None:
        self.db = db
        self.ttl_s = ttl_days * 86400

    def add(self, fields: dict[str, Any], now: float | None = None) -> SavedBundle:
        now = time.time() if now is None else now
        data = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
        with self.db.pool.connection() as conn:
            for _ in range(CODE_TRIES):
                code = bundle_codes.new_code()
                cur = conn.execute(
                    "INSERT INTO bundles (code, data, created, expires) "
                    "SELECT %s, %s::jsonb, %s, %s "
                    "WHERE NOT EXISTS (SELECT 1 FROM expired_codes WHERE code = %s) "
                    "ON CONFLICT (code) DO NOTHING",
                    (code, data, now, now + self.ttl_s, code),
                )
                if cur.rowcount == 1:
                    break
            else:  # pragma: no cover - 2^69 codes
                raise RuntimeError("could not allocate a unique bundle code")
        return SavedBundle(code=code, **fields, created=_utc(now), expires=_utc(now + self.ttl_s))

    def get(self, code: str, now: float | None = None) -> SavedBundle:
        now = time.time() if now is None else now
        norm, status = code_status(code)  # the check symbol tells a typo ("mistyped") from an unknown code
        if norm is None:
            raise BundleMistyped(code) if status == "mistyped" else BundleNotFound(code)
        with self.db.pool.connection() as conn:
            row = conn.execute(
                "SELECT data::text, created, expires FROM bundles WHERE code = %s", (norm,)
            ).fetchone()
            expired = conn.execute("SELECT 1 FROM expired_codes WHERE code = %s", (norm,)).fetchone()
        if row is None:
            raise BundleExpired(norm) if expired else BundleNotFound(norm)
        if row[2] <= now:
            self.purge_expired(now)
            raise BundleExpired(norm)
        return SavedBundle(code=norm, **json.loads(row[0]), created=_utc(row[1]), expires=_utc(row[2]))

    def purge_expired(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self.db.pool.connection() as conn, conn.transaction():
            codes = [
                r[0]
                for r in conn.execute(
                    "DELETE FROM bundles WHERE expires <= %s RETURNING code", (now,)
                ).fetchall()
            ]
            if codes:
                conn.execute(
                    "INSERT INTO expired_codes (code, expired) SELECT unnest(%s::text[]), %s "
                    "ON CONFLICT (code) DO UPDATE SET expired = excluded.expired",
                    (codes, now),
                )
                conn.execute("DELETE FROM feed_meta WHERE code = ANY(%s)", (codes,))
                conn.execute("DELETE FROM feed_events WHERE code = ANY(%s)", (codes,))
            conn.execute("DELETE FROM expired_codes WHERE expired <= %s", (now - self.ttl_s,))
        return len(codes)

    def raw_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        tables = ("bundles", "expired_codes", "feed_meta", "feed_events")
        with self.db.pool.connection() as conn:
            return {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables}  # type: ignore[arg-type]

    def feed_state(self, code: str) -> tuple[str | None, dict[str, FeedRecord]]:
        with self.db.pool.connection() as conn:
            meta = conn.execute("SELECT catalog_version FROM feed_meta WHERE code = %s", (code,)).fetchone()
            rows = conn.execute(
                "SELECT uid, hash, sequence, modified, snapshot::text, change FROM feed_events WHERE code = %s",
                (code,),
            ).fetchall()
        records = {r[0]: feed_record(r) for r in rows}
        return (meta[0] if meta else None), records

    def save_feed_state(self, code: str, catalog_version: str, records: dict[str, FeedRecord]) -> None:
        now = time.time()
        with self.db.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO feed_meta (code, catalog_version, generated, generation) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (code) DO UPDATE SET catalog_version = excluded.catalog_version, "
                "generated = excluded.generated, generation = feed_meta.generation + 1",
                (code, catalog_version, now),
            )
            for uid, rec in records.items():
                conn.execute(
                    "INSERT INTO feed_events (code, uid, hash, sequence, modified, snapshot, change) "
                    "VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (code, uid) DO UPDATE SET "
                    "hash = excluded.hash, sequence = excluded.sequence, modified = excluded.modified, "
                    "snapshot = excluded.snapshot, change = excluded.change",
                    (
                        code,
                        uid,
                        rec.hash,
                        rec.sequence,
                        rec.modified.timestamp(),
                        json.dumps(rec.snapshot, ensure_ascii=False, sort_keys=True),
                        rec.change.model_dump_json() if rec.change else None,
                    ),
                )

    @contextmanager
    def feed_lock(self, code: str) -> Iterator[None]:
        """Held while a feed's state is read, compared and written: every other process waits for it (a
        PostgreSQL advisory lock on the code, released with its connection should this process die)."""
        key = "feed:" + code
        with self.db.feed_threads, self.db.pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    def feed_generation(self, code: str) -> int:
        """How many times the feed's stored state has been written (0: never)."""
        with self.db.pool.connection() as conn:
            row = conn.execute("SELECT generation FROM feed_meta WHERE code = %s", (code,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """The pool is shared by the process's stores; it closes with the process."""
