"""The checks added for issue #14 (language, questions asked again, facts taken, required vs conditional, overdue,
documents not asked for, outside Tokyo), on hand-made responses: each must pass a right answer and fail a wrong one."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.contract import ChatResponse, DeadlineOut, ProcedureOut, QuickReply
from evals import metrics as M
from evals import report, scoring
from evals.cases import Case
from knowledge.catalog import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _case(turns: list[str] | None = None, style: str = "colloquial", **expect) -> Case:
    return Case.model_validate(
        {
            "id": "t",
            "split": "heldout",
            "style": style,
            "today": "2026-12-07",
            "turns": turns or ["父が亡くなりました"],
            "expect": {"check_municipality": "municipality" in expect, **expect},
        }
    )


def _proc(
    pid: str, title: str, *, conditional: str | None = None, due=None, text="14日以内", **extra
) -> ProcedureOut:
    return ProcedureOut(
        id=pid,
        title=title,
        office="窓口",
        deadline=DeadlineOut(text=text, due=due) if due or text else None,
        conditional=conditional,
        **extra,
    )


def _resp(reply: str = "", procs=(), **kw) -> ChatResponse:
    return ChatResponse(session_id="s", reply=reply, procedures=list(procs), **kw)


def _score(case, resp, catalog, responses=None):
    return scoring.score_case(case, resp, catalog, known_numbers=set(), known_urls=set(), responses=responses)


# ---- metrics ------------------------------------------------------------------------------------------------------


def test_kyoiku_list_has_the_1026_characters_by_year() -> None:
    kanji = M.kyoiku_kanji()
    assert len(kanji) == 1026
    assert {
        "一",
        "届",
        "区",
        "役",
        "所",
        "城",
        "阪",
    } <= kanji  # 届 year 6; 城/阪 moved to year 4 in 令和2年度
    assert "籍" not in kanji and "扶" not in kanji and "葛" not in kanji


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Submit the birth registration by 16 December.", []),
        ("Go to the family-register window (戸籍の窓口) at the ward office.", []),
        ("Birth registration：by 2026-12-16", ["："]),
        ("Submit 出生届 by 16 December", ["出生届"]),
        ("4 procedure(s). 区役所で", ["区役所で"]),
    ],
)
def test_japanese_outside_brackets(text: str, bad: list[str]) -> None:
    assert M.japanese_outside_brackets(text) == bad


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("あかちゃんが うまれたことを 14日までに 区役所に とどけます", []),
        ("戸籍（こせき）の まどぐちへ 行きます", []),
        ("<ruby>戸籍<rt>こせき</rt></ruby>の まどぐち", []),
        ("戸籍の まどぐちへ 行きます", ["戸籍"]),
        ("扶養に 入れます", ["扶養"]),
        ("葛飾区 に すんでいます", ["葛飾区"]),
    ],
)
def test_non_easy_kanji(text: str, bad: list[str]) -> None:
    assert M.non_easy_kanji(text) == bad


def test_language_problems_by_language() -> None:
    assert M.language_problems(["Birth registration (出生届)"], "en") == []
    assert M.language_problems(["出生届を出してください"], "en")
    assert M.language_problems(["しゅっせいとどけ を 出します"], "easy") == []
    assert M.language_problems(["出生届を提出して申請してください"], "easy") == ["not 小学校 kanji: 申請"]
    assert M.language_problems(["出生届を出してください"], "ja") == []
    assert M.language_problems(["Please file the birth registration"], "ja")
    with pytest.raises(ValueError):
        M.language_problems(["x"], "fr")


def test_markers() -> None:
    assert M.mentions_any("大阪市北区は東京都外です", M.OUTSIDE_TOKYO_MARKERS)
    assert M.mentions_any("Kawasaki is outside Tokyo.", M.OUTSIDE_TOKYO_MARKERS)
    assert not M.mentions_any("北区の窓口へ", M.OUTSIDE_TOKYO_MARKERS)
    assert M.mentions_any("期限を過ぎています。すぐに届け出てください", M.OVERDUE_MARKERS)
    assert not M.mentions_any("12月16日まで", M.OVERDUE_MARKERS)


# ---- runner checks ------------------------------------------------------------------------------------------------


def test_lang_explicit_fails_the_case_style_only_counts_in_the_metric(catalog) -> None:
    en = _case(["My father died"], style="english", lang="en")
    good = _resp("File the death registration within 7 days at the family-register window (戸籍の窓口).")
    bad = _resp("File the 死亡届 within 7 days：")
    assert _score(en, good, catalog).passed
    r = _score(en, bad, catalog)
    assert not r.passed and r.lang_ok is False and r.lang == "en"
    # the same reply in a case whose language is only read from its style: counted, not failed
    styled = _case(["My father died"], style="english")
    r2 = _score(styled, bad, catalog)
    assert r2.passed and r2.lang_ok is False
    # every turn counts
    r3 = _score(en, good, catalog, responses=[bad, good])
    assert r3.lang_ok is False
    summary = report.aggregate([r, r2, _score(en, good, catalog)], None)
    assert summary["language_consistency"] == pytest.approx(1 / 3)


def test_not_asked_by_quick_reply_or_question_text(catalog) -> None:
    case = _case(["子どもが2人います", "世田谷区です"], not_asked=["has_children", "children_count"])
    ok = _resp(
        "世田谷区ですね。", quick_replies=[QuickReply(fact="municipality", label="世田谷区", value="131121")]
    )
    by_chip = _resp("", quick_replies=[QuickReply(fact="has_children", label="はい", value="true")])
    by_text = _resp("", follow_up=["18歳以下のお子さんはいますか？"])
    assert _score(case, ok, catalog, responses=[ok, ok]).passed
    assert not _score(case, ok, catalog, responses=[by_chip, ok]).passed
    assert not _score(case, by_text, catalog, responses=[ok, by_text]).passed
    later = _case(["引っ越します", "子どもが2人います"], not_asked=["has_children"], not_asked_after=1)
    assert _score(later, ok, catalog, responses=[by_chip, ok]).passed


def test_known_facts(catalog) -> None:
    case = _case(["こくみんけんこうほけん です"], known={"insurance": "national", "person_age": 75})
    assert _score(case, _resp(facts={"insurance": "national", "person_age": 75}), catalog).passed
    r = _score(case, _resp(facts={"person_age": 75}), catalog)
    assert r.failures == ["fact insurance not taken (want national)"]
    assert not _score(case, _resp(facts={"insurance": "employee", "person_age": 75}), catalog).passed


def test_unknown_facts(catalog) -> None:
    """``unknown``: a fact said of someone else (「息子（20歳）」 in a death) is not taken."""
    from evals.cases import validate_cases

    case = _case(["母が亡くなりました。家には私と息子（20歳）が残っています"], unknown=["person_age"])
    assert _score(case, _resp(facts={"household_members_remaining": 2}), catalog).passed
    r = _score(case, _resp(facts={"person_age": 20}), catalog)
    assert r.failures == ["fact person_age = 20 taken, want it unknown"]
    both = _case(known={"person_age": 20}, unknown=["person_age", "no_such_fact"])
    text = "\n".join(validate_cases([both], catalog))
    assert "both known and unknown" in text and "unknown fact 'no_such_fact'" in text


def test_required_and_not_required(catalog) -> None:
    case = _case(required=["death-registration"], not_required=["inheritance-renunciation"])
    good = _resp(
        procs=[
            _proc("death-registration", "死亡届"),
            _proc("inheritance-renunciation", "相続放棄の申述", conditional="借金が多いときに"),
        ]
    )
    assert _score(case, good, catalog).passed
    assert _score(case, _resp(procs=[_proc("death-registration", "死亡届")]), catalog).passed
    bad = _resp(
        procs=[_proc("death-registration", "死亡届", conditional="?"), _proc("inheritance-renunciation", "x")]
    )
    r = _score(case, bad, catalog)
    assert len(r.failures) == 2


def test_overdue_flag_words_or_reply_line(catalog) -> None:
    case = _case(overdue=["baby-employee-insurance"], not_overdue=["birth-registration"])
    due = dt.date(2026, 12, 5)
    plain = _proc(
        "baby-employee-insurance", "赤ちゃんを会社の健康保険の扶養に入れる", due=due, text="5日以内"
    )
    birth = _proc("birth-registration", "出生届", due=dt.date(2026, 12, 16))
    assert not _score(
        case, _resp("赤ちゃんを会社の健康保険の扶養に入れる：12月5日まで", [plain, birth]), catalog
    ).passed
    worded = _proc(
        "baby-employee-insurance",
        "赤ちゃんを会社の健康保険の扶養に入れる",
        due=due,
        summary="期限を過ぎています",
    )
    assert _score(case, _resp("", [worded, birth]), catalog).passed
    in_reply = _resp("赤ちゃんを会社の健康保険の扶養に入れる：12月5日で期限を過ぎています", [plain, birth])
    assert _score(case, in_reply, catalog).passed
    wrong = _proc("birth-registration", "出生届", due=dt.date(2026, 12, 16), summary="期限切れ")
    assert not _score(case, _resp("", [worded, wrong]), catalog).passed
    assert not _score(case, _resp("", [birth]), catalog).passed  # the overdue one is missing
    # a general rule on the card (「期限を過ぎても届出はできます」) does not mark this resident's deadline as past
    rule = _proc(
        "birth-registration", "出生届", due=dt.date(2026, 12, 16), summary="期限を過ぎても届出はできます。"
    )
    assert _score(case, _resp("", [worded, rule]), catalog).passed


def test_checklist_not_and_outside_tokyo(catalog) -> None:
    case = _case(checklist_not=["戸籍謄本", "転出証明書"], outside_tokyo=True)
    good = _resp("川崎市は東京都外です。", checklist=["パスポート", "在留カード"])
    assert _score(case, good, catalog).passed
    bad = _resp(
        "川崎市ですね。",
        [_proc("moving-in-notice", "転入届", documents=["転出証明書"])],
        checklist=["戸籍謄本"],
    )
    r = _score(case, bad, catalog)
    assert len(r.failures) == 3


def test_new_fields_validate_against_the_catalog(catalog) -> None:
    from evals.cases import validate_cases

    case = _case(
        not_asked=["no_such_fact"],
        required=["x-proc"],
        overdue=["death-registration"],
        not_overdue=["death-registration"],
        not_asked_after=3,
    )
    problems = validate_cases([case], catalog)
    text = "\n".join(problems)
    assert "unknown fact 'no_such_fact'" in text and "unknown procedure 'x-proc'" in text
    assert "both overdue and not overdue" in text and "not_asked_after" in text


def test_asks(catalog) -> None:
    case = _case(["親の介護が始まりそう"], asks=["municipality"], municipality=None)
    asking = _resp("", quick_replies=[QuickReply(fact="municipality", label="世田谷区", value="131121")])
    assert _score(case, asking, catalog).passed
    assert _score(case, _resp("お住まいの（または手続きをする）区市町村はどこですか？"), catalog).passed
    r = _score(case, _resp("地域包括支援センターに相談しましょう", municipality="世田谷区"), catalog)
    assert len(r.failures) == 2  # silently took 世田谷区 and never asked
