"""The rendering layer: the same planned bundle in ja, easy (やさしい日本語) and en, table-driven."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.contract import ChatResponse, ProcedureOut
from bot.planner import Bundle, plan_bundle
from bot.render import (
    MESSAGES,
    Renderer,
    choose_lang,
    detect_lang,
    format_date,
    strip_readings,
    with_readings,
)
from bot.sessions import SessionState
from evals import metrics as M
from knowledge.catalog import Catalog, load_catalog


def hard_kanji(text: str) -> list[str]:
    """Kanji runs beyond 小学校 kanji without a reading (the evaluation's own check)."""
    return M.non_easy_kanji(text)


def japanese_outside_brackets(text: str) -> str:
    return "".join(M.japanese_outside_brackets(text))


def consistent(text: str, lang: str) -> bool:
    return not M.language_problems([text], lang)


TODAY = dt.date(2026, 12, 7)
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# (life events, municipality, event date, facts, move_from, move_to)
BUNDLES = {
    "birth-setagaya": (["birth"], "131121", dt.date(2026, 11, 20), {}, None, None),
    "death-minato-far": (["death"], "131032", dt.date(2026, 12, 5), {"received_pension": True}, None, None),
    "move-setagaya-nakano": (["moving"], "131148", dt.date(2026, 12, 1), {}, "131121", "131148"),
    "care-nerima": (["care"], "131202", None, {}, None, None),
    "divorce-no-place": (["divorce"], None, dt.date(2027, 1, 15), {"has_children": True}, None, None),
    "job-loss-hachioji": (["job-loss"], "132012", dt.date(2026, 11, 30), {}, None, None),
    "pregnancy-kunitachi": (["pregnancy"], "132152", None, {}, None, None),
    "foreign-resident": (["foreign-resident"], "131130", dt.date(2026, 12, 1), {}, None, None),
    "turning-75": (["turning-75"], "131016", dt.date(2027, 3, 3), {}, None, None),
}


def _plan(catalog: Catalog, name: str) -> tuple[Bundle, SessionState]:
    events, muni, day, facts, move_from, move_to = BUNDLES[name]
    bundle = plan_bundle(
        catalog, events, facts, municipality=muni, move_from=move_from, move_to=move_to, event_date=day
    )
    state = SessionState(
        id="t",
        events=events,
        municipality=muni,
        event_date=day,
        facts=facts,
        move_from=move_from,
        move_to=move_to,
    )
    return bundle, state


def _card_texts(p: ProcedureOut) -> list[str]:
    out = [p.title, p.office, *p.documents, p.summary or "", p.why or "", p.conditional or ""]
    if p.deadline:
        out += [p.deadline.text, p.deadline.explanation or ""]
    out += [a.label for a in p.amounts]
    return out


def _everything(r: Renderer, catalog: Catalog, name: str) -> tuple[str, list[str]]:
    """The reply text and every other string the resident sees for bundle ``name`` (not page titles)."""
    bundle, state = _plan(catalog, name)
    procs = [r.procedure(it) for it in bundle.items]
    questions = [r.question(q, state.events) for ev in state.events for q in catalog.events[ev].questions]
    reply = r.summary(state, procs, questions[:1])
    texts = [t for p in procs for t in _card_texts(p)]
    texts += r.checklist(bundle) + [m.title for m in r.milestones(bundle)]
    texts += [m.text or "" for m in r.milestones(bundle)]
    texts += questions
    for q in {q for ev in state.events for q in catalog.events[ev].questions}:
        texts += [x.label for x in r.quick_replies(q, state)]
    texts += [
        r.title(state.events, state.municipality),
        r.place(state.move_from) or "",
        r.place(state.move_to) or "",
    ]
    resp = ChatResponse(
        session_id="t",
        reply=reply,
        procedures=procs,
        checklist=r.checklist(bundle),
        milestones=r.milestones(bundle),
        lang=r.lang,
    )
    # page titles on source lines are the pages' own words, quoted with their URL
    terminal = "\n".join(line for line in r.terminal(resp).split("\n") if "http" not in line)
    return reply, [*texts, terminal]


@pytest.mark.parametrize("name", list(BUNDLES))
def test_english_is_english_throughout(catalog: Catalog, name: str) -> None:
    reply, texts = _everything(Renderer(catalog, "en", TODAY), catalog, name)
    for text in [reply, *texts]:
        assert not japanese_outside_brackets(text), text
        assert "(s)" not in text, text
        assert not ISO.search(text), text
        assert "：" not in text, text


@pytest.mark.parametrize("name", list(BUNDLES))
def test_easy_uses_kana_or_simple_kanji(catalog: Catalog, name: str) -> None:
    reply, texts = _everything(Renderer(catalog, "easy", TODAY), catalog, name)
    for text in [reply, *texts]:
        assert not hard_kanji(text), (hard_kanji(text), text)
        assert not ISO.search(text), text
    assert "てつづき" in reply


@pytest.mark.parametrize("name", list(BUNDLES))
def test_the_same_bundle_in_three_languages(catalog: Catalog, name: str) -> None:
    bundle, _state = _plan(catalog, name)
    cards = {
        lang: [Renderer(catalog, lang, TODAY).procedure(it) for it in bundle.items]
        for lang in ("ja", "easy", "en")
    }
    # the same procedures, dates, links and sources in every language; only the words differ
    for field in ("id", "online_url", "life_event", "step", "visit"):
        assert [getattr(p, field) for p in cards["ja"]] == [getattr(p, field) for p in cards["en"]]
        assert [getattr(p, field) for p in cards["ja"]] == [getattr(p, field) for p in cards["easy"]]

    def sources(lang: str) -> list[list[tuple]]:  # the badge is words; who published what is the same
        return [
            [(s.url, s.publisher, s.kind, s.page_date, s.reference) for s in p.sources] for p in cards[lang]
        ]

    assert sources("ja") == sources("en") == sources("easy")
    assert [p.deadline.due if p.deadline else None for p in cards["ja"]] == [
        p.deadline.due if p.deadline else None for p in cards["easy"]
    ]
    for ja, easy, en, item in zip(cards["ja"], cards["easy"], cards["en"], bundle.items, strict=True):
        assert ja.title == item.procedure.title.ja
        assert en.title == item.procedure.title.en
        # easy: Text.easy with the official name (readings added) to say at the window; else the Japanese
        # with readings
        title = item.procedure.title
        if title.easy:
            assert easy.title == f"{title.easy}（{with_readings(title.ja.split('（')[0])}）"
        else:
            assert easy.title == with_readings(title.ja)
        assert (ja.conditional is None) == (en.conditional is None) == (easy.conditional is None)


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (dt.date(2026, 12, 14), "ja", "12月14日"),
        (dt.date(2031, 12, 5), "ja", "2031年12月5日"),
        (dt.date(2027, 1, 4), "easy", "2027年1月4日"),
        (dt.date(2026, 12, 14), "easy", "12月14日"),
        (dt.date(2026, 12, 14), "en", "14 December 2026"),
        (dt.date(2031, 12, 5), "en", "5 December 2031"),
    ],
)
def test_dates_carry_the_year_unless_this_year(day: dt.date, lang: str, expected: str) -> None:
    assert format_date(day, lang, TODAY) == expected  # type: ignore[arg-type]


