"""Which kind of answer a question asks, in any wording, and which sentence of the cited page gives it (issue #15,
session 8): causes found in new dev questions (evals/answers/s8-halves.yaml, half A) and older dev ones.

- 'what if …' opens a case, not a question word: 'what if we can't find the card - do I have to bring it?' asks yes
  or no; a later sentence opening with an auxiliary asks yes or no too ('My father died … . Will Taito still pay?').
- A condition inside an English question without a comma ('if I use X I never have to go') tells, the rest asks.
- A yes/no answer about just what the question names (保険証（ない場合は不要）) is the answer.
- A line opening with a case the question does not state (…退職後3か月以内に亡くなったときは) answers another question,
  in English as in Japanese.
- どこに持っていけば asks a place (持っていく names the errand); いつ もらえますか asks when, not yes or no;
  'until what age' asks an age; 'who applies' is answered by the line whose subject applies (里親が申請します).
- 平日 names Monday to Friday (the 月曜日から金曜日 row answers 平日は何時まで); よなかに is the pages' 夜間, and the
  night is when the office is closed (宿直・時間外・閉庁時間), unless the question asks an evening opening.

Unit tests read passages as page search returns them (restated from evals/answers/pages/)."""

from __future__ import annotations

import pytest

from bot.answer import Answerer, _days, question_kinds
from bot.gist_en import asked_part, english_yes_no
from knowledge.catalog import Catalog
from knowledge.retrieval_types import Hit


@pytest.fixture(scope="module")
def answerer(catalog: Catalog) -> Answerer:
    return Answerer(catalog, None)  # no index: the sentence of a given passage is chosen


def _hit(text: str, title: str, url: str = "https://www.city.example.lg.jp/p.html") -> Hit:
    return Hit("u#0", text, url, title, 1.0)


def test_what_if_opens_a_case_and_the_question_after_it_asks_yes_or_no() -> None:
    q = "what if we cant find dads insurance card - do I have to bring it for the Fuchu funeral benefit?"
    assert english_yes_no(q)  # before: 'what' read as a question word
    assert asked_part(q).lstrip("what ").startswith("do I have to bring it")
    assert not english_yes_no("What do I need to bring?")
    assert not english_yes_no("what about the form, where do I get it?")


def test_a_later_sentence_opening_with_an_auxiliary_asks_yes_or_no() -> None:
    assert english_yes_no("My father died in a traffic accident. Will Taito still pay the funeral benefit?")
    assert not english_yes_no("My father died. How much is the funeral benefit?")


def test_a_condition_without_a_comma_tells_and_the_rest_asks() -> None:
    q = "is it true that if i use Akiruno's online move-out i never have to go to any city office at all?"
    assert "online" not in asked_part(q) and "never have to go" in asked_part(q)
    assert asked_part("If I send it online, do I still have to go?") == "do I still have to go?"


def test_a_yes_no_answer_about_just_what_is_named_is_the_answer(answerer: Answerer) -> None:
    text = (
        "【ほかに持ってくるもの】\n・喪主の印鑑（朱肉を使う認印）\n・振込先の口座番号がわかるもの（預金通帳など）\n"
        "・亡くなった方の保険証（ない場合は不要）\n【提出する書類】\n・後期高齢者医療保険葬祭費支給申請書"
    )
    hit = _hit(text, "加入者が亡くなったときの葬祭費（後期高齢者医療制度）")
    q = "what if we cant find dads insurance card - do I have to bring it for the Fuchu late-stage elderly funeral benefit?"
    sent, _ = answerer._sentence(q, hit)
    assert "ない場合は不要" in sent, sent  # before: the 申請書 item (a document named, no yes or no)


def test_a_line_about_a_case_not_stated_answers_another_question(answerer: Answerer) -> None:
    text = (
        "・勤め先の健康保険に本人として入っていた方が退職後3か月以内に亡くなったときは、以前の健康保険に問い合わせて"
        "ください。ほかの保険から葬祭費にあたる給付を受けたときは支給されません。\n"
        "・交通事故など第三者の行為による死亡では、支給されないことがあります。"
    )
    hit = _hit(text, "葬祭費の支給（国民健康保険）")
    sent, _ = answerer._sentence(
        "My father died in a traffic accident. Will Taito still pay the kokuho funeral benefit?", hit
    )
    assert "交通事故" in sent, (
        sent
    )  # before: the 退職後3か月以内 line (it says 支給されません for another case)


