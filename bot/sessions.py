"""Dialogue state and its store (SQLite by default).

Only structured state is kept — life events, municipality codes, dates, answers to follow-up questions — never the
resident's messages. Sessions expire after ``settings.session.ttl_hours`` and are purged at start and then at most
every ``PURGE_EVERY_S`` while saving. Session ids are issued here only (unguessable); an id the store does not
know starts a new session with a new id. A failing disk does not fail the chat: the state is not saved, the
store reports itself degraded (``/healthz`` answers 503 with the reason) and recovers on the next good write.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

PURGE_EVERY_S = 600.0


class StoreCorrupt(RuntimeError):
    """A SQLite store file is damaged; the message says how to recover."""


class SessionState(BaseModel):
    id: str
    events: list[str] = Field(default_factory=list)
    municipality: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    date_approximate: bool = False
    # each event's own date once the events' dates are told apart (empty: ``event_date`` is every event's)
    event_dates: dict[str, dt.date] = Field(default_factory=dict)
    # how each event was told: True already happened, False still to come (a later 「25日です」 is read so)
    told_past: dict[str, bool] = Field(default_factory=dict)
    # the days other deadlines count from, by the catalog's trigger: ``learned`` (the day the resident learned of
    # the death), ``funeral`` (the funeral's day); only when the resident said them
    trigger_dates: dict[str, dt.date] = Field(default_factory=dict)
    # events that happened abroad (a death abroad: 死亡届 within 3 months, 戸籍法86条)
    abroad_events: list[str] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    asked: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    pending: str | None = None  # the fact the last reply asked about
    pending_event: str | None = None  # ... for the person of this event (the deceased's insurance in a death)
    # facts about the person an event is about when that is not the resident (bot.planner.EVENT_PERSON_FACTS)
    event_facts: dict[str, dict[str, Any]] = Field(default_factory=dict)
    municipality_preset: bool = False  # the municipality came only from the embedding page, not the resident
    places: dict[str, str] = Field(default_factory=dict)  # here/from/to -> name of a place outside Tokyo
    retry: list[str] = Field(
        default_factory=list
    )  # questions whose answer could not be read (asked again once)
    lang: str = "ja"
    turns: int = 0

    def known(self, fact: str) -> bool:
        if fact == "municipality":
            return self.municipality is not None
        if fact == "event_date":
            if self.event_dates and any(ev not in self.event_dates for ev in self.events):
                return False  # an event nobody gave a date for
            return self.event_date is not None and not self.date_approximate
        if fact == "move_from":
            return self.move_from is not None
        if fact == "move_to":
            return self.move_to is not None
        return self.facts.get(fact) is not None


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection shared between threads (callers hold their own lock), in WAL mode.

    synchronous=NORMAL: WAL keeps the file consistent; a crash may lose only the last write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        check = db.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
    except sqlite3.OperationalError:
        db.close()
        raise  # read-only, full or missing directory: the storage error, reported as such
    except sqlite3.DatabaseError as err:
        db.close()
        raise StoreCorrupt(
            f"the store {path} is corrupt ({err}); move it aside (mv {path} {path}.corrupt) and start again: "
            "a fresh, empty store is created (saved state in it is lost)"
        ) from None
    return db


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise ValueError(f"unsupported session store URL {url!r} (only sqlite:///PATH is built in)")
    return Path(url.removeprefix("sqlite:///"))


class SessionStore:
    """SQLite-backed session store; safe to share between threads."""

    def __init__(self, url: str, ttl_hours: float = 24.0) -> None:
        self.path = sqlite_path(url)
        self.ttl_s = ttl_hours * 3600
        self._lock = threading.Lock()
        self._db = open_sqlite(self.path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL)"
        )
        self.degraded: str | None = None  # why the last write failed (None = writes work)
        self._last_purge = 0.0
        self._purge_if_due()

    def new(self, lang: str = "ja") -> SessionState:
        """A new session with a server-chosen, unguessable id (128 random bits)."""
        return SessionState(id=secrets.token_urlsafe(16), lang=lang)

    def get(self, session_id: str) -> SessionState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, updated FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None or time.time() - row[1] > self.ttl_s:
            return None
        return SessionState.model_validate_json(row[0])

    def save(self, state: SessionState) -> bool:
        """Store the state; False (logged, ``degraded`` set) when the disk refuses the write."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO sessions (id, state, updated) VALUES (?, ?, ?)",
                    (state.id, state.model_dump_json(), time.time()),
                )
        except sqlite3.OperationalError as err:  # disk full, read-only, I/O error
            if self.degraded is None:
                log.error("session store %s cannot be written (%s); answering without saving", self.path, err)
            self.degraded = f"session store not writable: {err}"
            return False
        if self.degraded is not None:
            log.warning("session store %s writable again", self.path)
            self.degraded = None
        self._purge_if_due()
        return True

    def _purge_if_due(self) -> None:
        if time.monotonic() - self._last_purge < PURGE_EVERY_S and self._last_purge:
            return
        self._last_purge = time.monotonic()
        try:
            removed = self.purge_expired()
        except sqlite3.OperationalError as err:
            log.warning("expired sessions not purged: %s", err)
            return
        if removed:
            log.info("purged %d expired sessions", removed)

    def purge_expired(self) -> int:
        with self._lock:
            cur = self._db.execute("DELETE FROM sessions WHERE updated < ?", (time.time() - self.ttl_s,))
        return cur.rowcount

    def raw_rows(self) -> list[dict[str, Any]]:
        """Everything stored (for privacy tests and the editor console's counts)."""
        with self._lock:
            rows = self._db.execute("SELECT id, state, updated FROM sessions").fetchall()
        return [{"id": r[0], "state": json.loads(r[1]), "updated": r[2]} for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
