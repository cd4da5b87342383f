"""Console access (editor and staff consoles): a configured token compared in constant time, then a server-side
cookie session.

The token is never stored or logged; sessions live in memory (a restart logs editors out) and carry a CSRF token
that every state-changing form must echo. Until per-user accounts exist, the staff console (``/staff``, including
a resident's bundle by code) uses the same sign-in and the same development switch
(``CONCIERGE_EDITOR__ALLOW_OPEN``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

from knowledge.settings import EditorSettings

COOKIE = "concierge_editor"
COOKIE_PATH = "/"  # sent to /editor and /staff
SESSION_TTL_S = 8 * 3600
MAX_SESSIONS = 1000
_NAME = re.compile(r"^[\w .@'-]{1,40}$", re.UNICODE)


@dataclass(frozen=True)
class EditorSession:
    who: str
    csrf: str
    expires: float


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name.strip()))


class EditorAuth:
    def __init__(self, cfg: EditorSettings) -> None:
        self._expected = _digest(cfg.token.get_secret_value()) if cfg.token else None
        self.open = cfg.token is None and cfg.allow_open
        self._sessions: dict[str, EditorSession] = {}
        self._lock = threading.Lock()
        self._open_csrf = secrets.token_urlsafe(24)

    @property
    def enabled(self) -> bool:
        """False when no token is configured and open access was not explicitly allowed: refuse to serve."""
        return self._expected is not None or self.open

    def check_token(self, token: str) -> bool:
        """Constant-time comparison (of fixed-length digests, so the length does not leak either)."""
        if self._expected is None or not token.strip():
            return False
        return hmac.compare_digest(_digest(token), self._expected)

    def start(self, who: str) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(next(iter(self._sessions)))
            self._sessions[sid] = EditorSession(
                who=who.strip(), csrf=secrets.token_urlsafe(24), expires=now + SESSION_TTL_S
            )
        return sid

    def get(self, sid: str | None) -> EditorSession | None:
        if not sid:
            return None
        with self._lock:
            s = self._sessions.get(sid)
        if s is None or s.expires < time.time():
            return None
        return s

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)

    def open_session(self) -> EditorSession:
        """The session used when open access is allowed (no login)."""
        return EditorSession(who="open-access", csrf=self._open_csrf, expires=float("inf"))


def safe_next(target: str | None, default: str = "/editor") -> str:
    """Where to go after signing in: only this server's console paths (never another site)."""
    if target and target.startswith(("/staff", "/editor")) and "//" not in target and "\\" not in target:
        return target
    return default