def test_where_to_take_it_asks_a_place_and_when_paid_asks_when() -> None:
    kinds = question_kinds(
        "としまくで よなかに しゅっしょうとどけを だしたい ときは どこに もっていけば いいですか"
    )
    assert kinds[0] == "place" and "documents" not in kinds  # before: ['documents', 'place']
    assert "documents" in question_kinds("出生届を出すとき、何を持っていけばいいですか")
    assert question_kinds("じどうてあては いつ もらえますか") == ["date"]  # before: ['yesno']
    assert question_kinds("とうきょうとの 018さぽーとは いつ もらえますか")[0] == "date"
    assert question_kinds("when will I get the money from Musashino?")[0] == "date"
    assert question_kinds("郵送でも申請できますか") == ["apply"]


def test_until_what_age_asks_an_age(answerer: Answerer) -> None:
    assert question_kinds("Until what age does Chiyoda pay child allowance?")[0] == "age"
    assert question_kinds("千代田区の児童手当は子どもが何歳になるまでもらえますか") == [
        "eligibility"
    ]  # unchanged
    text = (
        "【手当を受け取れる方】日本国内に住み、0歳から高校生年代まで（18歳になった日以後の最初の3月31日まで）の"
        "子どもを育てている家計の中心となる方（父母のうち所得の高い方）です。\n"
        "父母に代わって子どもを育てている方、未成年後見人、父母が海外に住んでいる場合に国内で子どもを育てている方、"
        "離婚協議中で子どもと同居している父または母なども対象になります。"
    )
    sent, _ = answerer._sentence(
        "Until what age does Chiyoda pay child allowance?", _hit(text, "児童手当の支給対象者")
    )
    assert "18歳" in sent, sent  # before: the …なども対象になります sentence


def test_who_applies_is_the_line_whose_subject_applies(answerer: Answerer) -> None:
    text = (
        "・子どもが国外に住んでいる場合は支給されません。留学のためなら対象になることがあります。\n"
        "・児童福祉施設などに入所している子どもは施設の設置者などが、里親に委託されている子どもは里親が申請します。"
    )
    q = "Our child is placed with a foster parent. Who applies for the child allowance in Minato?"
    sent, _ = answerer._sentence(q, _hit(text, "児童手当"))
    assert "里親が申請します" in sent, sent  # before: the 国外 line (対象, 場合 read as who is eligible)


def test_weekdays_named_as_heijitsu_pick_the_monday_to_friday_row(answerer: Answerer) -> None:
    assert _days("平日") == {"月曜", "火曜", "水曜", "木曜", "金曜"}
    assert _days("月曜日から金曜日 午前8時30分から") == _days("平日")
    assert _days("土曜日・日曜日 午前9時から") == {"土曜", "日曜"}
    text = (
        "【本庁舎の受付時間】\n・月曜日から金曜日 午前8時30分から午後5時まで（海外からの転入など一部の手続き、"
        "マイナンバーカードの住所書換えは午後4時30分まで）\n・土曜日・日曜日 午前9時から午後3時まで（海外からの転入は"
        "扱いません）"
    )
    q = "海外から豊島区に転入する場合、平日は何時までに区役所に行けばいいですか"
    sent, _ = answerer._sentence(q, _hit(text, "豊島区内に転入したときは（転入届）"))
    assert "月曜日から金曜日" in sent, sent  # before: the 土曜日・日曜日 row


def test_the_night_is_when_the_office_is_closed_unless_an_opening_is_asked(answerer: Answerer) -> None:
    written = answerer.written(
        "としまくで よなかに しゅっしょうとどけを だしたい ときは どこに もっていけば いいですか"
    )
    assert "夜間" in written and "宿直" in written
    opening = answerer.written("東大和市の 夜間 開庁で 市民課は 何番 窓口 ですか")
    assert "宿直" not in opening  # an evening opening is office hours, not the desk after them


def test_more_wordings_find_their_kind() -> None:
    # how long it takes, in days, months or weeks, is a period (before: no kind, or only yes/no)
    assert question_kinds("マイナンバーカードは何日くらいかかりますか")[0] == "deadline"
    assert question_kinds("交付まで何か月かかる？")[0] == "deadline"
    assert question_kinds("how long does it take to get the card?")[0] == "deadline"
    assert question_kinds("how far in advance can I file the moving-out notice?")[0] == "deadline"
    # どちらに is a polite どこに; 何万円 / 無料 ask an amount; who files or signs asks the person
    assert question_kinds("どちらに提出すればいいですか") == ["place"]
    assert question_kinds("葬祭費は何万円ですか") == ["amount"]
    assert question_kinds("is it free to get the card?")[0] == "amount"
    assert question_kinds("Who has to sign the birth registration?")[0] == "eligibility"
