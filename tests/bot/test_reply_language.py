"""Conversations in the resident's language: kana-only / やさしい日本語 in, easy replies out; English throughout."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.contract import ChatRequest, ChatResponse
from bot.render import detect_lang, strip_readings
from bot.service import Concierge
from evals import language_sweep
from evals import metrics as M


def hard_kanji(text: str) -> list[str]:
    """Kanji runs beyond 小学校 kanji without a reading (the evaluation's own check)."""
    return M.non_easy_kanji(text)


def japanese_outside_brackets(text: str) -> str:
    return "".join(M.japanese_outside_brackets(text))


def consistent(text: str, lang: str) -> bool:
    return not M.language_problems([text], lang)


TODAY = dt.date(2026, 12, 7)
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def ask(c: Concierge, message: str, session: str | None = None, **kw: object) -> ChatResponse:
    return c.chat(ChatRequest(message=message, session_id=session, today=TODAY, **kw))  # type: ignore[arg-type]


def shown(resp: ChatResponse) -> list[str]:
    """Every text the resident sees in a reply except quoted page titles and snippets."""
    out = [resp.reply, *resp.follow_up, *resp.checklist, *(q.label for q in resp.quick_replies)]
    out += [m.title for m in resp.milestones] + [m.text or "" for m in resp.milestones]
    for p in resp.procedures:
        out += [p.title, p.office, *p.documents, p.why or "", p.conditional or "", p.summary or ""]
        out += [a.label for a in p.amounts]
        if p.deadline:
            out += [p.deadline.text, p.deadline.explanation or ""]
    out += [x for x in (resp.move_from, resp.move_to) if x]
    return out


@pytest.mark.parametrize(
    "message",
    ["あかちゃん うまれた", "ちちが なくなりました", "ひっこし します", "12月1日に こどもが うまれました"],
)
def test_kana_only_message_gets_an_easy_reply(concierge: Concierge, message: str) -> None:
    r = ask(concierge, message)
    assert r.lang == "easy"
    assert r.procedures
    for text in shown(r):
        assert not hard_kanji(text), (hard_kanji(text), text)
    # the catalog's やさしい日本語 titles are what the cards show
    cat = concierge.catalog
    for p in r.procedures:
        proc = cat.procedure(p.id, r.municipality_code)
        if proc.title.easy:  # then the official name, the word to use at the window
            assert p.title.startswith(proc.title.easy + "（")


def test_easy_conversation_stays_easy_through_short_answers(concierge: Concierge) -> None:
    r1 = ask(concierge, "あかちゃん が うまれました")
    assert r1.lang == "easy" and r1.follow_up
    r2 = ask(concierge, "世田谷区", r1.session_id)  # a place name alone keeps the conversation's language
    assert r2.lang == "easy" and r2.municipality == "世田谷区"
    assert "世田谷区で する てつづきは" in r2.reply
    assert all(not hard_kanji(t) for t in shown(r2))


def test_easy_can_be_chosen_explicitly(concierge: Concierge) -> None:
    r = ask(concierge, "先週、世田谷区で子どもが生まれました", lang="easy")
    assert r.lang == "easy"
    assert any(p.title == "あかちゃんが うまれたことを とどけます（出生届）" for p in r.procedures)
    assert r.reply.startswith("「あかちゃんが うまれた」ですね。")
    assert all(not hard_kanji(t) for t in shown(r))


def test_english_replies_are_english_throughout(concierge: Concierge) -> None:
    r = ask(concierge, "My baby was born on 1 December in Shibuya")
    assert r.lang == "en"
    for text in shown(r):
        assert not japanese_outside_brackets(text), text
        assert "(s)" not in text and "：" not in text, text
        assert not ISO.search(text), text
    assert re.search(r": \d+ procedures to do", r.reply)
    assert "by 14 December 2026" in r.reply  # 戸籍法: the birth day counts; a date in words


def test_english_insurance_question_in_a_birth_does_not_mention_a_death(concierge: Concierge) -> None:
    r = ask(concierge, "We had a baby in Setagaya on 1 December")
    asked = list(r.follow_up)
    session = r.session_id
    for _ in range(4):  # answer whatever is asked until the insurance question comes
        if any("insurance" in q for q in asked):
            break
        r = ask(concierge, "skip", session, lang="en")
        asked += r.follow_up
    question = next(q for q in asked if "insurance" in q)
    assert not re.search(r"die|death", question, re.I), question


def test_japanese_birth_insurance_question_does_not_mention_a_death(concierge: Concierge) -> None:
    r = ask(concierge, "2026年12月1日に世田谷区で子どもが生まれました")
    asked = list(r.follow_up)
    for _ in range(4):
        if any("健康保険" in q for q in asked):
            break
        r = ask(concierge, "スキップ", r.session_id)
        asked += r.follow_up
    question = next(q for q in asked if "健康保険" in q)
    assert "亡" not in question


def test_far_deadline_shows_its_year(concierge: Concierge) -> None:
    """「未支給年金の請求：2031年12月5日まで」 for a death on 2026-12-05, asked on 2026-12-07 (issue #14)."""
    r = ask(concierge, "2026年12月5日に港区で父が亡くなりました。父は年金を受け取っていました")
    assert "未支給年金の請求：2031年12月5日まで" in r.reply
    assert "死亡届：12月11日まで" in r.reply


def test_terminal_text_follows_the_language(concierge: Concierge) -> None:
    r = ask(concierge, "My baby was born on 1 December in Shibuya")
    text = concierge.render_text(r)
    lines = [line for line in text.split("\n") if "http" not in line]
    assert not japanese_outside_brackets("\n".join(lines))
    assert "What to bring:" in text and "14 December 2026" in text


def test_easy_question_outside_the_catalog_gets_an_easy_answer(concierge: Concierge) -> None:
    r = ask(concierge, "きょうの ばんごはん なにが いい")
    assert r.lang == "easy" and not r.procedures
    assert "こたえられません" in r.reply and not hard_kanji(r.reply)


def test_easy_move_fields_stay_plain_names(concierge: Concierge) -> None:
    r = ask(concierge, "せたがやく から しぶやく に ひっこし します")
    assert r.lang == "easy"
    # the contract's data fields carry names, not readings; the reply text has the reading
    assert (r.move_from, r.move_to) == ("世田谷区", "渋谷区")
    assert "渋谷区（しぶやく）で する てつづきは" in r.reply
    abroad = ask(concierge, "すみだくから がいこくに ひっこし します")
    assert abroad.move_to == "海外"


def test_easy_quick_reply_label_is_understood_as_the_answer(concierge: Concierge) -> None:
    r = ask(concierge, "あかちゃん が うまれました。せたがやく です")
    for _ in range(5):  # answer the questions until the insurance one comes, as the widget does (with labels)
        if r.quick_replies and r.quick_replies[0].fact == "insurance":
            break
        r = ask(concierge, strip_readings(r.quick_replies[0].label), r.session_id)
    assert r.lang == "easy" and r.quick_replies[0].fact == "insurance"
    dependant = next(q for q in r.quick_replies if q.value == "dependent")
    assert not hard_kanji(dependant.label)
    after = ask(
        concierge, strip_readings(dependant.label), r.session_id
    )  # the widget sends it without readings
    assert after.facts.get("insurance") == "dependent"
    assert after.lang == "easy"


# ---- the systematic sweep (evals/language_sweep.py): a representative slice must show no violation ----------


@pytest.mark.parametrize(
    "message",
    ["せたがや区 から 渋谷区 に ひっこし", "あかちゃんが うまれた。大阪 から 港区 に ひっこし"],
)
def test_spaced_easy_japanese_with_place_names_in_kanji_is_easy(message: str) -> None:
    assert detect_lang(message) == "easy"


@pytest.mark.parametrize("message", ["2026年12月5日に港区で父が亡くなりました", "港区 父が亡くなりました"])
def test_ordinary_japanese_stays_japanese(message: str) -> None:
    assert detect_lang(message) == "ja"


def test_the_skip_quick_reply_label_is_a_skip(concierge: Concierge) -> None:
    r = ask(concierge, "ちちが なくなりました。みなとく です。きょう です")
    assert r.quick_replies, r.reply
    skip = next(q for q in r.quick_replies if q.value == "skip")
    after = ask(concierge, strip_readings(skip.label), r.session_id)  # the widget sends the label
    assert "こたえが わかりませんでした" not in after.reply
    assert r.quick_replies[0].fact not in {q.fact for q in after.quick_replies}


def test_language_sweep_slice_has_no_violation(concierge: Concierge) -> None:
    """Every event x English / kana / やさしい日本語 x the sweep's places (a ward, a city, a village, a move
    between two wards, from outside Tokyo and from abroad), four turns answered with the concierge's own quick
    replies (two choices each); every reply, card, checklist item, question and quick reply passes the
    evaluation's language check."""
    found = language_sweep.sweep(concierge, turns=4, offsets=(0, 1))
    assert not found, "\n".join(map(str, found[:20]))


def test_easy_note_names_the_question_in_easy_words(concierge: Concierge) -> None:
    """「すみません。「亡くなった方が年金を受け取っていた」の こたえが わかりませんでした」: the fact's label in
    やさしい日本語 (Text.easy), not the ordinary wording."""
    r = ask(concierge, "ちちが なくなりました。みなとく です。きょう です")
    for _ in range(6):
        if r.quick_replies and r.quick_replies[0].fact == "received_pension":
            break
        r = ask(concierge, strip_readings(r.quick_replies[0].label), r.session_id)
    assert r.quick_replies[0].fact == "received_pension"
    after = ask(concierge, "ぶどう", r.session_id)
    assert after.lang == "easy"
    assert "「なくなった 人が ねんきんを もらって いた」の こたえが わかりませんでした" in after.reply


def test_english_event_names_are_joined_in_sentence_case(concierge: Concierge) -> None:
    r = ask(concierge, "My father died and we are moving from Setagaya to Minato")
    assert r.lang == "en"
    assert " and death in the family" in r.reply or " and moving house" in r.reply, r.reply
    assert " and Death" not in r.reply and " and Moving" not in r.reply
