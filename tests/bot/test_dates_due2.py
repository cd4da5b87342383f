"""Dates that went unread or misread (issue #14, due-date cases of evals/cases/due-dev-2.yaml): month-edge words
with 月 (先月の月末), numeric dates written day first or with dots, weekdays without a week word, kana numbers, and
a date given in a later turn read in the tense the event was told in."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import dialogue
from bot.dates import parse_date, tense
from bot.sessions import SessionState
from bot.understand import Understander
from knowledge.catalog import Catalog

D = dt.date
WED = D(2026, 12, 9)  # a Wednesday

# (text, today, expected date, approximate)
CASES: list[tuple[str, dt.date, dt.date, bool]] = [
    # month-edge words that repeat 月 after the month word
    ("先月の月末に生まれました", WED, D(2026, 11, 30), False),
    ("先月の月初に生まれました", WED, D(2026, 11, 1), True),
    ("先月の月初めに亡くなりました", WED, D(2026, 11, 1), True),
    ("今月の月頭に引っ越しました", WED, D(2026, 12, 1), True),
    ("先月の月末日に退職しました", D(2027, 3, 3), D(2027, 2, 28), False),
    # numeric dates: month first (Japan), day first when the first number cannot be a month, with a year
    ("11.30に生まれました", WED, D(2026, 11, 30), False),
    ("11-30に生まれました", WED, D(2026, 11, 30), False),
    ("My mother died on 30/11.", WED, D(2026, 11, 30), False),
    ("born 30/11/2026", WED, D(2026, 11, 30), False),
    ("30.11.2026に亡くなりました", WED, D(2026, 11, 30), False),
    ("Our daughter was born on 30.11.2026. We live in Shinjuku.", WED, D(2026, 11, 30), False),
    ("She died on 11/30/2026", WED, D(2026, 11, 30), False),
    ("born 1/12/2026", WED, D(2026, 12, 1), False),  # 1 Dec or 12 Jan: the nearer to today
    # a weekday without a week word: the latest one when told as past, the next one when still to come
    ("金曜日に亡くなりました", WED, D(2026, 12, 4), False),
    ("月曜に生まれました", WED, D(2026, 12, 7), False),
    ("前の金曜日に亡くなりました", WED, D(2026, 12, 4), False),
    ("金曜日に引っ越します", WED, D(2026, 12, 11), False),
    (
        "金曜日に亡くなったのですが何をすればいいですか",
        WED,
        D(2026, 12, 4),
        False,
    ),  # a question telling the event
    ("She was born on Friday so what do I do now?", WED, D(2026, 12, 4), False),
    ("She died on Friday", WED, D(2026, 12, 4), False),
    ("We are moving on Friday", WED, D(2026, 12, 11), False),
    ("He passed away on Monday last week", WED, D(2026, 11, 30), False),
    ("She was born the Friday before last", WED, D(2026, 11, 27), False),
    ("My father died a fortnight ago", WED, D(2026, 11, 25), True),
    # kana numbers and half a year
    ("じゅうにがつ いつかに うまれました", WED, D(2026, 12, 5), False),
    ("じゅういちがつ にじゅうよっかに なくなりました", WED, D(2026, 11, 24), False),
    ("せんげつの じゅうごにちに うまれました", WED, D(2026, 11, 15), False),
    ("いっしゅうかんまえに ひっこしました", WED, D(2026, 12, 2), True),
    ("半年前に退職しました", WED, D(2026, 6, 9), True),
    # a day alone followed by です, and a day alone told as still to come (already gone this month: next month's)
    ("25日です", WED, D(2026, 11, 25), False),
    # a year said before a month edge or a month alone, nth weekdays, the weekend of a week word
    ("昨年11月末に亡くなりました", WED, D(2025, 11, 30), False),
    ("2025年11月の下旬に亡くなりました", WED, D(2025, 11, 25), True),
    ("令和7年12月に亡くなりました", WED, D(2025, 12, 1), True),
    ("12月末に亡くなりました", WED, D(2025, 12, 31), False),  # told as past: not this year's 12/31, ahead
    ("11月の第2日曜日に亡くなりました", WED, D(2026, 11, 8), False),
    ("11月最後の日曜日に亡くなりました", WED, D(2026, 11, 29), False),
    ("このあいだの土曜日に亡くなりました", WED, D(2026, 12, 5), False),
    ("先週の土日に亡くなりました", WED, D(2026, 12, 5), True),
    # English: ordinal words, "the Nth of <month>", weekday and date together, edges of this/last month
    ("She died on the first of December", WED, D(2026, 12, 1), False),
    ("She died on December first", WED, D(2026, 12, 1), False),
    ("He was born on the twenty-first of November", WED, D(2026, 11, 21), False),
    ("She died on the 21st of November", WED, D(2026, 11, 21), False),
    ("She died on Tuesday the 1st", WED, D(2026, 12, 1), False),
    ("She died on Tuesday, December 1", WED, D(2026, 12, 1), False),
    ("She died late last month", WED, D(2026, 11, 25), True),
    ("She was born early this month", WED, D(2026, 12, 5), True),
    ("She was born at the beginning of the month", WED, D(2026, 12, 1), True),
    ("5日に引っ越します", WED, D(2027, 1, 5), False),
]


@pytest.mark.parametrize(("text", "today", "want", "approximate"), CASES)
def test_parse_date(text: str, today: dt.date, want: dt.date, approximate: bool) -> None:
    got = parse_date(text, today)
    assert got is not None, text
    assert (got.date, got.approximate) == (want, approximate), text


@pytest.mark.parametrize(
    "text",
    [
        "25日間入院しました",
        "金曜も窓口は開いていますか",
        "毎週金曜に通院しています",
        "3.5万円でした",
        "03-1234-5678",
        "金曜日に窓口は開いていますか",
        "What is the first thing to do?",
        "出生届の期限は14日ですか",
        "期限は14日ですよね？",
        "金曜日に窓口は開いていますか？",
        "Is the office open on Friday?",
    ],
)
def test_not_dates(text: str) -> None:
    assert parse_date(text, WED) is None, text


def test_tense() -> None:
    assert tense("子どもが生まれました") is True
    assert tense("来月引っ越します") is False
    assert tense("25日です") is None


def test_tense_given_by_the_caller() -> None:
    """A later turn without a tense of its own is read in the event's tense."""
    assert parse_date("12月25日です", WED).date == D(2026, 12, 25)
    assert parse_date("12月25日です", WED, past=True).date == D(2025, 12, 25)
    assert parse_date("25日です", WED, future=True).date == D(2026, 12, 25)
    assert parse_date("金曜日です", WED, past=True).date == D(2026, 12, 4)


