"""Console accounts (issue #16): users in SQLite with argon2 hashes, the CLI, roles on /staff and /editor,
server-side sessions, and the audit log (user, role, IP, JST) with filters and CSV export."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from web_support import ROOT, AppFactory

from web.accounts import SqliteSessionStore, SqliteUserStore, allows

PASSWORD = "kanri-no-pasuwado-2026"


def _users(data: Path) -> SqliteUserStore:
    return SqliteUserStore(data / "accounts.sqlite3")


def test_user_store_semantics(tmp_path: Path) -> None:
    users = _users(tmp_path)
    u = users.add("Yamada", PASSWORD, role="staff", display_name="山田 花子")
    assert (u.username, u.role, u.display_name, u.active) == ("yamada", "staff", "山田 花子", True)
    with pytest.raises(ValueError, match="exists"):
        users.add("yamada", PASSWORD, role="staff")
    for bad in (("x", PASSWORD, "staff"), ("sato", "short", "staff"), ("sato", PASSWORD, "root")):
        with pytest.raises(ValueError):
            users.add(*bad)
    assert users.authenticate("yamada", PASSWORD) == u
    assert users.authenticate("yamada", PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None
    stored = (
        sqlite3.connect(tmp_path / "accounts.sqlite3")
        .execute("SELECT password_hash FROM users")
        .fetchone()[0]
    )
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    sessions = SqliteSessionStore(tmp_path / "accounts.sqlite3")
    sid = sessions.start(u, "127.0.0.1")
    assert sessions.get(sid) is not None and sessions.get(sid).role == "staff"  # type: ignore[union-attr]
    raw = (
        sqlite3.connect(tmp_path / "accounts.sqlite3")
        .execute("SELECT sid_hash FROM console_sessions")
        .fetchall()
    )
    assert sid not in {r[0] for r in raw}  # only a hash of the session id is stored
    assert users.disable("yamada") and not users.disable("nobody")
    assert users.authenticate("yamada", PASSWORD) is None and sessions.get(sid) is None
    assert [x.active for x in users.list()] == [False]
    assert allows("editor", "staff") and allows("admin", "editor") and not allows("staff", "editor")


def test_cli_users_add_list_disable(tmp_path: Path) -> None:
    env = {**os.environ, "CONCIERGE_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "web.cli", "users", *args],
            input=stdin,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    r = cli(
        "add", "suzuki", "--role", "editor", "--name", "鈴木 一郎", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert r.returncode == 0, r.stderr
    assert cli("add", "suzuki", "--password-stdin", stdin=PASSWORD + "\n").returncode == 2
    listed = cli("list").stdout
    assert "suzuki\teditor\t鈴木 一郎\tactive" in listed
    assert cli("disable", "suzuki").returncode == 0 and "disabled" in cli("list").stdout
    assert cli("disable", "nobody").returncode == 2
    assert _users(tmp_path / "var").authenticate("suzuki", PASSWORD) is None


def _sign_in(c, username: str, password: str = PASSWORD, next: str = "/staff"):  # type: ignore[no-untyped-def]
    return c.post(
        "/login", data={"username": username, "password": password, "next": next}, follow_redirects=False
    )


def test_roles_sessions_and_audit(make_client: AppFactory, tmp_path: Path) -> None:
    data = tmp_path / "var"
    users = _users(data)
    users.add("tanaka", PASSWORD, role="staff", display_name="田中 職員")
    users.add("kato", PASSWORD, role="editor", display_name="加藤 編集")
    c = make_client(data)
    r = c.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fstaff"
    assert c.get("/staff/bundles/K7MQ2XWA", follow_redirects=False).status_code == 303
    bad = _sign_in(c, "tanaka", "wrong password!")
    assert bad.status_code == 401 and "ユーザー名またはパスワードが違います" in bad.text
    ok = _sign_in(c, "tanaka")
    assert ok.status_code == 303 and ok.headers["location"] == "/staff"
    assert c.get("/staff").status_code == 200
    refused = c.get("/editor")
    assert refused.status_code == 403 and "編集者の権限が必要です" in refused.text
    c.cookies.clear()
    assert _sign_in(c, "kato", next="/editor").headers["location"] == "/editor"
    assert c.get("/staff").status_code == 200 and c.get("/editor").status_code == 200
    assert (
        _sign_in(c, "kato", next="https://evil.example/").headers["location"] == "/staff"
    )  # no open redirect
    users.disable("kato")
    assert c.get("/editor", follow_redirects=False).status_code == 303  # disabled: the session ends

    entries = [e for e in make_client(data).app.state.services.editorial.audit_entries()]  # type: ignore[attr-defined]
    logins = [(e["who"], e["role"], e["action"]) for e in reversed(entries)]
    assert logins == [
        ("tanaka", "", "login_failed"),
        ("田中 職員", "staff", "login"),
        ("加藤 編集", "editor", "login"),
        ("加藤 編集", "editor", "login"),
    ]
    assert all(e["ip"] == "testclient" and e["at"].endswith("+09:00") for e in entries)

    users.add("admin", PASSWORD, role="admin")
    c = make_client(data)
    _sign_in(c, "admin", next="/editor")
    page = c.get("/editor", params={"who": "田中"}).text
    assert "田中 職員" in page.split('id="audit-h"')[1] and "加藤 編集" not in page.split('id="audit-h"')[1]
    r = c.get("/editor/audit.csv", params={"action": "login"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0] == ["日時(JST)", "ユーザー", "役割", "IP", "操作", "詳細"]
    assert {row[4] for row in rows[1:]} == {"login"} and all(row[0].endswith("JST") for row in rows[1:])
    assert "admin" in {row[1] for row in rows[1:]}


def test_consoles_are_japanese_until_switched(make_client: AppFactory) -> None:
    c = make_client(editor={"allow_open": True})
    ja = c.get("/editor").text
    assert '<html lang="ja">' in ja and "編集コンソール" in ja and "Editor console" not in ja
    r = c.get("/console/lang", params={"to": "en", "next": "/editor"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/editor"
    en = c.get("/editor").text
    assert '<html lang="en">' in en and "<h1>Editor console</h1>" in en and "Audit log" in en
    plan = c.get("/staff/plan").text
    assert "Life event(s)" in plan and "Moving from" in plan
    assert (
        c.get(
            "/console/lang", params={"to": "ja", "next": "https://evil.example/"}, follow_redirects=False
        ).headers["location"]
        == "/staff"
    )
