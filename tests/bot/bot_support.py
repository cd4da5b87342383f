"""Conversation helpers shared by the bot tests: a multi-turn chat with the real concierge and what its last
response lists, requires and asks."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from bot.contract import ChatRequest, ChatResponse
from bot.service import Concierge, build_concierge
from evals.answer_eval import PAGES_DIR
from ingest.pipeline import run_ingest
from knowledge.settings import get_settings

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


def eval_pages_concierge(root: Path, slugs: list[str]) -> Concierge:
    """The real concierge over an index of the answer evaluation's pages ``slugs`` (evals/answers/pages), ingested
    under ``root`` with the real pipeline; the restated official pages claim their canonical URLs, as
    `concierge eval --answers` trusts them."""
    (root / "pages").mkdir()
    for slug in slugs:
        shutil.copyfile(PAGES_DIR / f"{slug}.html", root / "pages" / f"{slug}.html")
    settings = get_settings(data_dir=root / "var", ingest={"directory_hosts": {str(root / "pages"): ["*"]}})
    rec = run_ingest(settings, [str(root / "pages")], progress=False)
    assert rec.status == "ok", rec.summary()
    return build_concierge(settings)
