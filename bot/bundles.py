"""Saved bundles: a resident's plan kept under a short code, re-planned from the catalog whenever it is read.

A saved bundle holds only structured answers — municipality codes, life-event types, the event date and the
answers to follow-up questions (plus the reply language) — never names, messages or other free text. Values are
whitelisted against the catalog before they are written. Bundles expire after ``settings.session.bundle_ttl_days``;
an expired code answers :class:`BundleExpired` (HTTP 410) and its data is deleted.

Example::

    >>> service = build_bundle_service(settings, concierge)
    >>> saved = service.save_session(session_id)          # -> SavedBundle(code='K7MQ2XWA9P3HJ4C', ...)
    >>> view = service.view(saved.code)                    # re-planned with today's catalog
    >>> ics = service.calendar(saved.code, base_url="https://example.org")
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from bot.calendar import FeedChange, FeedRecord, build_calendar, calendar_entries
from bot.contract import MilestoneOut, ProcedureOut
from bot.dialogue import known_facts
from bot.planner import Bundle, plan_bundle
from bot.render import LANGS, Renderer
from bot.service import Concierge
from bot.sessions import SessionState, open_sqlite
from bot.understand import ABROAD, OUTSIDE
from knowledge.models import Lang
from knowledge.settings import Settings

if TYPE_CHECKING:
    from bot.stores import BundleStoreLike

# No 0/O, 1/I/L: codes are read out over the phone and typed from paper. 31 symbols (a prime, for the check).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_DATA_LENGTH = 14  # 14 random symbols = 69.3 bits (an attack review guessed 1,500 codes per second)
CODE_LENGTH = CODE_DATA_LENGTH + 1  # plus one check symbol; shown as three groups of five: K7MQ2-XWA9P-3HJ4C
CODE_GROUP = 5
LEGACY_CODE_LENGTH = 8  # codes saved before issue 18 (no check symbol) are still read until they expire
_CODE_TRIES = 20
# Dashes and spaces people type between the groups, full-width and Japanese forms included (ー is what an IME
# gives for "-" in kana mode). NFKC folds full-width letters and digits (６ＪＡ６) to ASCII first.
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\u30fb\u3000\uff0d\uff70\ufe63")


class BundleNotFound(LookupError):
    """No bundle has this code (or the session to save is unknown or expired)."""


class BundleMistyped(BundleNotFound):
    """The text has a code's shape but its check symbol does not match (or it holds a symbol codes never use)."""


class BundleExpired(LookupError):
    """The bundle existed but has expired; its data has been deleted."""


class NothingToSave(ValueError):
    """The session has no life event yet, so there is no bundle to save."""


def check_symbol(data: str) -> str:
    """The symbol that makes sum((i + 1) * value) over the whole code 0 mod 31: any one wrong symbol and any two
    swapped neighbours are detected (31 is prime and neighbouring weights differ by one)."""
    total = sum((i + 1) * CODE_ALPHABET.index(ch) for i, ch in enumerate(data))
    weight = len(data) + 1
    return CODE_ALPHABET[(-total * pow(weight, -1, len(CODE_ALPHABET))) % len(CODE_ALPHABET)]


def new_code() -> str:
    data = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_DATA_LENGTH))
    return data + check_symbol(data)


def _clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if ch not in _SEPARATORS and not ch.isspace()).upper()


def code_status(text: str) -> tuple[str | None, str]:
    """(normalised code, "ok") or (None, "mistyped" | "invalid").

    "mistyped": a full code's length but a wrong check symbol or a symbol codes never use (0, O, 1, I, L);
    "invalid": not a code at all."""
    code = _clean(text)
    if len(code) not in (CODE_LENGTH, LEGACY_CODE_LENGTH):
        return None, "invalid"
    if any(
        ch not in CODE_ALPHABET for ch in code
    ):  # e.g. O for 0 in a full code; a legacy-length word is not one
        return None, "mistyped" if len(code) == CODE_LENGTH else "invalid"
    if len(code) == CODE_LENGTH and check_symbol(code[:-1]) != code[-1]:
        return None, "mistyped"
    return code, "ok"


