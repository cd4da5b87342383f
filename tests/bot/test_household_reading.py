"""What the resident says of the household, read whole, and required vs conditional on it (issue #14, fourth
pass): the deceased's driving, pets other than a dog, the status of residence only for a baby with no Japanese
parent, the childbirth lump-sum grant's direct payment, a procedure's name asked about after a birth, and the
move's own date next to another event's. Each row failed before the change; conversations run the real concierge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from bot_support import conditional, listed, required, talk

from bot.planner import _counted_from
from bot.service import Concierge
from bot.understand import Understander
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("父は運転はしませんでした", {"deceased_had_licence": False, "drives": None}),
        ("He didn't drive.", {"deceased_had_licence": False}),
        ("母は車の運転をしていました", {"deceased_had_licence": True}),
        ("父は免許を返納していました", {"deceased_had_licence": False}),
        ("免許は返納しました", {"drives": False, "deceased_had_licence": None}),  # the resident's own licence
        ("運転はしません", {"drives": False}),
        ("ペットは猫だけです", {"has_dog": False}),
        ("チワワを飼っています", {"has_dog": True}),
        # one member left after a death: no 世帯主変更届 (it needs two or more aged 15+)
        ("父が亡くなり、母が一人残りました", {"household_members_remaining": 1}),
        ("夫が亡くなり、家族は私と子ども2人が残っています", {"household_members_remaining": None}),
        ("子どもはみんな独立しました", {"has_children": False}),
        ("Our kids are all grown up.", {"has_children": False}),
        ("We only have a cat.", {"has_dog": False}),
        ("病院で直接支払制度を使いました", {"direct_payment_used": True}),
        ("直接支払制度は使っていません", {"direct_payment_used": False}),
        ("病院の直接支払制度は使いませんでした", {"direct_payment_used": False}),
        ("The hospital did not use the direct payment system.", {"direct_payment_used": False}),
        ("夫もベトナム人です。私もベトナム人です", {"nationality": "foreign", "both_parents_foreign": True}),
        ("We are both Nepali nationals.", {"both_parents_foreign": True}),
        ("私は外国人です", {"nationality": "foreign", "both_parents_foreign": None}),
        ("夫婦とも日本人です", {"both_parents_foreign": None}),
        ("ベトナム人夫婦です", {"both_parents_foreign": True}),
        ("子どもの父親もタイ国籍です。私もタイ国籍です", {"both_parents_foreign": True}),
        # another parent named without a nationality says nothing of the baby's
        ("妻も喜んでいます。私はアメリカ人です", {"nationality": "foreign", "both_parents_foreign": None}),
        ("We both work. I am American.", {"both_parents_foreign": None}),
        ("夫婦で引っ越します。私は外国籍です", {"both_parents_foreign": None}),
    ],
)
def test_facts(und: Understander, text: str, facts: dict[str, Any]) -> None:
    got = und.parse(text, TODAY).facts
    for k, v in facts.items():
        assert got.get(k) == v, (k, got)


@pytest.mark.parametrize(
    ("messages", "req", "cond_or_absent", "absent"),
    [
        # a foreign parent alone does not make the baby foreign (国籍法2条1号)
        (["12月3日に港区で子どもが生まれました。私は外国人です"], {"birth-registration"}, {"status-of-residence-birth"}, set()),
        (["私はベトナム人です。夫もベトナム人です。12月1日に新宿区で娘が生まれました"], {"status-of-residence-birth"}, set(), set()),
        # the resident's nationality is not the deceased's
        (["12月3日に夫が亡くなりました。私は外国籍です。大田区です"], {"death-registration"}, {"residence-card-return-death"}, set()),
        (["中国籍の父が12月2日に亡くなりました。江東区です"], {"residence-card-return-death"}, set(), set()),
        # the lump-sum grant is claimed only without the direct payment system (or for a balance)
        (["12月3日に港区で子どもが生まれました。国民健康保険です"], {"nhi-enrollment"}, {"childbirth-lump-sum"}, set()),
        (["12月2日に出産しました。直接支払制度は使っていません。世田谷区です"], {"childbirth-lump-sum"}, set(), set()),
        (["12月3日に中野区で子どもが生まれました", "病院の直接支払制度は使いませんでした"], {"childbirth-lump-sum"}, set(), set()),
        # a question about the grant after a birth is not a pregnancy
        (["12月3日に港区で子どもが生まれました。出産育児一時金はどうなりますか"], {"birth-registration"}, set(), {"pregnancy-notification"}),
        (["父が12月3日に亡くなりました。父は運転はしませんでした。杉並区です"], set(), set(), {"driving-licence-return-death"}),
        (["母が12月2日に亡くなりました。母は車の運転をしていました。世田谷区です"], {"driving-licence-return-death"}, set(), set()),
        (["ペットは猫だけです。12月20日に中野区から杉並区へ引っ越します"], {"moving-in-notice"}, set(), {"dog-registration-change"}),
    ],
)  # fmt: skip
def test_bundle(
    concierge: Concierge, messages: list[str], req: set[str], cond_or_absent: set[str], absent: set[str]
) -> None:
    r = talk(concierge, *messages)[-1]
    assert req <= required(r), sorted(required(r))
    assert not cond_or_absent & required(r)
    assert not absent & listed(r)


def test_lump_sum_conditional_names_the_direct_payment(concierge: Concierge) -> None:
    r = talk(concierge, "12月3日に港区で子どもが生まれました。国民健康保険です")[-1]
    assert "childbirth-lump-sum" in conditional(r)
    assert "pregnancy" not in r.life_events


def test_the_move_keeps_its_own_date(concierge: Concierge) -> None:
    """「来月引っ越す予定で、先週結婚しました」: the marriage's week is not the move's date."""
    r = talk(concierge, "来月引っ越す予定で、先週結婚しました。品川区から大田区へ引っ越します")[-1]
    assert set(r.life_events) == {"moving", "marriage"}
    due = {p.id: p.deadline.due for p in r.procedures if p.deadline}
    assert due.get("moving-in-notice") is None


@pytest.mark.parametrize(
    ("event_dates", "events", "want"),
    [
        ({"marriage": dt.date(2026, 11, 30)}, ["moving", "marriage"], None),  # the move is undated
        ({"marriage": dt.date(2026, 11, 30), "moving": dt.date(2027, 1, 10)}, ["moving", "marriage"], dt.date(2027, 1, 10)),
        (None, ["marriage"], dt.date(2026, 11, 30)),  # a marriage alone: its move is its day
    ],
)  # fmt: skip
def test_counted_from_move(
    catalog: Catalog, event_dates: dict[str, dt.date] | None, events: list[str], want: dt.date | None
) -> None:
    day = dt.date(2026, 11, 30)
    assert _counted_from(catalog, "moving-in-notice", day, event_dates, None, events) == want
