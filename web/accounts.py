"""Console accounts: staff and editors sign in as themselves; server-side sessions.

Roles, from least to most: ``staff`` (the call-center console), ``editor`` (the editor console and the staff
console), ``admin`` (everything; creates users from the CLI ``concierge users add|list|disable``). Passwords are
hashed with argon2 (argon2-cffi, its recommended parameters); a password is never stored, logged or compared in
clear. Users and sessions live in SQLite under the data dir (``DATA_DIR/accounts.sqlite3``), or — with a
PostgreSQL session URL — in that database (``web.state_pg``), shared by every worker and machine; ``web.state``
chooses.

Example::

    >>> users = SqliteUserStore(settings.data_dir / "accounts.sqlite3")
    >>> users.add("yamada", "correct horse battery", role="staff", display_name="山田 花子")
    >>> users.authenticate("yamada", "correct horse battery").role
    'staff'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("staff", "editor", "admin")
# what each role may open: the staff console needs staff (or higher), the editor console needs editor (or admin)
GRANTS = {"staff": {"staff"}, "editor": {"staff", "editor"}, "admin": {"staff", "editor", "admin"}}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,39}$")
MIN_PASSWORD = 10
SESSION_TTL_S = 8 * 3600

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # verified against for unknown users: same time taken


def allows(role: str, needed: str) -> bool:
    """Whether an account of ``role`` may open what needs ``needed`` (e.g. allows("editor", "staff") is True)."""
    return needed in GRANTS.get(role, set())


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    active: bool
    created: str


class UserStore(Protocol):
    """Console accounts.

    - ``add`` creates an active user (username: 2–40 of a-z 0-9 . _ @ -, lower case; role one of ROLES; password at
      least MIN_PASSWORD characters, stored only as an argon2 hash); raises ValueError on a bad or taken username,
      role or password.
    - ``get`` returns the user or None; ``list`` returns all users (disabled ones too) by username.
    - ``disable`` marks a user inactive (it can no longer sign in; its sessions end) and returns False when there
      is no such user. Users are never deleted: the audit log keeps naming them.
    - ``authenticate`` returns the active user whose password matches, else None (unknown user, wrong password and
      disabled user look the same to the caller and take the same time).
    """

    def add(self, username: str, password: str, role: str, display_name: str = "") -> User: ...

    def get(self, username: str) -> User | None: ...

    def list(self) -> list[User]: ...

    def disable(self, username: str) -> bool: ...

    def authenticate(self, username: str, password: str) -> User | None: ...

    def count(self) -> int: ...


@dataclass(frozen=True)
class ConsoleSession:
    username: str
    who: str  # the name shown and audited (display name, else username)
    role: str
    csrf: str
    expires: float
    ip: str = ""


class SessionStore(Protocol):
    """Server-side console sessions. The cookie holds only a random id; the store keeps its SHA-256, so a copy
    of the store cannot be replayed as cookies.

    - ``start`` creates a session valid for ``ttl_s`` seconds and returns its id.
    - ``get`` returns the live session or None (unknown, expired, or its user disabled since).
    - ``end`` removes one session; ``end_user`` every session of a user.
    """

    def start(self, user: User, ip: str, ttl_s: float = SESSION_TTL_S) -> str: ...

    def get(self, sid: str | None) -> ConsoleSession | None: ...

    def end(self, sid: str | None) -> None: ...

    def end_user(self, username: str) -> None: ...


def new_user(username: str, password: str, role: str, display_name: str = "") -> User:
    """The user ``UserStore.add`` would create (ValueError on a bad username, role or password)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError("username: 2-40 of a-z 0-9 . _ @ - (lower case)")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    display = display_name.strip()[:40] or username
    return User(username, display, role, True, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def password_hash(password: str) -> str:
    return _hasher.hash(password)


def checked(found: tuple[User, str] | None, password: str) -> User | None:
    """The active user whose stored hash matches ``password``; an unknown user is checked against a dummy hash,
    so that it takes the same time."""
    stored = found[1] if found else _DUMMY_HASH
    try:
        ok: bool = _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or found is None or not found[0].active:
        return None
    return found[0]


def new_session(user: User, ip: str, ttl_s: float) -> tuple[str, tuple[str, str, str, str, str, str, float]]:
    """A fresh session id and the row to store for it: (sid hash, username, role, who, csrf, ip, expires)."""
    sid = secrets.token_urlsafe(32)
    row = (
        _sid_hash(sid),
        user.username,
        user.role,
        user.display_name or user.username,
        secrets.token_urlsafe(24),
        ip,
        time.time() + ttl_s,
    )
    return sid, row


def valid_sid(sid: str | None) -> bool:
    return bool(sid) and len(sid or "") <= 200


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class _Sqlite:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS users (
                    username TEXT PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL,
                    password_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS console_sessions (
                    sid_hash TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL, who TEXT NOT NULL,
                    csrf TEXT NOT NULL, ip TEXT NOT NULL, expires REAL NOT NULL);
                """
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA busy_timeout = 10000")
        return db


class SqliteUserStore(_Sqlite):
    """UserStore in a SQLite file (see the Protocol for the semantics)."""

    def add(self, username: str, password: str, role: str, display_name: str = "") -> User:
        user = new_user(username, password, role, display_name)
        with self._lock, self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, 1, ?)",
                    (user.username, user.display_name, role, _hasher.hash(password), user.created),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"user {user.username!r} exists already") from None
        return user

    def _row(self, username: str) -> tuple[User, str] | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT username, display_name, role, active, created, password_hash FROM users WHERE username = ?",
                (username.strip().lower(),),
            ).fetchone()
        if row is None:
            return None
        return User(row[0], row[1], row[2], bool(row[3]), row[4]), row[5]

    def get(self, username: str) -> User | None:
        found = self._row(username)
        return found[0] if found else None

    def list(self) -> list[User]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT username, display_name, role, active, created FROM users ORDER BY username"
            ).fetchall()
        return [User(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def disable(self, username: str) -> bool:
        with self._lock, self._connect() as db:
            cur = db.execute("UPDATE users SET active = 0 WHERE username = ?", (username.strip().lower(),))
            db.execute("DELETE FROM console_sessions WHERE username = ?", (username.strip().lower(),))
        return cur.rowcount > 0

    def authenticate(self, username: str, password: str) -> User | None:
        return checked(self._row(username) if USERNAME.match(username.strip().lower()) else None, password)

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM users WHERE active = 1").fetchone()[0])


class SqliteSessionStore(_Sqlite):
    """SessionStore in the same SQLite file as the users (see the Protocol for the semantics)."""

    def start(self, user: User, ip: str, ttl_s: float = SESSION_TTL_S) -> str:
        sid, row = new_session(user, ip, ttl_s)
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM console_sessions WHERE expires < ?", (time.time(),))
            db.execute("INSERT INTO console_sessions VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        return sid

    def get(self, sid: str | None) -> ConsoleSession | None:
        if not sid or not valid_sid(sid):
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT s.username, s.who, s.role, s.csrf, s.expires, s.ip FROM console_sessions s "
                "LEFT JOIN users u ON u.username = s.username "
                "WHERE s.sid_hash = ? AND (u.active = 1 OR s.username LIKE 'dev:%')",
                (_sid_hash(sid),),
            ).fetchone()
        if row is None or row[4] < time.time():
            return None
        return ConsoleSession(row[0], row[1], row[2], row[3], row[4], row[5])

    def end(self, sid: str | None) -> None:
        if sid:
            with self._lock, self._connect() as db:
                db.execute("DELETE FROM console_sessions WHERE sid_hash = ?", (_sid_hash(sid),))

    def end_user(self, username: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM console_sessions WHERE username = ?", (username,))
