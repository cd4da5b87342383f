"""Places outside Tokyo and foreign residents (issue #14, helper h-places).

A move into or out of Tokyo lists the Tokyo end only and names the other end with where to confirm; a move with
both ends outside Tokyo is outside the service area; a station is not a municipality; 「府中市(広島)」 is 広島県府中市;
a foreign national is never asked for a family register (戸籍); a foreign parent's baby needs a status of
residence within 30 days of the birth (入管法22条の2), a Japanese parent's never.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot import gazetteer
from bot.contract import ChatRequest
from bot.planner import move_scope, plan_bundle
from bot.service import Concierge
from bot.understand import ABROAD, OUTSIDE, Understander
from evals.metrics import OUTSIDE_TOKYO_MARKERS, mentions_any
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


# ---- understanding ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "move_from", "move_to", "name"),
    [
        ("府中市(広島)から調布市に引っ越しました", OUTSIDE, "132080", "広島県府中市"),
        ("府中市（広島県）から調布市に引っ越しました", OUTSIDE, "132080", "広島県府中市"),
        ("I moved from Fuchu (Hiroshima) to Chofu.", OUTSIDE, "132080", "広島県府中市"),
        ("府中市(東京)から調布市に引っ越しました", "132063", "132080", None),  # Tokyo's own 府中市 stays
    ],
)
def test_bracketed_prefecture_names_the_municipality_outside_tokyo(
    und: Understander, text: str, move_from: str, move_to: str, name: str | None
) -> None:
    u = und.parse(text, TODAY)
    assert (u.move_from, u.move_to) == (move_from, move_to)
    assert u.places.get("from") == name


@pytest.mark.parametrize(
    "text",
    [
        "渋谷駅の近くの会社で働いています。住まいは川崎市です。",
        "I work near Shibuya Station and live in Kawasaki.",
    ],
)
def test_a_station_is_not_a_municipality(und: Understander, text: str) -> None:
    u = und.parse(text, TODAY)
    assert u.municipality == OUTSIDE
    assert all(m.code == OUTSIDE for m in u.mentions)


def test_where_a_relative_lives_is_not_a_destination(und: Understander) -> None:
    u = und.parse("大阪市に住む父が12月2日に亡くなりました", TODAY)
    assert u.events == ["death"]
    assert (u.municipality, u.move_to) == (OUTSIDE, None)
    assert u.places == {"here": "大阪府大阪市"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("We moved from Chiba to Nerima.", "千葉県"),
        ("I moved from Kawasaki City to Setagaya.", "神奈川県川崎市"),
        ("神奈川から世田谷区に引っ越しました", "神奈川県"),
        ("12月1日に さいたまけん から いたばしくに ひっこしました", "埼玉県"),
    ],
)
def test_prefectures_and_cities_are_named_in_full(und: Understander, text: str, label: str) -> None:
    u = und.parse(text, TODAY)
    assert u.move_from == OUTSIDE
    assert u.places["from"] == label


@pytest.mark.parametrize(
    "text",
    [
        "I'm a foreign resident in Shibuya and I'm moving back to my home country on December 28.",
        "外国籍です。12月25日に母国に帰ります。渋谷区に住んでいます",
    ],
)
def test_a_foreign_national_going_home_moves_abroad(und: Understander, text: str) -> None:
    u = und.parse(text, TODAY)
    assert u.events == ["moving"]
    assert (u.move_from, u.move_to) == ("131130", ABROAD)


def test_living_in_tokyo_is_the_origin_of_a_move_abroad(und: Understander) -> None:
    u = und.parse("来年3月に海外赴任でアメリカに行きます。今は中央区に住んでいます。", TODAY)
    assert (u.move_from, u.move_to) == ("131024", ABROAD)


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        # 海外 and where they live, no direction word: a posting goes abroad
        ("来月15日に海外赴任します。目黒区", ("131105", ABROAD)),
        ("目黒区に住んでいます。来月海外赴任します", ("131105", ABROAD)),
        ("I live in Meguro and will be posted overseas next month", ("131105", ABROAD)),
        # coming back says so
        ("海外赴任から戻りました。目黒区に住みます", (ABROAD, "131105")),
        ("海外赴任を終えて戻ってきました。目黒区に住みます", (ABROAD, "131105")),
    ],
)
def test_abroad_without_a_direction_word(und: Understander, text: str, ends: tuple[str, str]) -> None:
    u = und.parse(text, TODAY)
    assert u.events == ["moving"]
    assert (u.move_from, u.move_to) == ends


def test_im_japanese_is_a_nationality(und: Understander) -> None:
    u = und.parse(
        "I'm Japanese and came back to Japan from London on December 1. I now live in Bunkyo.", TODAY
    )
    assert u.facts["nationality"] == "japanese"
    assert u.move_from == ABROAD


def test_gazetteer_readings() -> None:
    assert gazetteer.reading("神奈川県横浜市") == "かながわけんよこはまし"
    assert gazetteer.reading("埼玉県") == "さいたまけん"
    assert gazetteer.reading("どこでもない") is None


# ---- planning --------------------------------------------------------------------------------------------------
def _ids(catalog: Catalog, events: list[str], facts: dict[str, object], **where: str | None) -> list[str]:
    b = plan_bundle(catalog, events, dict(facts), event_date=dt.date(2026, 12, 1), today=TODAY, **where)
    return [i.procedure.id for i in b.items]


def test_a_move_into_tokyo_lists_the_tokyo_end_only(catalog: Catalog) -> None:
    ids = _ids(catalog, ["moving"], {}, municipality="131121", move_from=OUTSIDE, move_to="131121")
    assert "moving-in-notice" in ids
    assert not {"moving-out-notice", "moving-online-onestop"} & set(ids)


def test_a_move_out_of_tokyo_lists_the_tokyo_end_only(catalog: Catalog) -> None:
    ids = _ids(catalog, ["moving"], {}, municipality="131172", move_from="131172", move_to=OUTSIDE)
    assert "moving-out-notice" in ids
    assert not {"moving-in-notice", "change-of-address-notice", "residence-card-address"} & set(ids)


def test_a_foreign_national_moving_in_lists_no_step_of_the_other_end(catalog: Catalog) -> None:
    ids = _ids(
        catalog,
        ["moving", "foreign-resident"],
        {"nationality": "foreign"},
        municipality="131211",
        move_from=OUTSIDE,
        move_to="131211",
    )
    assert {"moving-in-notice", "residence-card-address"} <= set(ids)
    assert "moving-out-notice" not in ids


def test_a_move_wholly_outside_tokyo_plans_nothing(catalog: Catalog) -> None:
    assert move_scope(OUTSIDE, OUTSIDE) is None
    assert _ids(catalog, ["moving"], {}, move_from=OUTSIDE, move_to=OUTSIDE) == []
    # another event in the same conversation is still planned
    assert "birth-registration" in _ids(catalog, ["birth", "moving"], {}, move_from=OUTSIDE, move_to=OUTSIDE)


def test_no_family_register_is_asked_of_a_foreign_national(catalog: Catalog) -> None:
    # in a death the nationality is the deceased's (EVENT_PERSON_FACTS)
    for facts, shown in (({"nationality": "foreign"}, False), ({"nationality": "japanese"}, True)):
        b = plan_bundle(
            catalog,
            ["death"],
            {},
            municipality="131041",
            event_date=dt.date(2026, 12, 2),
            event_facts={"death": facts},
        )
        docs = {d for i in b.items for d in (i.documents or [])}
        assert ("family-register-certificate" in docs) is shown
        assert ("deceased-family-registers" in docs) is shown


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({"nationality": "foreign", "both_parents_foreign": True}, "applies"),
        # one foreign parent: the baby is Japanese when the other parent is (国籍法2条1号), not yet known
        ({"nationality": "foreign"}, "maybe"),
        ({"nationality": "japanese"}, None),
        ({}, None),
    ],
)
def test_a_foreign_parents_baby_needs_a_status_of_residence(
    catalog: Catalog, facts: dict[str, object], status: str | None
) -> None:
    b = plan_bundle(catalog, ["birth"], facts, municipality="131121", event_date=dt.date(2026, 11, 20))
    item = b.by_id("status-of-residence-birth")
    assert (item.status if item else None) == status
    if item:  # 30 days from the birth: 12-20 is a Sunday, the bureau's next open day is 12-21
        assert item.due is not None and item.due.due == dt.date(2026, 12, 21)


# ---- conversations ---------------------------------------------------------------------------------------------
def _say(c: Concierge, text: str, lang: str | None = None) -> object:
    return c.chat(ChatRequest(message=text, today=TODAY, lang=lang))


def test_a_move_wholly_outside_tokyo_is_outside_the_service_area(concierge: Concierge) -> None:
    r = _say(concierge, "12月1日に横浜市から川崎市に引っ越しました")
    assert r.procedures == []  # type: ignore[attr-defined]
    assert "対象外" in r.reply and "神奈川県横浜市" in r.reply and "神奈川県川崎市" in r.reply  # type: ignore[attr-defined]
    assert "0件" not in r.reply  # type: ignore[attr-defined]
    en = _say(concierge, "I'm moving from Osaka to Kobe next month.")
    assert en.procedures == [] and mentions_any(en.reply, OUTSIDE_TOKYO_MARKERS)  # type: ignore[attr-defined]
    assert "service area" in en.reply  # type: ignore[attr-defined]


def test_the_other_end_of_a_move_is_named_with_where_to_confirm(concierge: Concierge) -> None:
    r = _say(concierge, "12月1日に大阪市北区から北区に引っ越しました")
    ids = [p.id for p in r.procedures]  # type: ignore[attr-defined]
    assert "moving-in-notice" in ids and "moving-out-notice" not in ids
    assert "大阪府大阪市北区の窓口でご確認ください" in r.reply  # type: ignore[attr-defined]
    assert mentions_any(r.reply, OUTSIDE_TOKYO_MARKERS)  # type: ignore[attr-defined]


def test_an_easy_reply_reads_the_place_outside_tokyo(concierge: Concierge) -> None:
    r = _say(concierge, "12がつ1にちに よこはましから めぐろくに ひっこしました")
    assert r.lang == "easy"  # type: ignore[attr-defined]
    assert "神奈川県横浜市（かながわけんよこはまし）" in r.reply  # type: ignore[attr-defined]


def test_a_birth_outside_tokyo_gets_no_tokyo_programme(concierge: Concierge) -> None:
    r = _say(concierge, "渋谷駅の近くの会社で働いています。住まいは川崎市です。12月1日に子どもが生まれました")
    ids = [p.id for p in r.procedures]  # type: ignore[attr-defined]
    assert r.municipality is None and "birth-registration" in ids  # type: ignore[attr-defined]
    assert not [i for i in ids if i.startswith("tokyo-")]
    assert mentions_any(r.reply, OUTSIDE_TOKYO_MARKERS)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("nationality", "listed"), [("foreign", True), ("japanese", False), (None, False)])
def test_a_foreign_nationals_residence_card_is_returned_after_the_death(
    catalog: Catalog, nationality: str | None, listed: bool
) -> None:
    facts = {"nationality": nationality} if nationality else {}
    b = plan_bundle(
        catalog,
        ["death"],
        {},
        municipality="131041",
        event_date=dt.date(2026, 12, 2),
        event_facts={"death": facts},
    )
    item = b.by_id("residence-card-return-death")
    assert (item is not None) is listed
    if item:  # 14 days from the day after the death
        assert item.status == "applies" and item.due is not None and item.due.due == dt.date(2026, 12, 16)


@pytest.mark.parametrize(
    ("kana", "latin"),
    [
        ("おおさか", "osaka"),
        ("こうべ", "kobe"),
        ("ふなばし", "funabashi"),
        ("まっちゃ", "matcha"),
        ("ぎょうだ", "gyoda"),
    ],
)
def test_romaji_of_a_reading(kana: str, latin: str) -> None:
    assert gazetteer.romaji(kana) == latin


@pytest.mark.parametrize(
    ("text", "end", "label"),
    [
        ("I moved from Funabashi to Setagaya on December 1.", "from", "千葉県船橋市"),
        ("I moved from Hakone to Meguro.", "from", "神奈川県箱根町"),
        ("I am moving from Shibuya to Fujisawa city next month.", "to", "神奈川県藤沢市"),
        ("ちばけんから ねりまくに ひっこしました", "from", "千葉県"),
    ],
)
def test_any_municipality_in_romaji_or_a_prefecture_in_kana(
    und: Understander, text: str, end: str, label: str
) -> None:
    u = und.parse(text, TODAY)
    assert getattr(u, f"move_{end}") == OUTSIDE
    assert u.places[end] == label


def test_a_hyphenated_tokyo_address_is_not_a_town(und: Understander) -> None:
    u = und.parse("I live in Minami-Aoyama, Minato.", TODAY)
    assert u.municipality == "131032" and not u.places


@pytest.mark.parametrize(
    ("text", "move_from", "move_to"),
    [
        ("中国籍です。12月26日に帰国する予定です。新宿区に住んでいます", "131041", ABROAD),
        ("外国籍です。来月帰国します。港区に住んでいます", "131032", ABROAD),
        ("日本人です。12月1日に帰国しました。文京区に住んでいます", ABROAD, "131059"),
    ],
)
def test_kikoku_depends_on_the_nationality(
    und: Understander, text: str, move_from: str, move_to: str
) -> None:
    u = und.parse(text, TODAY)
    assert u.events == ["moving"]
    assert (u.move_from, u.move_to) == (move_from, move_to)


@pytest.mark.parametrize(
    ("text", "municipality", "move_from", "move_to"),
    [
        ("東京都外", OUTSIDE, None, None),  # not 京都府
        ("東京都北区から大阪市へ引っ越します", "131172", "131172", OUTSIDE),
        ("京都から東京に引っ越しました。今は杉並区です", "131156", OUTSIDE, "131156"),
        ("とうきょうとの そとから ねりまくに きました", "131202", OUTSIDE, "131202"),
    ],
)
def test_tokyo_itself_hides_kyoto_written_inside_it(
    und: Understander, text: str, municipality: str, move_from: str | None, move_to: str | None
) -> None:
    u = und.parse(text, TODAY)
    assert (u.municipality, u.move_from, u.move_to) == (municipality, move_from, move_to)
    assert "京都府" not in u.places.values() or text.startswith("京都")


def test_outside_tokyo_as_an_answer_is_said_back(concierge: Concierge) -> None:
    first = _say(concierge, "12月1日に練馬区に引っ越しました")
    r = concierge.chat(ChatRequest(message="東京都外", session_id=first.session_id, today=TODAY))  # type: ignore[attr-defined]
    assert r.move_from == "東京都外" and "京都府" not in r.reply
    assert "引っ越し元は東京都外ですね" in r.reply
    assert "moving-out-notice" not in [p.id for p in r.procedures]
