"""One contract for the shared-state stores, run against SQLite and a real PostgreSQL started by the suite.

The PostgreSQL run needs Debian's postgresql 15 (`make test-deps`); as root (CI) it must run, elsewhere it skips
with the reason when no server can be started.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import PostgresServer, unavailable

from bot.bundles import BundleExpired, BundleNotFound, display_code
from bot.calendar import FeedRecord
from bot.sessions import SessionState
from bot.stores import BundleStoreLike, SessionStoreLike, open_bundle_store, open_session_store
from knowledge.settings import Settings, get_settings


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    reason = unavailable()
    if reason:
        if os.geteuid() == 0:
            pytest.fail(f"PostgreSQL must be available in CI (root): {reason}")
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings_for(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``settings_for(**session)``: settings whose session URL points at the store under test (one fresh database)."""
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new_database()

    def make(**session: object) -> Settings:
        return get_settings(data_dir=tmp_path / "var", session={**({"url": url} if url else {}), **session})

    make.kind = request.param  # type: ignore[attr-defined]
    return make


FIELDS = {
    "events": ["birth"],
    "municipality": "131121",
    "move_from": None,
    "move_to": None,
    "event_date": "2026-11-20",
    "facts": {},
    "lang": "ja",
}


class TestStoreContract:
    def test_kind_follows_the_url(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        store = open_session_store(settings_for())
        assert isinstance(store, SessionStoreLike)
        assert ("Pg" in type(store).__name__) == (settings_for.kind == "postgresql")

    def test_sessions_round_trip_across_instances(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        a, b = open_session_store(settings_for()), open_session_store(settings_for())
        state = a.new(lang="en")
        state.events = ["birth"]
        state.municipality = "131121"
        state.facts = {"child_count": 2}
        a.save(state)
        got = b.get(state.id)  # another instance (another worker) reads it
        assert isinstance(got, SessionState)
        assert got.model_dump() == state.model_dump()
        got.turns = 3
        b.save(got)
        again = a.get(state.id)
        assert again is not None and again.turns == 3
        assert a.get("no-such-session") is None

    def test_sessions_expire_and_are_purged(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        store = open_session_store(settings_for(ttl_hours=0.5 / 3600))  # half a second
        state = store.new()
        store.save(state)
        assert store.get(state.id) is not None
        time.sleep(0.7)
        assert store.get(state.id) is None
        assert store.purge_expired() == 1

    def test_bundles_by_code_across_instances(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        a, b = open_bundle_store(settings_for()), open_bundle_store(settings_for())
        assert isinstance(a, BundleStoreLike)
        saved = a.add(FIELDS)
        got = b.get(display_code(saved.code).lower())  # read out over the phone: dash, lower case
        assert got.code == saved.code and got.events == ["birth"] and got.municipality == "131121"
        with pytest.raises(BundleNotFound):
            b.get("ZZZZ-ZZZZ")
        with pytest.raises(BundleNotFound):
            b.get("not a code")

    def test_expired_bundles_answer_expired_not_unknown(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        store = open_bundle_store(settings_for())
        saved = store.add(FIELDS, now=1000.0)
        later = 1000.0 + store.ttl_s + 1
        with pytest.raises(BundleExpired):
            store.get(saved.code, now=later)
        with pytest.raises(BundleExpired):  # the data is gone, the tombstone stays
            store.get(saved.code, now=later + 1)
        assert store.purge_expired(now=later + 2) == 0

    def test_feed_state_round_trip(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        import datetime as dt

        a, b = open_bundle_store(settings_for()), open_bundle_store(settings_for())
        code = a.add(FIELDS).code
        assert b.feed_state(code) == (None, {})
        rec = FeedRecord(
            hash="h1",
            sequence=0,
            modified=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            snapshot={"due": "2026-12-03"},
        )
        a.save_feed_state(code, "v1", {"uid-1": rec})
        version, records = b.feed_state(code)
        assert version == "v1" and records["uid-1"].model_dump() == rec.model_dump()
        bumped = rec.model_copy(update={"hash": "h2", "sequence": 1})
        b.save_feed_state(code, "v2", {"uid-1": bumped})
        version, records = a.feed_state(code)
        assert version == "v2" and records["uid-1"].sequence == 1 and records["uid-1"].hash == "h2"


@pytest.mark.postgres
def test_postgres_schema_is_versioned_and_migrations_are_idempotent(postgres: PostgresServer) -> None:
    from bot.stores_pg import MIGRATIONS, PgDatabase

    url = postgres.new_database()
    first = PgDatabase(url)
    second = PgDatabase(url)  # a second process starting on the same database
    assert first.migrate() == second.migrate() == MIGRATIONS[-1][0]
    with first.pool.connection() as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [v for v, _ in MIGRATIONS]
    first.close()
    second.close()
