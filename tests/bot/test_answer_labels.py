"""Japanese and kana answers from the right page and the right line (issue #15): a row's label or the heading a line
stands under names the kind of answer it gives (【送り先】〒…, | 届出人 | …, | 届ける場所 | …); a section's heading
names its topic (【出生届】 over 生まれた日から14日以内に…); the page that writes the procedure asked about ranks
before one that only shares a word and a date; 3人目の子 is the pages' 第3子.

Unit tests read passages as page search returns them (restated from evals/answers/pages/); the page tests ingest
a few of those pages with the real pipeline and the default embedding model."""

from __future__ import annotations

import datetime as dt

import pytest
from bot_support import eval_pages_concierge

from bot.answer import Answerer, _states, _whole_list, label_weight, names_kind, question_kinds
from bot.contract import ChatRequest, ChatResponse
from bot.service import Concierge
from knowledge.catalog import Catalog
from knowledge.retrieval_types import Hit

TODAY = dt.date(2026, 12, 7)


def _hit(
    text: str, title: str, heading: str | None = None, url: str = "https://www.city.example.lg.jp/a.html"
) -> Hit:
    return Hit(f"{url}#0", text, url, title, 1.0, heading=heading)


@pytest.fixture(scope="module")
def answerer(catalog: Catalog) -> Answerer:
    return Answerer(catalog, None)  # no index: the sentence of a given passage is chosen


HIGASHIMURAYAMA = (
    "マイナンバーカードか住民基本台帳カードを持っている方は、転出届を東村山市に郵送などで出せば、窓口に行くのは"
    "転入のときの1回ですみます。\n【送り先】\n〒189-8501 東京都東村山市本町1丁目2番地3 東村山市役所 市民課庶務係"
)
FUCHU_ABROAD = (
    "【届出のきまり】\n| 届出期間 | 国外で子どもが生まれた日から3か月以内 |\n"
    "| 届出地 | 生まれた国にある在外公館（大使館・領事館）、本籍地の市区町村、国内に住所があれば届出人の所在地の市区町村 |\n"
    "| 届出人 | 原則として父または母（父母が婚姻していないときは母） |"
)
CHIYODA = (
    "【窓口に来て届けるとき】国外からの転入など関係機関への確認が必要な届出は、窓口延長時と土曜日には扱えないこと"
    "があります。\n| 届ける場所 | 区役所総合窓口課または区内の出張所 |\n"
    "| 届ける時期 | 引越しの日が決まったらあらかじめ。引越し後に届けるときは転出した日から14日以内 |"
)
SUMIDA = (
    "窓口課戸籍係（区役所1階4番）です。開庁日（祝日を除く月曜日から金曜日）は午前8時30分から午後5時まで、毎週水曜日"
    "（祝日を除く）は午後7時まで延長しています。第2・第4日曜日も開庁しています。"
)
SHINAGAWA = "・所得制限がなくなり、児童1人月額5,000円の特例給付は廃止されました。\n・第3子以降は月額3万円が支給されます（多子加算）。"


def test_the_line_under_the_label_the_question_names_answers_it(answerer: Answerer) -> None:
    # 「送り先」: the address under 【送り先】, not the lead that shares 転出届・郵送 (before: the lead was quoted)
    q = "東村山市に転出届を郵送するときの送り先を教えてください"
    assert answerer._sentence(q, _hit(HIGASHIMURAYAMA, "転入届の特例"))[0].startswith("〒189-8501")
    # だれが: the 届出人 row, not the 届出地 row that also writes 届出人 (before: 届出地)
    q = "府中市に本籍があります。外国で子どもが生まれました。出生届はだれが出しますか。"
    assert (
        "父または母" in answerer._sentence(q, _hit(FUCHU_ABROAD, "出生届（国外で子どもが生まれたとき）"))[0]
    )
    # どこの窓口: the 届ける場所 row; a heading that only uses the word 窓口 (窓口に来て届けるとき) names no place
    q = "千代田区の転出届はどこの窓口で出せますか"
    sent, _ = answerer._sentence(q, _hit(CHIYODA, "住所の異動手続き（転出・転居・転入届など）"))
    assert "総合窓口課" in sent, sent


