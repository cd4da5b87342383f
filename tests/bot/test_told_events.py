"""Events told in romaji, a retirement told as leaving work, and a fact that is not an event (issue #14)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import dialogue
from bot.gazetteer import romaji
from bot.sessions import SessionState
from bot.understand import Understander
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


def _events_after_first(catalog: Catalog, und: Understander, text: str) -> list[str]:
    state = SessionState(id="t")
    dialogue.merge(catalog, und, state, und.parse(text, TODAY), None, TODAY)
    return state.events


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("My mother, 81, needs kaigo. She lives in Edogawa-ku.", "care"),
        ("We want to submit the konin todoke on 20 December in Nakano.", "marriage"),
        ("Where do I file the shibou todoke?", "death"),
        ("I am looking for a hoikuen for my son.", "nursery-entry"),
        ("We got a rikon last month.", "divorce"),
    ],
)
def test_an_event_typed_in_romaji_is_read(und: Understander, text: str, event: str) -> None:
    assert und.detect_events(text) == [event]


@pytest.mark.parametrize(
    "text", ["I will take in entry forms", "The deadline is Monday", "I ate in entirety"]
)
def test_romaji_matches_whole_words_only(und: Understander, text: str) -> None:
    assert und.detect_events(text) == []


def test_romaji_keeps_or_drops_long_vowels() -> None:
    assert romaji("しぼう") == "shibo"
    assert romaji("しぼう", long_vowels=True) == "shibou"


@pytest.mark.parametrize(
    "text",
    [
        "11月 30日に ていねんで しごとを やめました",
        "定年で会社を辞めました",
        "I retired and left my job on 30 November",
    ],
)
def test_a_retirement_told_as_leaving_work_is_one_retirement(und: Understander, text: str) -> None:
    assert und.detect_events(text) == ["retirement"]


def test_a_job_loss_alone_stays_a_job_loss(und: Understander) -> None:
    assert und.detect_events("11月30日に会社を辞めました") == ["job-loss"]


@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("I'm a single mother. My baby was born on 3 December in Toshima.", ["birth"]),
        ("シングルマザーです。12月3日に豊島区で子どもが生まれました", ["birth"]),
        ("祖父が12月2日に亡くなりました。後期高齢者医療制度に入っていました。港区です", ["death"]),
        ("I'm a single mother now.", ["divorce"]),  # told alone, the words are the event
        ("12月1日に離婚しました。ひとり親です。練馬区です", ["divorce"]),
    ],
)
def test_a_fact_in_a_first_message_is_not_another_event(
    catalog: Catalog, und: Understander, text: str, events: list[str]
) -> None:
    assert _events_after_first(catalog, und, text) == events


def test_the_fact_behind_the_dropped_event_is_kept(catalog: Catalog, und: Understander) -> None:
    state = SessionState(id="t")
    text = "I'm a single mother. My baby was born on 3 December in Toshima."
    dialogue.merge(catalog, und, state, und.parse(text, TODAY), None, TODAY)
    assert state.facts.get("single_parent") is True


def test_a_leaving_told_before_a_retirement_word_stays_a_job_loss(und: Understander) -> None:
    assert "job-loss" in und.detect_events("会社を退職して退職金をもらいました。税金はどうなりますか？")


def test_a_foreigner_arriving_is_still_the_foreign_resident_event(
    catalog: Catalog, und: Understander
) -> None:
    text = "I came to Japan from Vietnam on April 18 and live in Hachioji. I am a foreigner."
    assert "foreign-resident" in _events_after_first(catalog, und, text)


@pytest.mark.parametrize(
    ("text", "nationality"),
    [
        ("I'm a Vietnamese national and moved from Osaka to Toshima on 1 December.", "foreign"),
        ("We got married on 1 December in Minato. I'm American, my wife is Japanese.", "foreign"),
        ("She is an Indian citizen.", "foreign"),
        ("We are both Chinese.", "foreign"),
        ("I'm Japanese.", "japanese"),
        ("I joined the National Health Insurance.", None),
        ("I am an international student.", None),
    ],
)
def test_a_nationality_said_in_english_is_a_given_fact(
    und: Understander, text: str, nationality: str | None
) -> None:
    assert und.parse(text, TODAY).facts.get("nationality") == nationality


@pytest.mark.parametrize(
    ("text", "employment"),
    [
        ("母は83歳で要介護です。私はパートで働いています。", "employee"),
        ("My mother needs care. I work part-time.", "employee"),
        ("I have a part-time job.", "employee"),
        ("アパートに住んでいます", None),
    ],
)
def test_part_time_work_is_employment(und: Understander, text: str, employment: str | None) -> None:
    assert und.parse(text, TODAY).facts.get("employment") == employment


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I'm 45. My mother, 82, needs care in Nerima.", 82),
        ("私は50歳です。母は85歳で介護が必要です", 85),
        ("わたしは 50さい です。 ははは 85さい です。 かいごが ひつよう", 85),
        ("I'm 67 and my husband passed away on 3 December. He was 72.", 72),
        ("I'm 38 and lost my job.", 38),  # the resident is the person of a job loss
        ("私は45歳で、会社を辞めました。妻は40歳です", 45),
    ],
)
def test_the_residents_own_age_is_not_the_age_of_the_person_cared_for(
    und: Understander, text: str, age: int
) -> None:
    assert und.parse(text, TODAY).facts.get("person_age") == age


def _next_question(catalog: Catalog, state: SessionState) -> str | None:
    from bot.planner import plan_bundle

    bundle = plan_bundle(
        catalog,
        state.events,
        state.facts,
        municipality=state.municipality,
        event_date=state.event_date,
        event_facts=state.event_facts,
    )
    return dialogue.next_question(catalog, state, bundle)


@pytest.mark.parametrize("event", ["divorce", "marriage"])
def test_the_municipality_is_asked_when_its_window_files_the_event(catalog: Catalog, event: str) -> None:
    state = SessionState(id="t", events=[event], event_date=dt.date(2026, 12, 1))
    assert _next_question(catalog, state) == "municipality"
    state.municipality = "131148"
    assert _next_question(catalog, state) != "municipality"


@pytest.mark.parametrize("text", ["ちがいます", "違います", "いいえ、違います"])
def test_chigaimasu_answers_no(catalog: Catalog, und: Understander, text: str) -> None:
    state = SessionState(
        id="t",
        events=["birth"],
        municipality="131121",
        event_date=dt.date(2026, 12, 3),
        pending="single_parent",
    )
    dialogue.merge(catalog, und, state, und.parse(text, TODAY), None, TODAY)
    assert state.facts.get("single_parent") is False


def test_every_question_has_an_easy_wording_in_school_kanji(catalog: Catalog) -> None:
    from evals.metrics import non_easy_kanji

    for fact in catalog.facts.values():
        assert fact.question.easy, fact.id
        assert non_easy_kanji(fact.question.easy) == [], fact.id