def test_far_deadline_in_the_summary_shows_its_year(catalog: Catalog) -> None:
    """「未支給年金の請求：2031年12月5日まで」, not 「12月5日まで」 (issue #14)."""
    bundle, state = _plan(catalog, "death-minato-far")
    texts = {}
    for lang in ("ja", "easy", "en"):
        r = Renderer(catalog, lang, TODAY)  # type: ignore[arg-type]
        texts[lang] = r.summary(state, [r.procedure(it) for it in bundle.items], [])
    assert "未支給年金の請求：2031年12月5日まで" in texts["ja"]
    assert "死亡届：12月11日まで" in texts["ja"]  # this year's: no year
    assert "2031年12月5日まで" in texts["easy"]
    assert "by 5 December 2031" in texts["en"] and "by 11 December 2026" in texts["en"]


def test_overdue_deadline_is_not_shown_as_ahead(catalog: Catalog) -> None:
    bundle, state = _plan(catalog, "birth-setagaya")
    r = Renderer(catalog, "ja", dt.date(2027, 2, 1))
    reply = r.summary(state, [r.procedure(it) for it in bundle.items], [])
    assert "・出生届：2026年12月3日まで（期限を過ぎています）" in reply


@pytest.mark.parametrize(
    ("fact", "events", "forbidden", "required"),
    [
        ("insurance", ["birth"], ("亡", "died", "death", "なくな"), ()),
        ("insurance", ["death"], (), ("亡くなった方",)),
        ("person_age", ["turning-65"], ("亡", "died", "介護"), ()),
        ("person_age", ["care"], ("亡",), ("介護",)),
        ("household_head", ["moving"], ("亡", "died"), ()),
    ],
)
def test_questions_fit_the_conversation(
    catalog: Catalog, fact: str, events: list[str], forbidden: tuple[str, ...], required: tuple[str, ...]
) -> None:
    texts = [Renderer(catalog, lang, TODAY).question(fact, events) for lang in ("ja", "easy", "en")]  # type: ignore[arg-type]
    assert not any(w in t for w in forbidden for t in texts), texts
    assert all(w in texts[0] for w in required), texts
    assert consistent(texts[1], "easy") and consistent(texts[2], "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("あかちゃん うまれた", "easy"),
        ("こくみんけんこうほけん です", "easy"),
        ("ちちが なくなりました", "easy"),
        ("12月1日に こどもが うまれました", "easy"),
        ("子どもが うまれました。せたがやく に すんで います", "easy"),
        ("先週、世田谷区で子どもが生まれました", "ja"),
        (
            "立川市に すんで います。 子どもが 生まれました。 しゅっしょうとどけは 何日までに 出しますか。",
            "easy",
        ),
        ("豊島区で 土曜日に 子どもの しゅっしょうとどけを 出せますか。", "easy"),
        ("世田谷区 出生届 期限 窓口", "ja"),  # keywords spaced, no kana: not やさしい日本語
        ("葛飾区に 転入届を 郵送で 出せますか", "ja"),  # kanji beyond 小学校 (葛飾)
        ("世田谷区", "ja"),
        # kana but for a place name in simple kanji, unspaced (issue #14)
        ("こどもがうまれました。世田谷区にすんでいます。12がつ3にちです", "easy"),
        ("あかちゃんが うまれました。 世田谷区 です。 12がつ 3にち です", "easy"),
        ("あかちゃんがうまれました。12月3日です。杉並区です", "easy"),
        ("12月3日に子どもが生まれました", "ja"),
        ("そうなんですね。ところで区役所にはいつ行けばいいですか", "ja"),  # ordinary Japanese, few kanji
        ("父が亡くなったので、母と一緒に区役所に行こうと思っています", "ja"),
        ("はい", "easy"),
        ("My baby was born on 1 December in Shibuya", "en"),
        ("I'm moving from Setagaya to 大阪", "en"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


@pytest.mark.parametrize(
    ("requested", "message", "previous", "turns", "lang"),
    [
        ("easy", "子どもが生まれました", None, 0, "easy"),  # the widget's switch wins
        (None, "あかちゃん うまれた", None, 0, "easy"),
        (None, "世田谷区", "en", 2, "en"),  # a place name keeps an English conversation English
        (None, "11/20", "en", 2, "en"),
        (None, "世田谷区", "easy", 2, "easy"),
        (None, "はい", "ja", 2, "ja"),  # a quick reply does not switch a Japanese conversation to easy
        (None, "国民健康保険", "easy", 3, "easy"),
        (None, "We are moving to Osaka", "ja", 2, "en"),
        (None, "子どもが生まれました", "en", 2, "ja"),
        # issue #14: a short answer keeps the conversation's language; a sentence switches it
        (None, "世田谷区です", "en", 2, "en"),
        (None, "国民健康保険です。", "en", 2, "en"),
        (None, "OK", "ja", 2, "ja"),
        (None, "yes", "ja", 2, "ja"),
        (None, "Can you answer in English?", "ja", 2, "en"),
        # a bare romanised place name answers the question; it does not switch a Japanese conversation
        (None, "Shibuya", "ja", 2, "ja"),
        (None, "Minato-ku", "easy", 2, "easy"),
        (None, "hachioji city", "ja", 2, "ja"),
        (None, "English", "ja", 2, "en"),
        (None, "Shibuya please", "ja", 2, "en"),
    ],
)
def test_choose_lang(
    requested: str | None, message: str, previous: str | None, turns: int, lang: str
) -> None:
    assert choose_lang(requested, message, previous, turns) == lang


def test_readings_follow_words_with_harder_kanji() -> None:
    assert with_readings("戸籍謄本") == "戸籍謄本（こせきとうほん）"
    assert with_readings("出生届") == "出生届"  # 小学校 kanji only: left as it is
    assert hard_kanji("被扶養者になる") == ["被扶養者"]
    assert (
        with_readings("埋葬料5万円") == "埋葬料（まいそうりょう）5万円"
    )  # the reading right after the kanji
    assert hard_kanji(with_readings("被扶養者になる")) == []
    assert japanese_outside_brackets("Moving-in notice (中野区役所 戸籍住民課)") == ""
    assert japanese_outside_brackets("4 procedures：") == "："
    assert strip_readings(with_readings("すこやか福祉センターと戸籍謄本")) == "すこやか福祉センターと戸籍謄本"


def test_a_word_the_dictionary_knows_is_read_whole_even_when_split_in_context() -> None:
    # Sudachi reads 偶数月 as 偶(たま)/数/月; 偶数 is one dictionary word, ぐうすう
    assert with_readings("偶数月に支給します").startswith("偶数月（ぐうすう")
    assert with_readings("被保険者") == "被保険者（ひほけんしゃ）"


def test_every_message_has_three_languages_and_easy_is_easy() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"ja", "easy", "en"}, key
        assert consistent(texts["easy"], "easy"), (key, texts["easy"])
        assert consistent(texts["en"], "en"), (key, texts["en"])


def test_easy_quick_replies_use_the_options_easy_wording(catalog: Catalog) -> None:
    state = SessionState(id="t", events=["birth"])
    labels = [q.label for q in Renderer(catalog, "easy", TODAY).quick_replies("insurance", state)]
    # the option's やさしい日本語 wording (FactOption.easy), not its Japanese with readings
    assert "かぞくの ふように 入って いる" in labels
    assert "家族の扶養（ふよう）に入っている" not in labels
    assert all(not hard_kanji(x) for x in labels)


def test_an_easy_choice_without_its_own_wording_falls_back_to_readings(catalog: Catalog) -> None:
    option = catalog.facts["insurance"].options[-1].model_copy(update={"easy": None})
    label = Renderer(catalog, "easy", TODAY).option_label(option)
    assert label == "家族の扶養（ふよう）に入っている"
    assert strip_readings(label) == "家族の扶養に入っている"  # what the widget sends


def test_catalog_easy_texts_are_used(catalog: Catalog) -> None:
    with_easy = [p for p in catalog.procedures.values() if p.title.easy]
    assert len(with_easy) > 80
    r = Renderer(catalog, "easy", TODAY)
    assert all(r.text(p.title) == p.title.easy for p in with_easy)
    assert (
        r.procedure_title(catalog.procedures["birth-registration"].title)
        == "あかちゃんが うまれたことを とどけます（出生届）"
    )
    assert r.event_names(["birth"]) == [catalog.events["birth"].name.easy]
