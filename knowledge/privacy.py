"""Redaction of personal data before anything is logged or stored.

My Number (12 digits with a valid check digit), phone numbers and e-mail addresses are replaced by placeholders.

Example::

    >>> redact("番号は123456789018、電話090-1234-5678、a.b@example.jp です")
    '番号は[個人番号]、電話[電話番号]、[メール] です'
"""

from __future__ import annotations

import logging
import re
import unicodedata

_DIGITS12 = re.compile(r"(?<!\d)(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Japanese phone numbers: mobile/IP (0[5789]0), landlines with area codes, free dial, +81 forms.
_PHONE = re.compile(
    r"(?<![\d-])(?:\+81[ -]?\(?0?\)?|0)(?:\d{1,4}[ -]?\(?\d{1,4}\)?[ -]?\d{3,4}|[5789]0[ -]?\d{4}[ -]?\d{4}|120[ -]?\d{3}[ -]?\d{3})(?![\d-])"
)


def my_number_valid(digits: str) -> bool:
    """Check digit of the 12-digit individual number (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令)."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(c) for c in digits[:11]]
    total = 0
    for n in range(1, 12):
        p = body[11 - n]
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    check = 0 if r <= 1 else 11 - r
    return check == int(digits[11])


def redact(text: str) -> str:
    """Replace My Numbers, e-mail addresses and phone numbers in ``text``."""
    text = unicodedata.normalize("NFKC", text)

    def my_number(m: re.Match[str]) -> str:
        return "[個人番号]" if my_number_valid("".join(m.groups())) else m.group(0)

    text = _DIGITS12.sub(my_number, text)
    text = _EMAIL.sub("[メール]", text)
    return _PHONE.sub("[電話番号]", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as is, never dropped
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info:  # a traceback may quote resident input too: format it now, redacted
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (default: root), so third-party records are covered too."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
