from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.contract import ChatRequest
from bot.service import Concierge
from knowledge.privacy import RedactingFilter, my_number_valid, redact


@pytest.mark.parametrize("number", ["123456789018", "987654321093", "111122223333"])
def test_valid_my_numbers_are_redacted(number: str) -> None:
    assert my_number_valid(number)
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    assert redact(f"私の番号は{number}です") == "私の番号は[個人番号]です"
    assert number[:4] not in redact(spaced)


def test_twelve_digits_with_a_wrong_check_digit_are_kept() -> None:
    assert not my_number_valid("123456789012")
    assert redact("整理番号123456789012") == "整理番号123456789012"


@pytest.mark.parametrize(
    "phone", ["090-1234-5678", "03-5432-1111", "0120-123-456", "+81 90 1234 5678", "09012345678"]
)
def test_phone_numbers_are_redacted(phone: str) -> None:
    assert redact(f"連絡先は{phone}です") == "連絡先は[電話番号]です"


def test_email_and_full_width_input() -> None:
    assert redact("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "[メール]"


def test_dates_codes_and_amounts_survive() -> None:
    text = "2026年11月20日 131121 70,000円 14日以内"
    assert redact(text) == text


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.privacy"):
        logger.info("message from %s: %s", "resident", "電話は090-1234-5678、番号123456789018")
    assert "090-1234-5678" not in caplog.text and "123456789018" not in caplog.text
    assert "[電話番号]" in caplog.text


def test_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy.tb")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.ERROR, logger="test.privacy.tb"):
        try:
            raise ValueError("bad input: taro@example.jp 090-1234-5678")
        except ValueError:
            logger.exception("chat failed")
    assert "taro@example.jp" not in caplog.text and "090-1234-5678" not in caplog.text
    assert "ValueError" in caplog.text


def test_sessions_store_no_message_text(concierge_factory: object) -> None:
    c: Concierge = concierge_factory()  # type: ignore[operator]
    message = "山田太郎です。電話090-1234-5678。世田谷区で11月20日に子どもが生まれました"
    r = c.chat(ChatRequest(message=message, today=dt.date(2026, 11, 26)))
    assert r.life_events == ["birth"]
    raw = str(c.sessions.raw_rows())
    for personal in ("山田", "太郎", "090", "1234-5678", "生まれました"):
        assert personal not in raw


def test_expired_sessions_are_gone(concierge_factory: object) -> None:
    c: Concierge = concierge_factory(ttl_hours=1e-9)  # type: ignore[operator]
    r = c.chat(ChatRequest(message="世田谷区で子どもが生まれました", today=dt.date(2026, 11, 26)))
    assert c.sessions.get(r.session_id) is None
    assert c.sessions.purge_expired() >= 1
    assert c.sessions.raw_rows() == []