def _turns(catalog: Catalog, und: Understander, today: dt.date, *texts: str) -> SessionState:
    state = SessionState(id="t")
    for text in texts:
        dialogue.merge(catalog, und, state, und.parse(text, today), None, today)
        state.pending = "event_date" if not state.known("event_date") else None
    return state


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        (("世田谷区で父が亡くなりました", "金曜日です"), D(2026, 12, 4)),
        (("My father died in Setagaya", "on Friday"), D(2026, 12, 4)),
        (("世田谷区で子どもが生まれました", "12月25日です"), D(2025, 12, 25)),
        (("世田谷区から杉並区に引っ越します", "25日です"), D(2026, 12, 25)),
        (("世田谷区から杉並区に引っ越しました", "25日です"), D(2026, 11, 25)),
    ],
)
def test_a_later_date_is_read_in_the_events_tense(
    catalog: Catalog, und: Understander, texts: tuple[str, ...], want: dt.date
) -> None:
    assert _turns(catalog, und, WED, *texts).event_date == want


def test_a_later_date_unasked_is_read_in_the_events_tense(catalog: Catalog, und: Understander) -> None:
    """The date given while another question is pending (the insurance) is read the same way."""
    state = SessionState(id="t")
    for text in ("世田谷区で父が亡くなりました", "金曜日です"):
        dialogue.merge(catalog, und, state, und.parse(text, WED), None, WED)
        state.pending = "insurance"
    assert state.event_date == D(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("夫の会社の健康保険の扶養に入ります", "dependent"),
        ("会社の健康保険です", "employee"),
        ("国民健康保険です", "national"),
        ("I'm a dependent on my husband's company health insurance", "dependent"),
    ],
)
def test_a_choice_word_that_only_qualifies_another(und: Understander, text: str, want: str) -> None:
    """「会社の健康保険の扶養」 states the dependant option, not the employee insurance it depends on."""
    assert und.parse_facts(text).get("insurance") == want


# ---- the day one learned of a death (trigger ``learned``: 戸籍法86条 counts the death notice from it) ----------
@pytest.mark.parametrize(
    ("text", "learned", "death"),
    [
        ("父が11月20日に亡くなったと、12月3日に知りました", D(2026, 12, 3), D(2026, 11, 20)),
        ("父が亡くなったと今日知りました。亡くなったのは11月20日です", D(2026, 12, 9), D(2026, 11, 20)),
        (
            "12月3日に警察から連絡があり、父が11月28日に亡くなっていたことがわかりました",
            D(2026, 12, 3),
            D(2026, 11, 28),
        ),
        ("I found out on December 3 that my father died on November 20.", D(2026, 12, 3), D(2026, 11, 20)),
        (
            "My father died on November 20; I only learned about it yesterday.",
            D(2026, 12, 8),
            D(2026, 11, 20),
        ),
    ],
)
def test_learned_date(und: Understander, text: str, learned: dt.date, death: dt.date) -> None:
    u = und.parse(text, WED)
    assert u.learned is not None and u.learned.date == learned
    assert u.date is not None and u.date.date == death


