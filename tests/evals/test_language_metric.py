"""The language-consistency metric of `concierge eval`: English throughout, やさしい日本語 with 小学校 kanji."""

from __future__ import annotations

import pytest

from bot.contract import ChatResponse, ProcedureOut
from evals import runner
from evals.cases import Case
from knowledge.catalog import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


CASE = Case.model_validate(
    {"id": "t", "split": "dev", "today": "2026-12-07", "turns": ["x"], "expect": {"life_events": ["birth"]}}
)


def _answer(lang: str, reply: str, title: str, office: str) -> ChatResponse:
    proc = ProcedureOut(id="birth-registration", title=title, office=office)
    return ChatResponse(session_id="s", reply=reply, life_events=["birth"], procedures=[proc], lang=lang)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "reply", "title", "office", "ok"),
    [
        (
            "en",
            "Birth of a child: 1 procedure to do.",
            "Birth registration",
            "Setagaya City: Family-register window (世田谷区役所 区民課)",
            True,
        ),
        (
            "en",
            "Birth of a child：1 procedure(s) to do.",
            "Birth registration",
            "Family-register window",
            False,
        ),
        ("en", "Birth of a child: 1 procedure to do.", "出生届", "Family-register window", False),
        (
            "easy",
            "「あかちゃんが うまれた」ですね。",
            "あかちゃんが うまれたことを とどけます（出生届）",
            "戸籍（こせき）の窓口",
            True,
        ),
        ("easy", "「あかちゃんが うまれた」ですね。", "出生届", "戸籍の窓口", False),
        ("ja", "子どもの誕生ですね。", "出生届", "戸籍の窓口", None),
    ],
)
def test_language_consistency_per_case(
    catalog, lang: str, reply: str, title: str, office: str, ok: bool | None
) -> None:
    r = runner.score_case(
        CASE, _answer(lang, reply, title, office), catalog, known_numbers={"1"}, known_urls=set()
    )
    assert r.language_ok is ok
    assert any("throughout" in f for f in r.failures) == (ok is False)
    summary = runner.aggregate([r], None)
    assert summary["language_consistency"] == (None if ok is None else float(ok))
