"""Dialogue state and its store (SQLite by default).

Only structured state is kept — life events, municipality codes, dates, answers to follow-up questions — never the
resident's messages. Sessions expire after ``settings.session.ttl_hours``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class SessionState(BaseModel):
    id: str
    events: list[str] = Field(default_factory=list)
    municipality: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    date_approximate: bool = False
    facts: dict[str, Any] = Field(default_factory=dict)
    asked: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    pending: str | None = None  # the fact the last reply asked about
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
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
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

    def new(self, lang: str = "ja") -> SessionState:
        return SessionState(id=secrets.token_urlsafe(12), lang=lang)

    def get(self, session_id: str) -> SessionState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, updated FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None or time.time() - row[1] > self.ttl_s:
            return None
        return SessionState.model_validate_json(row[0])

    def save(self, state: SessionState) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sessions (id, state, updated) VALUES (?, ?, ?)",
                (state.id, state.model_dump_json(), time.time()),
            )

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
