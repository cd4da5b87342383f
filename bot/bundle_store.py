"""The SQLite store of saved bundles and of the per-event state of their calendar feeds.

A saved bundle holds only structured answers — municipality codes, life-event types, the event date and the
answers to follow-up questions (plus the reply language) — never names, messages or other free text
(:class:`SavedBundle` is exactly what is stored). Bundles expire after ``settings.session.bundle_ttl_days``; an
expired code answers :class:`BundleExpired` (HTTP 410) and its data is deleted, its code kept for another TTL.
Feeds are generated under :meth:`BundleStore.feed_lock` (threads and ``serve --workers N`` processes on one data
dir) and ``feed_meta.generation`` counts the writes. The PostgreSQL twin is :mod:`bot.stores_pg`; both pass
``tests/bot/test_store_contract.py`` and are chosen by :func:`bot.stores.open_bundle_store`.

Example::

    >>> store = BundleStore(data_dir / "bundles.sqlite3", ttl_days=90)
    >>> saved = store.add({"events": ["birth"], "municipality": "131121", "facts": {}, "lang": "ja"})
    >>> store.get(saved.code.lower()).events
    ['birth']
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bot import bundle_codes
from bot.bundle_codes import CODE_TRIES, code_status
from bot.calendar import FeedChange, FeedRecord
from bot.sessions import open_sqlite
from knowledge.models import Lang


class BundleNotFound(LookupError):
    """No bundle has this code (or the session to save is unknown or expired)."""


class BundleMistyped(BundleNotFound):
    """The text has a code's shape but its check symbol does not match (or it holds a symbol codes never use)."""


class BundleExpired(LookupError):
    """The bundle existed but has expired; its data has been deleted."""


class SavedBundle(BaseModel):
    """Exactly what is stored: structured answers only (see the module docstring)."""

    code: str
    events: list[str]
    municipality: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    # each event's own date when the events' dates differ (bot.sessions.SessionState.event_dates); additive
    event_dates: dict[str, dt.date] = Field(default_factory=dict)
    # the days other deadlines count from (bot.sessions.SessionState.trigger_dates); additive
    trigger_dates: dict[str, dt.date] = Field(default_factory=dict)
    abroad_events: list[str] = Field(default_factory=list)  # events that happened abroad; additive
    facts: dict[str, Any] = Field(default_factory=dict)
    lang: Lang = "ja"
    created: dt.datetime
    expires: dt.datetime


def feed_record(row: Any) -> FeedRecord:
    """A stored feed event (uid, hash, sequence, modified, snapshot JSON, change JSON) as a record; both stores."""
    return FeedRecord(
        hash=row[1],
        sequence=row[2],
        modified=_utc(row[3]),
        snapshot=json.loads(row[4]),
        change=FeedChange.model_validate_json(row[5]) if row[5] else None,
    )


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC).replace(microsecond=0)