@pytest.mark.parametrize(
    "text",
    [
        "11月20日に亡くなった父のことを聞きました",
        "わかりました。12月1日です",
        "12月1日に子どもが生まれたと区役所で聞きました",
    ],
)
def test_no_learned_date(und: Understander, text: str) -> None:
    assert und.parse(text, WED).learned is None


def test_learned_deadlines_count_from_the_day_it_became_known(catalog: Catalog) -> None:
    """死亡届 (7 days, that day is day 1) and 相続放棄 count from the day the death became known; the household-head
    change counts from the death itself."""
    from bot.planner import plan_bundle

    bundle = plan_bundle(
        catalog,
        ["death"],
        {"household_head": True, "household_members_remaining": 2, "estate_has_debts": True},
        municipality="131121",
        event_date=D(2026, 11, 20),
        trigger_dates={"learned": D(2026, 12, 3)},
        today=WED,
    )
    due = {i.procedure.id: i.due.due for i in bundle.items if i.due}
    # learned Thu 12/3 is day 1 -> Wed 12/9; renunciation 3 months from 12/4 -> Wed 2027-03-03;
    # head change 14 days from the death's next day 11/21 -> Thu 12/4
    assert due["death-registration"] == D(2026, 12, 9)
    assert due["inheritance-renunciation"] == D(2027, 3, 3)
    assert due["death-household-head-change"] == D(2026, 12, 4)


def test_learned_date_in_a_later_turn(concierge) -> None:  # type: ignore[no-untyped-def]
    from bot.contract import ChatRequest

    sid = None
    for text in ("世田谷区で父が11月20日に亡くなりました", "亡くなったことを知ったのは12月3日です"):
        r = concierge.chat(ChatRequest(message=text, session_id=sid, today=WED))
        sid = r.session_id
    due = {p.id: p.deadline.due for p in r.procedures if p.deadline}
    assert due["death-registration"] == D(2026, 12, 9)


def test_today_is_tokyos_day() -> None:
    """A request without ``today`` is answered for the day in Tokyo, whatever the server's zone."""
    from bot.dates import today_jst

    utc = dt.UTC
    assert today_jst(dt.datetime(2026, 12, 6, 23, 30, tzinfo=utc)) == D(2026, 12, 7)  # 08:30 JST
    assert today_jst(dt.datetime(2026, 12, 6, 14, 59, tzinfo=utc)) == D(2026, 12, 6)  # 23:59 JST
    assert today_jst(dt.datetime(2026, 12, 31, 15, 0, tzinfo=utc)) == D(2027, 1, 1)


# ---- the funeral's day (葬祭費: 2 years from the day after the funeral; catalog trigger ``funeral``) ------------
@pytest.mark.parametrize(
    ("text", "funeral", "death"),
    [
        ("11月20日に父が亡くなり、葬儀は11月25日でした", D(2026, 11, 25), D(2026, 11, 20)),
        ("葬儀は11月25日に済ませました。父は11月20日に亡くなりました", D(2026, 11, 25), D(2026, 11, 20)),
        (
            "My father died on 20 November and the funeral was on 25 November.",
            D(2026, 11, 25),
            D(2026, 11, 20),
        ),
        ("昨日父が亡くなりました。葬儀は12月12日の予定です", D(2026, 12, 12), D(2026, 12, 8)),
    ],
)
def test_funeral_date(und: Understander, text: str, funeral: dt.date, death: dt.date) -> None:
    u = und.parse(text, WED)
    assert u.funeral is not None and u.funeral.date == funeral
    assert u.date is not None and u.date.date == death


def test_no_funeral_date_in_the_deaths_own_clause(und: Understander) -> None:
    u = und.parse("11月20日に父が亡くなり葬儀を済ませました", WED)
    assert u.funeral is None and u.date is not None and u.date.date == D(2026, 11, 20)


def test_funeral_benefit_counts_from_the_funeral(catalog: Catalog) -> None:
    from bot.planner import plan_bundle

    def due(trigger_dates: dict[str, dt.date]) -> dt.date:
        bundle = plan_bundle(
            catalog,
            ["death"],
            {"insurance": "national"},
            municipality="131121",
            event_date=D(2026, 11, 20),
            trigger_dates=trigger_dates,
            today=WED,
        )
        item = bundle.by_id("nhi-funeral-benefit")
        assert item is not None and item.due is not None
        return item.due.due

    # funeral Wed 11/25: 2 years from 11/26 -> Sat 2028-11-25 -> Mon 11/27; without it, from the death: Mon 11/20
    assert due({"funeral": D(2026, 11, 25)}) == D(2028, 11, 27)
    assert due({}) == D(2028, 11, 20)


