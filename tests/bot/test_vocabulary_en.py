"""The English <-> Japanese civic vocabulary (knowledge/vocabulary-en-ja.yaml) and the English path that reads with it
(issue #15, English third pass): everyday English of residents is read as the pages' words by general data, not by
the words of particular evaluation questions."""

from __future__ import annotations

import pytest
import yaml

from bot.answer import asks_yes_no, question_kinds
from bot.gist_en import (
    GLOSSARY,
    KIND_WORDS,
    asked_part,
    catalog_names,
    english_gist,
    hint_score,
    hint_weight,
    japanese_hints,
    states_value,
)
from knowledge.catalog import default_catalog
from knowledge.japanese import EnglishTerms
from knowledge.vocabulary import VOCABULARY_FILE, corrected, one_edit, stem, stems, vocabulary


def test_the_vocabulary_is_one_data_file_with_well_formed_entries() -> None:
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"words", "topics", "kind_words", "asks", "glossary"}
    seen: dict[tuple[str, ...], str] = {}
    for section in ("words", "topics", "kind_words"):
        for item in data[section]:
            assert item["ja"] and all(isinstance(w, str) and w for w in item["ja"]), item
            said = item["en"] if isinstance(item["en"], list) else [item["en"]]
            for phrase in said:
                if phrase.startswith("re:"):
                    continue
                key = stems(phrase)
                assert key, phrase
                # one phrase, one reading: the same English is never given two sets of Japanese words
                assert seen.setdefault(key, " ".join(item["ja"])) == " ".join(item["ja"]), phrase
    # the gist's glossary and the kind words come from the file, not from code
    assert data["glossary"] == GLOSSARY
    assert "必要なもの" in KIND_WORDS and "〒" in KIND_WORDS


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (["move", "moved", "moving", "moves"], True),
        (["apply", "applied", "applies"], True),
        (["family", "families"], True),
        (["notice", "notices", "noticed"], True),
        (["free", "fee"], False),
    ],
)
def test_the_forms_of_a_word_meet(forms: list[str], same: bool) -> None:
    assert (len({stem(f) for f in forms}) == 1) is same


def test_the_longest_phrase_reads_a_word() -> None:
    for q in ("We moved out of Nerima last week", "I am moving out soon", "Can I move out by post?"):
        said = vocabulary().search_japanese(q)
        assert "転出届" in said and "転入" not in said, q
    assert "転入" in vocabulary().search_japanese("We are going to move next month")
    # a word inside a longer name is not read again: 'child support allowance' is not 'child' -> 子ども
    said = vocabulary().search_japanese("child support allowance for a single mum")
    assert said == ["児童扶養手当", "ひとり親"]


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("My grandmother passed away last night", "死亡"),
        ("Can my sister-in-law bring the form for us?", "親族"),
        ("Is the allowance paid if my son lives with a foster family?", "里親"),
        ("I'm Vietnamese. What else do I need?", "外国籍"),
        ("Do I need to enclose a copy of my ID?", "同封"),
        ("Do I need to enclose a copy of my ID?", "本人確認"),
        ("What is the postal code of the ward office?", "〒"),
        ("My mother hadn't paid her premiums", "滞納"),
        ("Which days are busiest at the counter?", "混雑"),
        ("Does it cover December?", "12月"),
        ("Is the office open on Wednesdays?", "水曜"),
        ("Do I need a hanko?", "印鑑"),
        ("Do I need a reservation?", "予約"),
        ("I want to decline the payment", "辞退"),
        ("I gave birth at my parents' home in Osaka (satogaeri)", "里帰り出産"),
    ],
)
def test_everyday_english_is_read_as_the_pages_words_by_the_general_vocabulary(
    question: str, word: str
) -> None:
    assert word in vocabulary().search_japanese(question)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What time does the counter close on Saturday?", "hours"),
        ("Which days are busiest at city hall?", "hours"),
        ("What happens if I'm late with the notice?", "penalty"),
        ("What else do we need for the birth registration?", "documents"),
        ("What do I have to send together with the form?", "documents"),
        ("What is the postal code for mailing the application?", "place"),
        ("Where in city hall do I hand in the claim?", "place"),
        ("Which months does the December payment cover?", "date"),
        ("How much do I get for my second child?", "amount"),
        ("Which days are busiest at city hall?", "weekday"),
        ("What day of the week is the evening window open?", "weekday"),
    ],
)
def test_english_wordings_find_their_kind(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Do I still have to go to the city office before I move?", True),
        ("is it ok if my mother in law takes the form for us?", True),
        ("Does the ward still pay the grant?", True),
        ("Moving out by post. Can I get the certificate back by mail?", True),
        ("What do I need to bring?", False),
        ("Is there an evening window, and until what time?", False),
    ],
)
def test_an_english_question_asking_can_or_must_is_a_yes_no_question(question: str, yes_no: bool) -> None:
    assert asks_yes_no(question) is yes_no


