"""A running server's logs, at DEBUG, never contain a resident's My Number, phone number or e-mail address.

`concierge --log-level DEBUG serve` runs as a real process on loopback with a page index; the test chats, searches
and sends bad requests carrying personal data, stops the server and reads everything it wrote to stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import unicodedata
from pathlib import Path

import httpx
import pytest
from reliability_support import CLI, FIXTURE_PAGES, ROOT, cli_env, free_port

from ingest.pipeline import run_ingest
from knowledge.privacy import my_number_valid
from knowledge.settings import get_settings

pytestmark = pytest.mark.slow

MY_NUMBERS = ["123456789018", "9876 5432 1093", "１１１１２２２２３３３３"]  # all with valid check digits
PHONES = ["090-1234-5678", "03-5432-1098", "0120-123-456"]
EMAILS = ["taro.yamada@example.jp", "hanako+kosodate@mail.example.com"]


def _forms(secret: str) -> set[str]:
    """The secret as typed, NFKC-normalised, and as bare digits (what a leak could look like in a log)."""
    norm = unicodedata.normalize("NFKC", secret)
    forms = {secret, norm}
    digits = "".join(c for c in norm if c.isdigit())
    if len(digits) >= 10:
        forms |= {digits, digits[-8:]}
    return forms


def _serve(data: Path, port: int, stderr_path: Path) -> subprocess.Popen[bytes]:
    env = cli_env(
        CONCIERGE_DATA_DIR=str(data),
        CONCIERGE_EMBEDDING__BACKEND="hashing",
        CONCIERGE_EDITOR__TOKEN="a-long-editor-token-for-tests",
        CONCIERGE_EDITOR__DEV_TOKEN="true",
        CONCIERGE_SERVER__RATE_LIMIT_PER_MINUTE="0",
    )
    with stderr_path.open("wb") as err:
        return subprocess.Popen(
            [*CLI, "--log-level", "DEBUG", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
        )


def test_server_logs_at_debug_hold_no_personal_data(tmp_path: Path) -> None:
    assert all(
        my_number_valid("".join(c for c in unicodedata.normalize("NFKC", n) if c.isdigit()))
        for n in MY_NUMBERS
    )
    data = tmp_path / "var"
    settings = get_settings(data_dir=data, embedding={"backend": "hashing"})
    assert run_ingest(settings, [str(FIXTURE_PAGES)], progress=False).status == "ok"
    port = free_port()
    log_path = tmp_path / "serve.log"
    proc = _serve(data, port, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-2000:]
            time.sleep(0.1)

        personal = (
            f"マイナンバーは{MY_NUMBERS[0]}、電話は{PHONES[0]}、メールは{EMAILS[0]}です。"
            f"連絡先 {PHONES[1]} / {EMAILS[1]}、番号 {MY_NUMBERS[1]} {MY_NUMBERS[2]} フリーダイヤル{PHONES[2]}"
        )
        with httpx.Client(base_url=base, timeout=30) as c:
            signed_in = c.post(
                "/login",
                data={"name": "log test", "token": "a-long-editor-token-for-tests", "next": "/staff"},
            )
            assert signed_in.status_code == 303  # the staff console needs the console sign-in
            statuses = [
                c.post(
                    "/api/chat", json={"message": f"世田谷区で子どもが生まれました。{personal}"}
                ).status_code,
                c.post(
                    "/api/chat", json={"message": f"粗大ごみの出し方を教えてください。{personal}"}
                ).status_code,
                c.post(
                    "/api/chat", json={"message": f"018サポートの申請 {personal}", "lang": "en"}
                ).status_code,
                c.get("/api/search", params={"q": f"出生届 {PHONES[0]} {EMAILS[0]}"}).status_code,
                c.get("/staff", params={"q": f"{MY_NUMBERS[0]} {EMAILS[1]}"}).status_code,
                c.post("/api/chat", json={"message": personal * 200}).status_code,  # too long
                c.post("/api/chat", json={"message": personal, "today": personal}).status_code,  # bad date
                c.post("/api/chat", content=f'{{"message": "{personal}"'.encode()).status_code,  # bad JSON
                c.post("/login", data={"name": EMAILS[0], "token": MY_NUMBERS[0]}).status_code,
            ]
        assert statuses == [200, 200, 200, 200, 200, 413, 422, 422, 401], statuses
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    logs = log_path.read_text(encoding="utf-8", errors="replace")
    # personal data did reach a log record (the editor's name is an e-mail address), redacted
    assert "INFO concierge.editor.audit: editor login_failed by [メール]" in logs, logs[-2000:]
    for secret in [*MY_NUMBERS, *PHONES, *EMAILS]:
        for form in _forms(secret):
            assert form not in logs, (form, [ln for ln in logs.splitlines() if form in ln][:3])
    assert os.path.getsize(log_path) < 1_000_000