class BundleStore:
    """SQLite store of saved bundles and of the per-event state of their calendar feeds; thread-safe."""

    def __init__(self, path: Path, ttl_days: float) -> None:
        self.path = Path(path)
        self.ttl_s = ttl_days * 86400
        self._lock = threading.Lock()
        self._db = open_sqlite(self.path)
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS bundles (
                code TEXT PRIMARY KEY, data TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS expired_codes (code TEXT PRIMARY KEY, expired REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS feed_meta (
                code TEXT PRIMARY KEY, catalog_version TEXT NOT NULL, generated REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS feed_events (
                code TEXT NOT NULL, uid TEXT NOT NULL, hash TEXT NOT NULL, sequence INTEGER NOT NULL,
                modified REAL NOT NULL, snapshot TEXT NOT NULL, change TEXT,
                PRIMARY KEY (code, uid));
            """
        )
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(feed_meta)")}
        if "generation" not in columns:  # stores written before the feed generation counter
            self._db.execute("ALTER TABLE feed_meta ADD COLUMN generation INTEGER NOT NULL DEFAULT 0")
        self._feed_file = self.path.with_name(self.path.name + ".feed-lock")
        self._feed_threads = threading.Lock()
        self.purge_expired()  # at start; reads purge too (an expired code answers 410 and its data goes)

    # ---- bundles --------------------------------------------------------------------------------------------
    def add(self, fields: dict[str, Any], now: float | None = None) -> SavedBundle:
        """Store ``fields`` (already whitelisted) under a fresh, collision-checked code."""
        now = time.time() if now is None else now
        data = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
        with self._lock:
            for _ in range(CODE_TRIES):
                code = bundle_codes.new_code()
                if self._db.execute("SELECT 1 FROM expired_codes WHERE code = ?", (code,)).fetchone():
                    continue
                try:
                    self._db.execute(
                        "INSERT INTO bundles (code, data, created, expires) VALUES (?, ?, ?, ?)",
                        (code, data, now, now + self.ttl_s),
                    )
                except sqlite3.IntegrityError:
                    continue
                break
            else:  # pragma: no cover - 31^14 codes; only a broken random source gets here
                raise RuntimeError("could not allocate a unique bundle code")
        return SavedBundle(code=code, **fields, created=_utc(now), expires=_utc(now + self.ttl_s))

    def get(self, code: str, now: float | None = None) -> SavedBundle:
        """The bundle, or :class:`BundleNotFound` / :class:`BundleExpired` (whose data is then purged)."""
        now = time.time() if now is None else now
        norm, status = code_status(code)
        if norm is None:
            raise BundleMistyped(code) if status == "mistyped" else BundleNotFound(code)
        with self._lock:
            row = self._db.execute(
                "SELECT data, created, expires FROM bundles WHERE code = ?", (norm,)
            ).fetchone()
            expired = self._db.execute("SELECT 1 FROM expired_codes WHERE code = ?", (norm,)).fetchone()
        if row is None:
            raise BundleExpired(norm) if expired else BundleNotFound(norm)
        if row[2] <= now:
            self.purge_expired(now)
            raise BundleExpired(norm)
        return SavedBundle(code=norm, **json.loads(row[0]), created=_utc(row[1]), expires=_utc(row[2]))

    def purge_expired(self, now: float | None = None) -> int:
        """Delete expired bundles and their feed state; keep only their codes (so they answer 410, not 404)."""
        now = time.time() if now is None else now
        with self._lock:
            self._db.execute("BEGIN")
            codes = [r[0] for r in self._db.execute("SELECT code FROM bundles WHERE expires <= ?", (now,))]
            for code in codes:
                self._db.execute(
                    "INSERT OR REPLACE INTO expired_codes (code, expired) VALUES (?, ?)", (code, now)
                )
                for table in ("bundles", "feed_meta", "feed_events"):
                    self._db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))
            # tombstones are forgotten after another TTL
            self._db.execute("DELETE FROM expired_codes WHERE expired <= ?", (now - self.ttl_s,))
            self._db.execute("COMMIT")
        return len(codes)

    def raw_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, as stored (for privacy tests)."""
        with self._lock:
            tables = [r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: self._db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}

    # ---- feed state -----------------------------------------------------------------------------------------
    def feed_state(self, code: str) -> tuple[str | None, dict[str, FeedRecord]]:
        with self._lock:
            meta = self._db.execute(
                "SELECT catalog_version FROM feed_meta WHERE code = ?", (code,)
            ).fetchone()
            rows = self._db.execute(
                "SELECT uid, hash, sequence, modified, snapshot, change FROM feed_events WHERE code = ?",
                (code,),
            ).fetchall()
        records = {r[0]: feed_record(r) for r in rows}
        return (meta[0] if meta else None), records

    def save_feed_state(self, code: str, catalog_version: str, records: dict[str, FeedRecord]) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO feed_meta (code, catalog_version, generated, generation) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (code) DO UPDATE SET catalog_version = excluded.catalog_version, "
                "generated = excluded.generated, generation = feed_meta.generation + 1",
                (code, catalog_version, now),
            )
            for uid, rec in records.items():
                self._db.execute(
                    "INSERT OR REPLACE INTO feed_events (code, uid, hash, sequence, modified, snapshot, change) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
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
            self._db.execute("COMMIT")

    @contextmanager
    def feed_lock(self, code: str) -> Iterator[None]:
        """Held while a feed's state is read, compared and written: other threads and other processes on this
        data dir (``serve --workers N``) wait for it (an exclusive lock on BUNDLES.feed-lock)."""
        with self._feed_threads, self._feed_file.open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def feed_generation(self, code: str) -> int:
        """How many times the feed's stored state has been written (0: never)."""
        with self._lock:
            row = self._db.execute("SELECT generation FROM feed_meta WHERE code = ?", (code,)).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
