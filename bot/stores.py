"""The shared state of the app behind small Protocols, with the implementation chosen by the session URL.

- ``sqlite:///PATH`` (default: DATA_DIR/sessions.sqlite3): the embedded stores of ``bot.sessions`` and
  ``bot.bundle_store`` (bundles in DATA_DIR/bundles.sqlite3) — the two-command set-up, unchanged.
- ``postgresql://USER@HOST:PORT/DB``: ``bot.stores_pg`` (psycopg 3 with a connection pool; the schema is created
  and migrated by the app with versioned SQL). Several processes and machines then share sessions, saved bundles
  and feed state.

Example::

    >>> sessions = open_session_store(get_settings(session={"url": "postgresql://concierge@127.0.0.1:5432/postgres"}))
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable

from bot.sessions import SessionState, SessionStore
from knowledge.settings import Settings

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@runtime_checkable
class SessionStoreLike(Protocol):
    """Dialogue state by session id; entries expire after ``ttl_s`` seconds without a save.

    ``new`` issues an unguessable server-side id (never the client's); ``save`` returns False (and sets
    ``degraded`` to the reason, which /healthz reports) when the store refuses the write, so a turn is still
    answered without saving; the next successful write clears ``degraded``.
    """

    ttl_s: float
    degraded: str | None

    def new(self, lang: str = "ja") -> SessionState: ...
    def get(self, session_id: str) -> SessionState | None: ...
    def save(self, state: SessionState) -> bool: ...
    def purge_expired(self) -> int: ...
    def close(self) -> None: ...


@runtime_checkable
class BundleStoreLike(Protocol):
    """Saved bundles by short code (expired codes answer 410) and the per-event state of their feeds.

    ``feed_lock(code)`` is held while a feed's state is read, compared and saved, and excludes every other thread
    and process using the same store, so a change to a feed is written once (``feed_generation`` counts the
    writes) however many workers serve its readers at the same moment.
    """

    ttl_s: float

    def add(self, fields: dict[str, Any], now: float | None = None) -> Any: ...
    def get(self, code: str, now: float | None = None) -> Any: ...
    def purge_expired(self, now: float | None = None) -> int: ...
    def feed_state(self, code: str) -> tuple[str | None, dict[str, Any]]: ...
    def save_feed_state(self, code: str, catalog_version: str, records: dict[str, Any]) -> None: ...
    def feed_lock(self, code: str) -> AbstractContextManager[None]: ...
    def feed_generation(self, code: str) -> int: ...
    def close(self) -> None: ...


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def open_session_store(settings: Settings) -> SessionStoreLike:
    url = settings.session_url
    if is_postgres(url):
        from bot.stores_pg import PgSessionStore, database

        return PgSessionStore(database(url), settings.session.ttl_hours)
    return SessionStore(url, settings.session.ttl_hours)


def open_bundle_store(settings: Settings) -> BundleStoreLike:
    from bot.bundle_store import BundleStore

    url = settings.session_url
    if is_postgres(url):
        from bot.stores_pg import PgBundleStore, database

        return PgBundleStore(database(url), settings.session.bundle_ttl_days)
    return BundleStore(settings.data_dir / "bundles.sqlite3", settings.session.bundle_ttl_days)
