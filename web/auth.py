"""Console access: staff and editors sign in as themselves (web.accounts: argon2-hashed passwords, roles, and
server-side sessions in SQLite or PostgreSQL); the session cookie carries only a random id, and each session a CSRF token that
every state-changing form must echo.

Two explicit development settings remain: ``CONCIERGE_EDITOR__DEV_TOKEN=true`` with ``CONCIERGE_EDITOR__TOKEN``
accepts one shared token (never blank; compared in constant time) plus a typed-in name as an editor, and
``CONCIERGE_EDITOR__ALLOW_OPEN=true`` opens both consoles without sign-in. Neither is for production.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path

from fastapi import Request

from knowledge.settings import EditorSettings
from web.accounts import (
    SESSION_TTL_S,
    ConsoleSession,
    SessionStore,
    User,
    UserStore,
    allows,
)

COOKIE = "concierge_console"
_NAME = re.compile(r"^[\w .@'-]{1,40}$", re.UNICODE)
EditorSession = ConsoleSession  # the former name

__all__ = ["COOKIE", "SESSION_TTL_S", "ConsoleAuth", "EditorAuth", "EditorSession", "client_ip", "valid_name"]


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name.strip()))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


class ConsoleAuth:
    def __init__(self, cfg: EditorSettings, data_dir: Path, session_url: str | None = None) -> None:
        from web.state import open_account_stores

        # DATA_DIR/accounts.sqlite3, or the PostgreSQL database of the session URL (shared by all workers)
        self.users: UserStore
        self.sessions: SessionStore
        self.users, self.sessions = open_account_stores(data_dir, session_url)
        dev = cfg.token is not None and cfg.dev_token
        self._expected = _digest(cfg.token.get_secret_value()) if dev and cfg.token else None
        self.open = cfg.token is None and cfg.allow_open
        self._open_csrf = secrets.token_urlsafe(24)

    @property
    def dev_token(self) -> bool:
        return self._expected is not None

    @property
    def enabled(self) -> bool:
        """False while there is no active account and no development setting: the consoles refuse to serve."""
        return self.open or self.dev_token or self.users.count() > 0

    def check_token(self, token: str) -> bool:
        """Development mode only. Constant-time comparison of fixed-length digests (the length does not leak)."""
        if self._expected is None or not token.strip():
            return False
        return hmac.compare_digest(_digest(token), self._expected)

    def login(self, username: str, password: str, ip: str) -> tuple[str, User] | None:
        user = self.users.authenticate(username, password)
        if user is None:
            return None
        return self.sessions.start(user, ip), user

    def dev_login(self, name: str, ip: str) -> str:
        """A session for a typed-in name after ``check_token`` (development mode): role editor."""
        user = User(f"dev:{name.strip()}", name.strip(), "editor", True, "")
        return self.sessions.start(user, ip)

    def get(self, sid: str | None) -> ConsoleSession | None:
        return self.sessions.get(sid)

    def end(self, sid: str | None) -> None:
        self.sessions.end(sid)

    def open_session(self) -> ConsoleSession:
        """The session used when open access is allowed (no sign-in)."""
        return ConsoleSession("open-access", "open-access", "admin", self._open_csrf, float("inf"))

    def session(self, request: Request) -> ConsoleSession | None:
        if self.open:
            return self.open_session()
        return self.get(request.cookies.get(COOKIE))

    def may(self, session: ConsoleSession | None, needed: str) -> bool:
        return session is not None and allows(session.role, needed)


EditorAuth = ConsoleAuth  # the former name