def test_a_label_is_a_name_not_a_phrase_using_its_word() -> None:
    assert names_kind("| 届ける場所 | 区役所総合窓口課 |", ["place"])
    assert names_kind("〒189-8501 東村山市役所 市民課庶務係", ["place"], "【送り先】")
    assert names_kind("| 届出人 | 父または母 |", ["eligibility"])
    assert names_kind("平日 午前8時30分から午後5時", ["hours"], "【受付の場所と時間】")
    assert not names_kind(
        "国外からの転入などは窓口延長時には扱えません。", ["place"], "【窓口に来て届けるとき】"
    )
    assert not names_kind("| 届出期間 | 3か月以内 |", ["place"])
    # the question writing the label's own name weighs more than the label alone; no kind asked, no weight
    line, above = "〒189-8501 東村山市役所 市民課庶務係", "【送り先】"
    assert label_weight(line, ["place"], {"送り先"}, above) > label_weight(line, ["place"], set(), above) > 0
    assert label_weight(line, [], {"送り先"}, above) == 0


def test_a_day_of_the_week_answers_hours_asked_by_day(answerer: Answerer) -> None:
    q = "墨田区の戸籍係は日曜日も開いていますか"
    assert question_kinds(q)[0] == "hours"
    sent, _ = answerer._sentence(q, _hit(SUMIDA, "子どもが生まれたときの届出（よくある質問）"))
    assert "第2・第4日曜日" in sent, sent


def test_the_nth_child_is_the_pages_dai_n_shi(answerer: Answerer) -> None:
    q = "品川区の児童手当、3人目の子どもは1か月いくらですか。"
    assert "第3子" in answerer.written(q)
    assert "3万円" in answerer._sentence(q, _hit(SHINAGAWA, "児童手当"))[0]


def test_which_numbered_window_asks_a_place_even_of_the_evening_opening() -> None:
    # 開庁 names the topic (夜間開庁), 何番窓口 asks the place (before: hours, and the hours line was quoted)
    assert question_kinds("東大和市の夜間開庁で市民課は何番窓口ですか")[0] == "place"
    assert question_kinds("葬祭費の申請窓口は何番ですか") == ["place"]
    assert question_kinds("区の電話番号は何番ですか") == ["phone"]  # a phone number, not a window
    assert question_kinds("窓口は何時まで開いていますか") == ["hours"]


def test_a_place_is_stated_by_the_section_or_municipality_where_it_is_done() -> None:
    assert _states("place", "児童手当の手続きは子育て応援課（平日の午前8時30分から午後5時まで）で行います。")
    assert _states("place", "郵送の場合は子育て推進課へ送ってください。")
    assert _states("place", "保護者が住んでいる市区町村に申請します。")
    assert not _states("place", "窓口に行くのは転入のときの1回ですみます。")
    assert _states("hours", "第2・第4日曜日も開庁しています。")


def test_easy_japanese_words_read_as_the_pages_write_them(answerer: Answerer) -> None:
    assert "土曜日" in answerer.written("杉並区の こくほの そうさいひは 土よう日も もうしこめますか。")
    assert "水曜日" in answerer.written("水ようびの よるも あいて いますか")
    # よるに is the pages' 夜間 (before: 戸籍係's daytime row was quoted for よるに…だせる まどぐち); よる in
    # による is no night
    assert "夜間" in answerer.written("なかのくで よるに こせきの とどけを だせる まどぐちは どこですか")
    assert "夜間" not in answerer.written("びょういんに よる ちがいは ありますか")


def test_when_is_it_checked_asks_a_date() -> None:
    # いつ確認されますか asks the day (翌開庁日に担当職員が確認します), not nothing
    assert question_kinds("立川市で夜に出した戸籍の届はいつ確認されますか") == ["date"]
    assert question_kinds("たちかわしで よるに だした こせきの とどけは いつ かくにん されますか") == ["date"]
    assert question_kinds("葬祭費はいつまでに申請しますか") == ["deadline"]