# ---- a death abroad: 死亡届 within 3 months of learning of it (戸籍法86条; the rule's ``abroad`` period) --------
@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # Sun 11/1 is day 1: 3 months end Sun 2027-01-31 -> Mon 2/1
        (("海外で父が亡くなりました。11月1日です。世田谷区に住んでいます",), D(2027, 2, 1)),
        (("My father died in Thailand on 1 November. We live in Setagaya.",), D(2027, 2, 1)),
        # learned Tue 12/1 is day 1: 3 months end Sun 2027-02-28 -> Mon 3/1
        (("父が11月20日に旅行先のタイで亡くなったと12月1日に知りました。杉並区",), D(2027, 3, 1)),
        # in Japan: 7 days, Sun 11/1 .. Sat 11/7 -> Mon 11/9
        (("11月1日に父が亡くなりました。世田谷区",), D(2026, 11, 9)),
        # a country someone is a national of / comes from is not where the death happened: Wed 12/2 .. Tue 12/8
        (
            ("My wife was a foreign national from the Philippines. She died on December 2 in Edogawa.",),
            D(2026, 12, 8),
        ),
        (("フィリピン出身の妻が12月2日に亡くなりました。江戸川区",), D(2026, 12, 8)),
    ],
)
def test_death_abroad(concierge, texts: tuple[str, ...], want: dt.date) -> None:  # type: ignore[no-untyped-def]
    from bot.contract import ChatRequest

    sid = None
    for text in texts:
        r = concierge.chat(ChatRequest(message=text, session_id=sid, today=D(2026, 12, 7)))
        sid = r.session_id
    due = {p.id: p.deadline.due for p in r.procedures if p.deadline}
    assert due["death-registration"] == want


def test_saved_bundle_keeps_the_learned_funeral_and_abroad_days(concierge, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A saved bundle is planned again with the same days as the conversation."""
    from bot.bundle_service import BundleService
    from bot.bundle_store import BundleStore
    from bot.contract import ChatRequest

    text = (
        "父が11月20日にタイで亡くなったと12月1日に知りました。葬儀は12月5日でした。国民健康保険です。杉並区"
    )
    r = concierge.chat(ChatRequest(message=text, today=D(2026, 12, 7)))
    service = BundleService(concierge, BundleStore(tmp_path / "bundles.sqlite3", ttl_days=90))
    saved = service.get(service.save_session(r.session_id).code)
    assert saved.trigger_dates == {"learned": D(2026, 12, 1), "funeral": D(2026, 12, 5)}
    assert saved.abroad_events == ["death"]
    items = {i.procedure.id: i for i in service.plan(saved).items}
    # learned Tue 12/1, abroad: 3 months end Sun 2027-02-28 -> Mon 3/1; funeral Sat 12/5: 2 years from 12/6 ->
    # Tue 2028-12-05
    assert items["death-registration"].due.due == D(2027, 3, 1)  # type: ignore[union-attr]
    assert items["nhi-funeral-benefit"].due.due == D(2028, 12, 5)  # type: ignore[union-attr]


# ---- a birth abroad: 出生届 within 3 months (戸籍法49条; 府中市・武蔵野市 pages), counted like the 14 days -------
@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # Fri 11/20 is day 1: 3 months end Fri 2027-02-19
        (("11月20日にアメリカで子どもが生まれました。府中市に住んでいます",), D(2027, 2, 19)),
        (("Our baby was born in Canada on 20 November. We live in Musashino.",), D(2027, 2, 19)),
        # Sun 11/1 is day 1: 3 months end Sun 2027-01-31 -> Mon 2/1
        (("海外で11月1日に長男が生まれました。武蔵野市",), D(2027, 2, 1)),
        # in Japan: 14 days, Fri 11/20 .. Thu 12/3
        (("11月20日に子どもが生まれました。府中市",), D(2026, 12, 3)),
    ],
)
def test_birth_abroad(concierge, texts: tuple[str, ...], want: dt.date) -> None:  # type: ignore[no-untyped-def]
    from bot.contract import ChatRequest

    sid = None
    for text in texts:
        r = concierge.chat(ChatRequest(message=text, session_id=sid, today=D(2026, 12, 7)))
        sid = r.session_id
    due = {p.id: p.deadline for p in r.procedures if p.deadline}
    assert due["birth-registration"].due == want
    assert ("3か月" in due["birth-registration"].text) or ("3 months" in due["birth-registration"].text)
