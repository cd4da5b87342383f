"""Japanese, kana-only and やさしい日本語 questions asking a fact a page may not state (issue #15): when it is paid, how
many times a year, until what age, an income limit (bot.answer_facts); a weekday named as the case of a deadline
question; さいごの ひ; 電話したいです。番号を教えて; a table row naming the case asked; a list item quoted with the
heading that says yes or no for it.

Unit tests read passages as page search returns them (restated from evals/answers/pages/); the page tests ingest a
few of those pages with the real pipeline and the default embedding model."""

from __future__ import annotations

import datetime as dt

import pytest
from bot_support import eval_pages_concierge

from bot.answer import Answerer, _with_yes_no_heading, question_kinds
from bot.answer_facts import asked_fact, states_fact
from bot.contract import ChatRequest, ChatResponse
from bot.service import Concierge
from knowledge.catalog import Catalog
from knowledge.japanese import KanaReadings
from knowledge.retrieval_types import Hit

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def answerer(catalog: Catalog) -> Answerer:
    return Answerer(catalog, None)  # no index: the sentence of a given passage is chosen


def test_the_fact_asked_is_read_in_every_wording() -> None:
    assert asked_fact("港区の児童手当はいつ支給されますか？") == "payday"
    assert asked_fact("いなぎしの じどうてあては なんがつに ふりこまれますか") == "payday"
    assert asked_fact("中野区の じどうてあては 何月に もらえますか。") == "payday"
    assert asked_fact("羽村市の児童育成手当は年に何回支給されますか") == "times"
    assert asked_fact("おおたくの じどうてあては こどもが なんさいに なるまで もらえますか") == "age"
    assert asked_fact("江東区の じどうてあてに しょとくせいげんは ありますか。") == "income"
    # a deadline or a place is no such fact
    assert asked_fact("杉並区で葬祭費の申請はいつまでできますか") is None
    assert asked_fact("小平市の訪問給食サービスは週に何回まで届けてくれますか？") is None


def test_a_sentence_states_the_fact_or_only_names_it() -> None:
    assert states_fact(
        "payday", "支給回数を年3回から年6回にします。偶数月（2・4・6・8・10・12月）に支給します。"
    )
    assert states_fact("payday", "毎年6月・10月・2月の15日までに、前月までの4か月分を振り込みます。")
    assert not states_fact("payday", "子どもを育てている父母のうち生計の中心となる方に支給されます。")
    assert states_fact("income", "所得制限をなくします。") and states_fact("income", "所得制限はありません。")
    assert states_fact("income", "請求者の所得が限度額を超えているとき")
    # the word alone is no statement of it (対象年齢の拡大や所得制限の撤廃で新たに対象になる方には…郵送します)
    assert not states_fact("income", "所得制限の撤廃で新たに対象になる方には、区から申請書を順次郵送します。")
    assert states_fact("age", "高校生年代（18歳の誕生日後の最初の3月31日）まで")


def test_a_weekday_named_as_the_case_asks_the_deadline_not_hours() -> None:
    # before: ['hours', 'deadline'] (日曜日 read as hours asked), and the 午後5時以降 line was quoted
    kinds = question_kinds("立川市で 出生届の さいごの ひが 日曜日の ときは どうなりますか 期限")
    assert kinds[0] == "deadline" and "hours" not in kinds
    assert question_kinds("豊島区で土曜日の受付時間は何時までですか")[0] == "hours"


def test_a_phone_number_asked_apart_from_the_word_denwa() -> None:
    assert (
        question_kinds("武蔵村山市の 子ども育成課に でんわ したいです。 番号を おしえて ください。")[0]
        == "phone"
    )


def test_saigo_is_kept_as_written_not_read_as_sai() -> None:
    readings = KanaReadings({"さい": {"歳": 5}, "しゅっしょうとどけ": {"出生届": 5}})
    read = readings.rewrite("しゅっしょうとどけの さいごの ひ")
    assert "歳" not in read and "出生届" in read


def test_the_row_of_the_case_asked_answers_before_the_general_row(answerer: Answerer) -> None:
    text = (
        "【転入届（ほかの区市町村から台東区へ）】\n| 届出期間 | 転入した日から14日以内 |\n"
        "| 必要なもの | 前の住所地で発行された転出証明書、本人確認書類 |\n"
        "| 外国籍の方 | 転入する全員の在留カードまたは特別永住者証明書、続柄を証明する文書 |"
    )
    hit = Hit("u#0", text, "https://www.city.taito.lg.jp/t.html", "転入・転居・転出・世帯変更の届出", 1.0)
    sent, _ = answerer._sentence("台東区に外国籍の人が転入するときは何がいりますか", hit)
    assert "在留カード" in sent, sent  # before: the 必要なもの row


def test_a_list_item_keeps_the_heading_that_says_yes_or_no() -> None:
    item = "・子どもが児童福祉施設に入所しているか、里親に委託されているとき。"
    assert _with_yes_no_heading(item, "【支給されないとき】").startswith("【支給されないとき】子どもが")
    assert _with_yes_no_heading(item, "【対象となる子ども】") == item