def test_a_section_goes_on_over_the_list_under_its_heading(answerer: Answerer) -> None:
    # 【手続きに必要なもの】…。 then its items: an item stands under that heading too (a line below the heading's
    # own sentence), so its label names what to bring
    text = "【申請に必要なもの】次のものを持ってきてください。\n・亡くなった方の保険証\n・会葬礼状または葬儀の領収書"
    hit = _hit(text, "葬祭費")
    seen: list[tuple[str, str]] = []
    real = answerer._sentence_score

    def spy(sent: str, a: object, section: str = "", above: str = "") -> int:
        seen.append((sent, above))
        return real(sent, a, section, above)  # type: ignore[arg-type]

    answerer._sentence_score = spy  # type: ignore[method-assign]
    try:
        answerer._sentence("葬祭費の申請に何が要りますか", hit)
    finally:
        del answerer._sentence_score
    assert ("・会葬礼状または葬儀の領収書", "【申請に必要なもの】") in seen, seen


BUNKYO = (
    "【申請に必要なもの】国民健康保険料に未納があるときは世帯主の印鑑も必要です。\n・亡くなった方の国民健康保険証\n"
    "・会葬礼状や葬儀の領収書など、喪主の名前がわかる書類\n・窓口に来る方の本人確認書類\n・喪主の預金口座がわかるもの\n"
    "【注意】\n・郵送でも申請できます。"
)


def test_what_to_bring_is_answered_by_the_list_not_by_a_case_the_question_does_not_state(
    answerer: Answerer,
) -> None:
    # before: 「国民健康保険料に未納があるときは世帯主の印鑑も必要です」 (a case the resident did not state) was quoted
    q = "文京区で国保の葬祭費をもらうとき、何が要りますか。"
    sent, _ = answerer._sentence(q, _hit(BUNKYO, "葬祭費の支給（国民健康保険）"))
    assert sent.startswith("亡くなった方の国民健康保険証、会葬礼状や葬儀の領収書"), sent
    assert "郵送" not in sent  # the list under 【申請に必要なもの】 only
    # a stated case still finds its sentence
    q = "文京区で国保の保険料に未納があるとき、葬祭費の申請に何が要りますか。"
    assert "世帯主の印鑑" in answerer._sentence(q, _hit(BUNKYO, "葬祭費の支給（国民健康保険）"))[0]


def test_a_list_is_quoted_whole_only_when_it_fits() -> None:
    text = "前文です。\n・保険証\n・会葬礼状\n後文です。\n・通帳"
    assert _whole_list("・会葬礼状", text) == "保険証、会葬礼状"
    assert _whole_list("・通帳", text) == "・通帳"  # a list of one item is that item
    assert _whole_list("前文です。", text) == "前文です。"
    long = "\n".join(f"・{'書類' * 20}{n}" for n in range(5))
    assert _whole_list(f"・{'書類' * 20}1", long) == f"・{'書類' * 20}1"  # too long to quote whole


# ---- pages: a real ingest of a few evaluation pages -----------------------------------------------------------

PAGES = [
    "tachikawa-shussei",
    "tachikawa-jidoteate",
    "tachikawa-koseki",
    "kodaira-koseki",
    "mitaka-shussei",
    "mitaka-tennyu",
    "higashimurayama-tennyu-tokurei",
    "hamura-ikusei-teate",
    "hamura-bukkadaka-kosodate-teate",
]
URL = {
    "tachikawa-shussei": "http://www.city.tachikawa.lg.jp/shimin/kurashi/jumintoroku/kosekitodoke/shussho.html",
    "tachikawa-koseki": "https://www.city.tachikawa.lg.jp/kurashi/koseki/1002121/1002172.html",
    "kodaira-koseki": "http://www.city.kodaira.tokyo.jp/kurashi/000/000220.html",
    "mitaka-shussei": "https://www.city.mitaka.lg.jp/c_service/000/000307.html",
    "mitaka-tennyu": "https://www.city.mitaka.lg.jp/c_service/000/000321.html",
    "higashimurayama": "http://www.city.higashimurayama.tokyo.jp/kurashi/koseki/tennyu/tennyuutokurei.html",
    "hamura-ikusei": "https://www.city.hamura.tokyo.jp/0000000167.html",
}


@pytest.fixture(scope="module")
def pages_concierge(tmp_path_factory: pytest.TempPathFactory) -> Concierge:
    return eval_pages_concierge(tmp_path_factory.mktemp("labels"), PAGES)