def normalize_code(text: str) -> str | None:
    """'k7mq2-xwa9p-3hj4c', '６ＪＡ６－Ｎ７Ｒ３' or '6JA6ーN7R3' -> the stored code; None when it cannot be one."""
    return code_status(text)[0]


def display_code(code: str) -> str:
    """'K7MQ2XWA9P3HJ4C' -> 'K7MQ2-XWA9P-3HJ4C' (legacy 'K7MQ2XWA' -> 'K7MQ-2XWA'): easier to read out."""
    if len(code) == LEGACY_CODE_LENGTH:
        return f"{code[:4]}-{code[4:]}"
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


class SavedBundle(BaseModel):
    """Exactly what is stored: structured answers only (see the module docstring)."""

    code: str
    events: list[str]
    municipality: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    lang: Lang = "ja"
    created: dt.datetime
    expires: dt.datetime


class BundleOut(BaseModel):
    """The re-planned bundle (field names follow the chat contract's ChatResponse)."""

    code: str
    display_code: str
    catalog_version: str
    created: dt.datetime
    expires: dt.datetime
    lang: Lang
    title: str
    life_events: list[str]
    event_names: list[str] = Field(default_factory=list)
    municipality: str | None = None
    municipality_code: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    procedures: list[ProcedureOut] = Field(default_factory=list)
    checklist: list[str] = Field(default_factory=list)
    milestones: list[MilestoneOut] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    links: dict[str, str] = Field(default_factory=dict, description="url, ics_url, feed_url, print_url.")


