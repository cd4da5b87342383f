"""Conversation helpers shared by the bot tests: a multi-turn chat with the real concierge and what its last
response lists, requires and asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.contract import ChatRequest, ChatResponse
from bot.service import Concierge

TODAY = dt.date(2026, 12, 7)


def talk(c: Concierge, *messages: str, today: dt.date = TODAY, **kw: Any) -> list[ChatResponse]:
    """Send ``messages`` as one conversation (each turn in the session the first opened); every response."""
    out: list[ChatResponse] = []
    sid = None
    for m in messages:
        r = c.chat(ChatRequest(message=m, session_id=sid, today=today, **kw))
        sid = r.session_id
        out.append(r)
    return out


def required(r: ChatResponse) -> set[str]:
    return {p.id for p in r.procedures if not p.conditional}


def conditional(r: ChatResponse) -> set[str]:
    return {p.id for p in r.procedures if p.conditional}


def listed(r: ChatResponse) -> set[str]:
    return {p.id for p in r.procedures}


def asked(r: ChatResponse) -> set[str]:
    return {q.fact for q in r.quick_replies}