def ask(c: Concierge, message: str) -> ChatResponse:
    return c.chat(ChatRequest(message=message, today=TODAY))


def test_the_page_that_writes_the_procedure_asked_is_cited_first(pages_concierge: Concierge) -> None:
    # the 児童手当 page shares 子ども and a date (3月31日まで) but never writes 出生届 (before: it was quoted)
    r = ask(
        pages_concierge,
        "立川市に すんで います。 子どもが 生まれました。 しゅっしょうとどけは 何日までに 出しますか。",
    )
    assert r.citations and r.citations[0].url == URL["tachikawa-shussei"], r.citations
    assert "14日以内" in r.reply
    # the 戸籍 page's section on 外国籍の方 answers, not the 出生届 page's line on passports
    r = ask(pages_concierge, "立川市で外国籍の方が関係する戸籍の届出をするときは、どうすればいいですか？")
    assert r.citations and r.citations[0].url == URL["tachikawa-koseki"], r.citations


def test_a_sections_heading_names_its_topic(pages_concierge: Concierge) -> None:
    # 生まれた日から14日以内に… stands under 【出生届】 on a page titled 戸籍関係の届け出 (before: nothing was cited)
    r = ask(
        pages_concierge, "小平市で 子どもが 生まれました。 しゅっしょうとどけは 何日 いないに 出しますか。"
    )
    assert r.citations and r.citations[0].url == URL["kodaira-koseki"], r.citations
    assert "14日以内" in r.reply


def test_a_label_picks_the_line_of_a_page_not_the_page(pages_concierge: Concierge) -> None:
    # 【届出の期限】 heads the 転入届 page's 14日以内: the 出生届 page still answers 出生届は何日以内
    r = ask(pages_concierge, "三鷹市で子どもが生まれたら出生届は何日以内に出しますか")
    assert r.citations and r.citations[0].url == URL["mitaka-shussei"], r.citations
    # a title word weighs as a sentence's own: 転入の手続き is asked of the 転入届 page, not of the 出生届 page's
    # 1階9番窓口 (before, once 何番の窓口 asked a place)
    r = ask(pages_concierge, "三鷹市の てんにゅうの 手つづきは 市やくしょ 1かいの 何ばんの まどぐちですか。")
    assert r.citations and r.citations[0].url == URL["mitaka-tennyu"], r.citations
    assert "7番" in r.reply, r.reply
    # 【送り先】 is a chunk of its own: the page's quote is its address
    r = ask(pages_concierge, "東村山市に転出届を郵送するときの送り先を教えてください")
    assert r.citations and r.citations[0].url == URL["higashimurayama"], r.citations
    assert "189-8501" in r.reply, r.reply


def test_an_english_question_names_the_page_of_the_procedure_its_words_stand_for(answerer: Answerer) -> None:
    """'child rearing allowance' stands for 児童育成手当: the page that writes it is the page the question names,
    as 児童育成手当はいくら names it in Japanese (a page of another allowance does not)."""
    ikusei = _hit(
        "東京都が定める手当です。", "児童育成手当", url="https://www.city.example.lg.jp/ikusei.html"
    )
    other = _hit(
        "・金額：対象児童1人につき2万円",
        "物価高対応子育て応援手当",
        url="https://www.city.example.lg.jp/o.html",
    )
    for q in ("How much is the child rearing allowance per month?", "児童育成手当は月いくらですか"):
        assert answerer._pages_naming(q, answerer.written(q), [ikusei, other]) == {ikusei.url}


def test_a_question_naming_a_procedure_is_answered_from_its_pages(pages_concierge: Concierge) -> None:
    """羽村市's 児童育成手当 page states no amount; the 物価高対応子育て応援手当 page's 2万円 is another allowance's, so it
    is not quoted as the answer (before: it was, beside the catalog's own amount)."""
    for q in (
        "Hamura: how much is the child rearing allowance per month?",
        "羽村市の児童育成手当は月いくらですか",
    ):
        r = ask(pages_concierge, q)
        assert r.citations and r.citations[0].url == URL["hamura-ikusei"], r.citations
        assert "2万円" not in r.reply and "20,000" not in r.reply, r.reply