def bundle_links(base_url: str, code: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {
        "url": f"{base}/bundles/{code}",
        "ics_url": f"{base}/bundles/{code}.ics",
        "feed_url": f"{base}/feeds/{code}.ics",
        "print_url": f"{base}/bundles/{code}/print",
    }


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
            for _ in range(_CODE_TRIES):
                code = new_code()
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


class BundleService:
    """Save a chat session as a bundle; read it back re-planned; render its calendar and feed."""

    def __init__(self, concierge: Concierge, store: BundleStoreLike) -> None:
        self.concierge = concierge
        self.store = store
        self._feed_lock = threading.Lock()

    @property
    def catalog(self):
        return self.concierge.catalog

    # ---- saving ---------------------------------------------------------------------------------------------
    def _place(self, code: str | None, *, outside_ok: bool) -> str | None:
        if code in self.catalog.municipalities:
            return code
        if outside_ok and code in (OUTSIDE, ABROAD):
            return code
        return None

    def _fact_value(self, fact_id: str, value: Any) -> Any:
        """The value if it is a well-formed answer to catalog fact ``fact_id``; None otherwise (dropped)."""
        fact = self.catalog.facts.get(fact_id)
        if fact is None or value is None:
            return None
        if fact.type == "choice":
            return value if isinstance(value, str) and value in {o.value for o in fact.options} else None
        if fact.type == "bool":
            return value if isinstance(value, bool) else None
        if fact.type == "int":
            return (
                value
                if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 200
                else None
            )
        if fact.type == "date":
            value = getattr(value, "date", value)
            if isinstance(value, dt.date):
                return value.isoformat()
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                return None
        if fact.type == "municipality":
            return self._place(value, outside_ok=True)
        return None

    def fields_from_state(self, state: SessionState) -> dict[str, Any]:
        """The whitelisted, storable fields of a bot.sessions.SessionState."""
        facts = {
            k: v
            for k, v in ((k, self._fact_value(k, v)) for k, v in known_facts(state).items())
            if v is not None
        }  # the facts of every event, flat (a scoped fact shows its event's value: bot.dialogue.known_facts)
        return {
            "events": [e for e in state.events if e in self.catalog.events],
            "municipality": self._place(state.municipality, outside_ok=False),
            "move_from": self._place(state.move_from, outside_ok=True),
            "move_to": self._place(state.move_to, outside_ok=True),
            "event_date": state.event_date.isoformat() if state.event_date else None,
            "facts": facts,
            "lang": state.lang if state.lang in LANGS else "ja",
        }

    def save_session(self, session_id: str) -> SavedBundle:
        """Save the session's bundle; :class:`BundleNotFound` if the session is unknown/expired,
        :class:`NothingToSave` if it has no life event yet."""
        state = self.concierge.sessions.get(session_id)
        if state is None:
            raise BundleNotFound(session_id)
        fields = self.fields_from_state(state)
        if not fields["events"]:
            raise NothingToSave(session_id)
        return self.store.add(fields)

    # ---- reading --------------------------------------------------------------------------------------------
    def get(self, code: str) -> SavedBundle:
        return self.store.get(code)

    def plan(self, saved: SavedBundle) -> Bundle:
        return plan_bundle(
            self.catalog,
            saved.events,
            saved.facts,
            municipality=saved.municipality,
            move_from=saved.move_from,
            move_to=saved.move_to,
            event_date=saved.event_date,
        )

    def render(
        self,
        saved: SavedBundle,
        lang: Lang | None = None,
        base_url: str | None = None,
        today: dt.date | None = None,
    ) -> BundleOut:
        """The saved bundle re-planned with the current catalog, in ``lang`` (default: the saved language)."""
        lang = lang or saved.lang
        r = Renderer(self.catalog, lang, today or dt.date.today())
        bundle = self.plan(saved)
        muni = self.catalog.municipalities.get(saved.municipality or "")
        return BundleOut(
            code=saved.code,
            display_code=display_code(saved.code),
            catalog_version=self.catalog.version,
            created=saved.created,
            expires=saved.expires,
            lang=lang,
            title=r.title(saved.events, saved.municipality),
            life_events=list(saved.events),
            event_names=r.event_names(saved.events),
            municipality=muni.name if muni else None,
            municipality_code=muni.code if muni else None,
            move_from=r.place(saved.move_from, readings=False),
            move_to=r.place(saved.move_to, readings=False),
            event_date=saved.event_date,
            procedures=[r.procedure(it) for it in bundle.items],
            checklist=r.checklist(bundle),
            milestones=r.milestones(bundle, saved.municipality),
            facts=dict(saved.facts),
            links=bundle_links(base_url, saved.code) if base_url else {},
        )

    def view(self, code: str, lang: Lang | None = None, base_url: str | None = None) -> BundleOut:
        """Open a bundle by code (what the staff console shows); raises BundleNotFound / BundleExpired."""
        return self.render(self.store.get(code), lang, base_url)

    # ---- calendar -------------------------------------------------------------------------------------------
    def calendar(self, code: str, *, base_url: str, lang: Lang | None = None, feed: bool = False) -> bytes:
        """The bundle's iCalendar; events whose content changed since the last generation get a higher SEQUENCE,
        a new LAST-MODIFIED and a "what changed" line (the per-event state is kept in the store)."""
        view = self.view(code, lang, base_url)
        entries = calendar_entries(view, base_url=base_url)
        with self._feed_lock, self.store.feed_lock(view.code):  # once per change, across processes too
            prev_version, records = self.store.feed_state(view.code)
            new_records = {}
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            for e in entries:
                old = records.get(e.uid)
                if old is None:
                    change = (
                        FeedChange.added(prev_version, view.catalog_version, now) if prev_version else None
                    )
                    new_records[e.uid] = FeedRecord(
                        hash=e.hash, sequence=0, modified=now, snapshot=e.snapshot, change=change
                    )
                elif old.hash != e.hash:
                    change = FeedChange.diff(
                        old.snapshot, e.snapshot, prev_version, view.catalog_version, now
                    )
                    new_records[e.uid] = FeedRecord(
                        hash=e.hash,
                        sequence=old.sequence + 1,
                        modified=now,
                        snapshot=e.snapshot,
                        change=change,
                    )
                else:
                    new_records[e.uid] = old
            changed = prev_version != view.catalog_version or any(
                records.get(u) is not r for u, r in new_records.items()
            )
            if changed:
                self.store.save_feed_state(view.code, view.catalog_version, new_records)
        return build_calendar(view, entries, new_records, feed=feed)


def build_bundle_service(settings: Settings, concierge: Concierge) -> BundleService:
    """The bundle service over ``concierge`` with its store at DATA_DIR/bundles.sqlite3."""
    from bot.stores import open_bundle_store

    store = open_bundle_store(settings)  # SQLite (DATA_DIR/bundles.sqlite3) or PostgreSQL by URL
    store.purge_expired()
    return BundleService(concierge, store)