PAGES = [
    "minato-jidoteate",
    "tachikawa-jidoteate",
    "koto-jidoteate-kuho",
    "hamura-ikusei-teate",
    "tachikawa-shussei",
    "musashimurayama-ikusei-teate",
]


@pytest.fixture(scope="module")
def pages_concierge(tmp_path_factory: pytest.TempPathFactory) -> Concierge:
    return eval_pages_concierge(tmp_path_factory.mktemp("facts"), PAGES)


def ask(c: Concierge, message: str) -> ChatResponse:
    return c.chat(ChatRequest(message=message, today=TODAY))


def test_a_page_silent_on_when_it_is_paid_says_so_and_the_catalog_answers(pages_concierge: Concierge) -> None:
    # before: the catalog's amounts and the page's 生計の中心 sentence, no month at all
    for q in ("港区の児童手当はいつ支給されますか？", "立川市の児童手当はいつ振り込まれますか？"):
        r = ask(pages_concierge, q)
        assert "書かれていません" in r.reply and "偶数月" in r.reply, r.reply
        assert "出典：" in r.reply  # the catalog's line names its source
        assert any("jidoteate" in c.url or "1004979" in c.url for c in r.citations)  # the page stays cited


def test_the_pages_own_line_stating_the_fact_is_quoted(pages_concierge: Concierge) -> None:
    # before: 【手続きが必要な方】…所得制限の撤廃で新たに対象になる方には… (names it, states no answer)
    r = ask(pages_concierge, "江東区の じどうてあてに しょとくせいげんは ありますか。")
    assert "所得制限をなくします" in r.reply and "書かれていません" not in r.reply, r.reply
    # before: the lead (18歳に達した日の属する年度末まで…), no months
    r = ask(pages_concierge, "羽村市の児童育成手当は年に何回支給されますか")
    assert "6月・10月・2月" in r.reply, r.reply


def test_kana_and_easy_questions_get_the_line_asked(pages_concierge: Concierge) -> None:
    # さいごの ひ was read 歳ごの ひ and the 午後5時以降 line quoted
    r = ask(
        pages_concierge, "たちかわしで しゅっしょうとどけの さいごの ひが にちようびの ときは どうなりますか"
    )
    assert "次の開庁日" in r.reply, r.reply
    # before: the 申請窓口 line, no number
    r = ask(pages_concierge, "武蔵村山市の 子ども育成課に でんわ したいです。 番号を おしえて ください。")
    assert "042-565-1111" in r.reply, r.reply
    # before: the item alone (・子どもが…里親に委託されているとき。), not saying it is not paid
    r = ask(pages_concierge, "羽村市の児童育成手当は、子どもが里親に委託されているときももらえますか")
    assert "【支給されないとき】子どもが" in r.reply, r.reply


def test_what_weekday_is_asked_before_the_hours() -> None:
    # before: ['hours'] and the 午前11時から午後2時 line answered 何曜日が こみますか
    assert question_kinds("西東京市の 市役所の まどぐちは 何曜日が こみますか。")[0] == "weekday"
    assert question_kinds("ひがしやまとしの やかん かいちょうは なんようび ですか")[0] == "weekday"


def test_the_row_of_the_day_asked_answers(answerer: Answerer) -> None:
    text = (
        "【申請の場所と時間】年末年始（12月29日から1月3日）と祝日は休みです。\n"
        "| 国保年金課国保給付係（区役所東棟2階） | 月曜日から金曜日 午前8時30分から午後5時 |\n"
        "| 区民課（区役所東棟1階） | 第1・第3・第5土曜日 午前9時から午後5時 |"
    )
    hit = Hit("u#0", text, "https://www.city.suginami.tokyo.jp/s.html", "亡くなったとき（葬祭費）", 1.0)
    sent, _ = answerer._sentence("杉並区の国保の葬祭費は土曜日も申しこめますか。", hit)
    assert "土曜日" in sent, sent  # before: the 国保給付係 row (shares 国保 with the question)


def test_what_to_send_is_the_line_of_what_is_enclosed(answerer: Answerer) -> None:
    text = (
        "【転出の手続きは郵送でもできます】国立市からほかの市へ引っ越すときに必要な転出証明書は、郵送で受け取る"
        "ことができます。\n郵送で申請するときは、転出届書、請求する本人の身分証明書（運転免許証、保険証など）の"
        "コピー、切手を貼った返信用封筒を必ず同封してください。"
    )
    hit = Hit(
        "u#0", text, "https://www.city.kunitachi.tokyo.jp/k.html", "転出・転入・転居・世帯変更等の届け", 1.0
    )
    q = "国立市から 引越します。 転出証明書を ゆうびんで もらいたいです。 何を 送りますか。"
    sent, _ = answerer._sentence(q, hit)
    assert "返信用封筒" in sent, sent  # before: the lead restating 転出証明書は、郵送で受け取ることができます