def test_a_condition_tells_the_situation_and_weighs_less_than_what_is_asked() -> None:
    q = "If I send the moving-out online, do I still have to go to the office before I move?"
    assert asked_part(q) == "do I still have to go to the office before I move?"
    # a statement of the situation stays: 'We are both Vietnamese. What else do we need?' asks about it
    assert (
        asked_part("We are both Vietnamese. What else do we need?")
        == "We are both Vietnamese. What else do we need?"
    )
    told = "オンラインで転出届を出せます。"  # names what the condition tells (online, moving out)
    asked = "引越し前に窓口に来る必要はありません。"  # names what is asked (before the move)
    assert hint_weight(q, told) == 2 and hint_weight(q, asked) == 1
    assert hint_score(q, told) == 4 and hint_score(q, asked) == 5  # two told words at 2 each, one asked at 5


def test_a_topic_counts_once_and_not_on_a_page_whose_title_names_it() -> None:
    q = "Can I apply for the funeral benefit by mail?"
    assert (
        hint_weight(q, "葬儀の領収書と葬祭費の申請書を郵送します。") == 2
    )  # funeral once (葬儀/葬祭費), mail once
    assert hint_weight(q, "葬儀の領収書と葬祭費の申請書を郵送します。", "葬祭費の支給") == 1
    # an office the question goes to names no answer: 'city hall' is searched with, not weighed
    assert "市役所" in vocabulary().search_japanese("Is city hall open at night?")
    assert (
        hint_weight("Is city hall open at night?", "東大和市役所の夜間受付は委託されます。") == 1
    )  # 夜間 only


def test_english_search_terms_come_from_the_catalog_then_the_vocabulary() -> None:
    terms = EnglishTerms.from_catalog(default_catalog())
    said = terms.terms("How much is the funeral benefit of national health insurance by mail?")
    assert said[0] == "国民健康保険の葬祭費" and "金額" in said and "郵送" in said


def test_the_gist_says_the_general_words_in_english() -> None:
    assert "foster parents" in english_gist("子どもが里親に委託されているとき")
    assert "a relative" in english_gist("届書を持ってくるのは親族の方でもかまいません。")
    assert "not needed" in english_gist("原則申請不要です。")


def test_japanese_hints_are_the_words_not_the_kind_asked() -> None:
    # 'bring' names the kind asked (必要なもの), 'by post' a word a sentence answering it uses
    assert japanese_hints("What do I need to bring if I apply by post?") == ["郵送"]


def test_which_days_asks_the_weekdays_before_the_hours() -> None:
    assert question_kinds("Which days are busiest at the residents counter?")[:2] == ["weekday", "hours"]
    assert states_value("weekday", "月曜日や金曜日など休日の前後の日は来庁する方が増えます。")
    assert not states_value("weekday", "1日の中では午前11時から午後2時までが混みやすい時間帯です。")


def test_a_municipalitys_own_programs_are_catalog_names_too() -> None:
    catalog = default_catalog()
    # search: the English name of a ward's own program finds its Japanese name
    assert "出産費用の助成" in EnglishTerms.from_catalog(catalog).terms(
        "Is there a childbirth cost subsidy in Chiyoda?"
    )
    # gist: said without the ward the catalog's English name begins with (several wards have the program)
    gist = english_gist("出産費用の助成は港区の制度です。", catalog_names(catalog))
    assert "childbirth cost subsidy" in gist and "Chiyoda" not in gist and "Minato City" in gist


@pytest.mark.parametrize(
    ("a", "b", "one"),
    [
        ("registation", "registration", True),
        ("certifcate", "certificate", True),
        ("recieve", "receive", True),  # two neighbours swapped
        ("alowance", "allowance", True),
        ("deadline", "decline", False),
        ("moving", "moving", False),
    ],
)
def test_one_edit(a: str, b: str, one: bool) -> None:
    assert one_edit(a, b) is one


def test_a_misspelt_word_is_read_as_the_one_word_it_is_one_letter_off() -> None:
    lexicon = vocabulary().lexicon
    assert corrected("birth registation and a certifcate", lexicon) == "birth registration and a certificate"
    # short words and words near two others are left as written (being / bring; dedline: deadline or decline)
    assert corrected("being there, dedline", lexicon) == "being there, dedline"
    assert "出生届" in vocabulary().search_japanese("how long do i have for the birth registation")
    terms = EnglishTerms.from_catalog(default_catalog())
    assert "国民健康保険" in terms.terms("what about the natinal health insurance")
