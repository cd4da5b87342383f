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

from bot.bundle_codes import display_code
from bot.bundle_store import BundleExpired, BundleNotFound
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


class TestSharedStateContract:
    """Rate limits, console accounts and sessions, the audit log and the feed lock (``web.state``): two
    instances stand for two worker processes; what one writes, the other sees."""

    def test_rate_limit_counts_across_instances(self, settings_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        from web.security import SlidingWindowLimiter
        from web.state import WORKERS_ENV, open_rate_limiter

        settings = settings_for()
        if settings_for.kind == "sqlite":  # one process: the in-memory limiter, as before
            assert isinstance(open_rate_limiter(settings, "chat", 3), SlidingWindowLimiter)
            monkeypatch.setenv(WORKERS_ENV, "2")  # `serve --workers 2`: the shared SQLite counter
        a, b = open_rate_limiter(settings, "chat", 3), open_rate_limiter(settings, "chat", 3)
        assert a.shared and b.shared
        now = 120.5  # 0.5 s into a minute window
        assert [a.hit("198.51.100.1", now), b.hit("198.51.100.1", now), a.hit("198.51.100.1", now)] == [
            0,
            0,
            0,
        ]
        assert b.hit("198.51.100.1", now + 1) == pytest.approx(58.5)  # the fourth, on the other instance
        assert a.hit("198.51.100.2", now) == 0  # another client
        assert open_rate_limiter(settings, "search", 3).hit("198.51.100.1", now) == 0  # another group
        assert a.hit("198.51.100.1", now + 60) == 0  # the next window

    def test_console_sign_in_is_valid_on_another_instance(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        from web.state import open_account_stores

        settings = settings_for()
        users_a, sessions_a = open_account_stores(settings.data_dir, settings.session_url)
        users_b, sessions_b = open_account_stores(settings.data_dir, settings.session_url)
        assert ("Pg" in type(users_a).__name__) == (settings_for.kind == "postgresql")
        users_a.add("tanaka", "correct horse battery", role="staff", display_name="田中 職員")
        with pytest.raises(ValueError):
            users_b.add("tanaka", "another long password", role="staff")
        user = users_b.authenticate("tanaka", "correct horse battery")
        assert user is not None and user.role == "staff" and users_b.count() == 1
        assert users_a.authenticate("tanaka", "wrong password!") is None
        sid = sessions_a.start(user, "192.0.2.5")
        got = sessions_b.get(sid)
        assert got is not None and (got.who, got.role, got.ip) == ("田中 職員", "staff", "192.0.2.5")
        assert sessions_b.get(sid + "x") is None
        sessions_b.end(sid)
        assert sessions_a.get(sid) is None
        again = sessions_a.start(user, "192.0.2.5", ttl_s=60)
        assert users_b.disable("tanaka") and sessions_a.get(again) is None  # disabled: its sessions end
        assert users_a.authenticate("tanaka", "correct horse battery") is None
        assert [u.active for u in users_a.list()] == [False]

    def test_audit_log_is_shared_and_filtered(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        from web.state import open_audit_log

        a, b = open_audit_log(settings_for()), open_audit_log(settings_for())
        a.append(
            {
                "at": "2026-12-06T23:30:00+09:00",
                "who": "田中 職員",
                "role": "staff",
                "ip": "",
                "action": "login",
            }
        )
        b.append(
            {
                "at": "2026-12-07T09:00:00+09:00",
                "who": "加藤 編集",
                "role": "editor",
                "ip": "",
                "action": "login",
            }
        )
        a.append(
            {"at": "2026-12-07T09:05:00+09:00", "who": "加藤 編集", "role": "editor", "ip": "", "action": "reverify",
             "detail": {"fact": "birth-registration"}}
        )  # fmt: skip
        assert [e["action"] for e in b.entries()] == ["reverify", "login", "login"]  # newest first
        assert [e["who"] for e in a.entries(action="login")] == ["加藤 編集", "田中 職員"]
        assert [e["action"] for e in b.entries(who="加藤")] == ["reverify", "login"]
        assert [e["who"] for e in a.entries(since="2026-12-07")] == ["加藤 編集", "加藤 編集"]
        assert [e["who"] for e in a.entries(until="2026-12-06")] == ["田中 職員"]
        assert a.entries(limit=1)[0]["detail"] == {"fact": "birth-registration"}

    def test_feed_is_updated_once_under_concurrent_readers(self, settings_for) -> None:  # type: ignore[no-untyped-def]
        import datetime as dt
        import threading

        stores = [open_bundle_store(settings_for()), open_bundle_store(settings_for())]
        if settings_for.kind == "postgresql":  # a second pool, as in another process
            from bot.stores_pg import PgBundleStore, PgDatabase

            stores[1] = PgBundleStore(PgDatabase(settings_for().session_url), stores[0].ttl_s / 86400)
        code = stores[0].add(FIELDS).code
        rec = FeedRecord(hash="h1", sequence=0, modified=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), snapshot={})

        def reader(store: BundleStoreLike) -> None:  # what BundleService.calendar does, slowed down
            with store.feed_lock(code):
                version, _ = store.feed_state(code)
                time.sleep(0.05)
                if version != "v1":
                    store.save_feed_state(code, "v1", {"uid-1": rec})

        threads = [threading.Thread(target=reader, args=(stores[i % 2],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert stores[1].feed_generation(code) == 1  # written once, not once per reader
        stores[0].save_feed_state(code, "v2", {"uid-1": rec})
        assert stores[1].feed_generation(code) == 2
