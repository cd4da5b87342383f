"""Reply language found systematically (evals/language_sweep.py): the catalog rendered directly in English and
やさしい日本語, direct questions about named procedures, romaji places in Japanese messages, spaced easy Japanese
with place names (issue #14, "Speaking the resident's language")."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.contract import ChatRequest, ChatResponse
from bot.planner import plan_bundle
from bot.render import Renderer, detect_lang
from bot.service import Concierge
from bot.understand import Understander
from evals import language_sweep
from evals import metrics as M
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


def ask(c: Concierge, message: str, session: str | None = None) -> ChatResponse:
    return c.chat(ChatRequest(message=message, session_id=session, today=TODAY))


def code(catalog: Catalog, name: str) -> str:
    m = catalog.municipality_by_name(name)
    assert m is not None, name
    return m.code


# ---- language detection: a place name is a name, not a hard word ----------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "子どもが 来年 小学校に 入ります。 日野市 です",
        "4月から 子どもを ほいくえんに 入れたい です。 江東区 です",
        "にんしん した。せたがや区 です。12月1日",  # a date and a half-kana place name are no hard words
        "けっこん。せたがや区 です。12月1日",
    ],
)
def test_spaced_easy_japanese_with_a_kanji_place_name_is_easy(message: str) -> None:
    assert detect_lang(message) == "easy"


@pytest.mark.parametrize(
    "message", ["来年4月に息子が小学校に入学します。杉並区です。", "要介護認定を受けたいです。母は84歳です"]
)
def test_ordinary_japanese_with_a_place_name_stays_japanese(message: str) -> None:
    assert detect_lang(message) == "ja"


@pytest.mark.parametrize(
    "message", ["What is 児童手当?", "Where do I get the 母子手帳 in 世田谷区?", "住民票 for Shibuya"]
)
def test_english_naming_japanese_terms_is_english(message: str) -> None:
    """A Japanese word in an English message does not switch the reply to Japanese."""
    assert detect_lang(message) == "en"


@pytest.mark.parametrize("message", ["住民票", "出生届 Setagaya", "12月3日にbabyが生まれました"])
def test_japanese_naming_an_english_word_is_not_english(message: str) -> None:
    assert detect_lang(message) != "en"


# ---- a romaji place name inside a Japanese message -------------------------------------------------------------
def test_romaji_ward_beside_kana_is_the_ward(und: Understander, catalog: Catalog) -> None:
    u = und.parse("12月3日にShibuyaで長女が生まれました。手続きを教えてください。", TODAY)
    assert u.municipality == code(catalog, "渋谷区")
    assert u.events == ["birth"]


def test_romaji_move_ends_beside_particles(und: Understander, catalog: Catalog) -> None:
    u = und.parse("12月20日にMinato-kuからMeguro-kuへ引っ越します。", TODAY)
    assert (u.move_from, u.move_to) == (code(catalog, "港区"), code(catalog, "目黒区"))


def test_romaji_place_inside_a_longer_latin_word_is_not_the_place(und: Understander) -> None:
    assert und.parse("Shibuyaxyz", TODAY).municipality is None


def test_japanese_conversation_answered_with_a_romaji_place_stays_japanese(
    concierge: Concierge, catalog: Catalog
) -> None:
    first = ask(concierge, "12月3日に子どもが生まれました。")
    r = ask(concierge, "Shibuya", first.session_id)
    assert (first.lang, r.lang) == ("ja", "ja")
    assert r.municipality_code == code(catalog, "渋谷区")


# ---- a question about a named procedure, answered in やさしい日本語 ---------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "児童手当は いくら ですか",  # the amount with its source
        "児童手当に なにが ひつよう ですか",  # the documents (運転免許証, 振込先 ...)
        "児童育成手当は どこで できますか",  # the window (子育て支援の窓口) and the unconfirmed note
        "児童育成手当は いつまで ですか",  # no legal deadline
    ],
)
def test_easy_answer_about_a_named_procedure_has_readings(concierge: Concierge, question: str) -> None:
    first = ask(concierge, "あかちゃんが うまれた。せたがや区 です。12月1日")
    r = ask(concierge, question, first.session_id)
    assert r.lang == "easy"
    answer = r.reply.split("\n「")[0]  # the answer stands before the bundle's summary
    assert "児童" in answer, r.reply  # the question was answered
    assert not M.language_problems([r.reply], "easy"), r.reply
    assert "ご確認ください" not in r.reply and "法律で決まった" not in r.reply


def test_english_answer_about_a_named_procedure_is_english(concierge: Concierge) -> None:
    first = ask(concierge, "Our baby was born on 1 December in Setagaya.")
    r = ask(concierge, "Where do I apply for the Child Rearing Allowance?", first.session_id)
    assert r.lang == "en"
    assert not M.language_problems([r.reply], "en"), r.reply


# ---- the unconfirmed note on a card ----------------------------------------------------------------------------
def test_unconfirmed_note_in_easy_japanese_has_easy_words_and_readings(catalog: Catalog) -> None:
    """A card whose facts rest only on non-official pages says so in やさしい日本語, the office and municipality
    named with readings (before: 「…は公式ページで確認できていません…多摩市 保健センター…でご確認ください」)."""
    tama = code(catalog, "多摩市")
    bundle = plan_bundle(catalog, ["pregnancy"], {}, municipality=tama, event_date=TODAY, today=TODAY)
    notes = {
        it.procedure.id: Renderer(catalog, "easy", TODAY).procedure(it).unconfirmed for it in bundle.items
    }
    noted = {k: v for k, v in notes.items() if v}
    assert noted, "a 多摩市 pregnancy card rests on a non-official page"
    for note in noted.values():
        assert "公式の ページで まだ たしかめて いません" in note
        assert not M.language_problems([note], "easy"), note
    english = Renderer(catalog, "en", TODAY).procedure(bundle.items[0]).unconfirmed
    assert english is None or not M.language_problems([english], "en")


# ---- the sweeps ------------------------------------------------------------------------------------------------
def test_catalog_sweep_of_the_sample_places_has_no_violation(catalog: Catalog) -> None:
    """Every event in a ward, a city and a village on every sweep date (fresh, overdue, ahead, moved past closed
    days), moves from and to outside Tokyo and abroad; every card as planned, required and conditional, its
    calendar text, checklist, milestones, summary, every question per event, quick replies and messages."""
    found = language_sweep.catalog_sweep(catalog, every_municipality=False)
    assert not found, "\n".join(map(str, found[:20]))


def test_question_sweep_slice_has_no_violation(concierge: Concierge) -> None:
    """Every procedure of a death asked about (deadline, what to bring, how much, where) in English and in
    やさしい日本語: every reply passes the evaluation's language check."""
    found = language_sweep.question_sweep(concierge, ["death"])
    assert not found, "\n".join(map(str, found[:20]))
