"""Sudachi normalisation for BM25, NFKC search text, and the kana-only query rewriter."""

from __future__ import annotations

import importlib.util
import threading

from knowledge.japanese import (
    KanaReadings,
    is_kana_only,
    reading_counts,
    rewrite_kana_query,
    search_text,
    tokens,
)


def test_tokens_are_normalised_content_words() -> None:
    assert tokens("あかちゃん うまれた") == ["赤ちゃん", "生まれる"]
    assert tokens("赤ちゃんが生まれました") == ["赤ちゃん", "生まれる"]
    assert tokens("国民健康保険") == ["国民", "健康", "保険"]  # split mode A


def test_full_width_and_english() -> None:
    assert search_text("ＡＢＣ１２３") == "ABC123"
    assert tokens("I am moving to Osaka") == ["mov", "osaka"]


def test_kana_only_detection_and_rewrite() -> None:
    assert is_kana_only("あかちゃん うまれた")
    assert not is_kana_only("赤ちゃん うまれた")
    assert not is_kana_only("baby")
    assert rewrite_kana_query("あかちゃん うまれた") == "赤ちゃん 生まれる"
    assert rewrite_kana_query("ひっこしの てつづき") == "引っ越すの 手続き"
    assert rewrite_kana_query("出生届 うまれた") == "出生届 うまれた"  # mixed queries stay as written


def test_tokenizer_is_shared_and_thread_safe() -> None:
    errors: list[Exception] = []

    def work() -> None:
        try:
            for _ in range(200):
                assert tokens("転入届と国民健康保険の加入") == [
                    "転入",
                    "届け",
                    "国民",
                    "健康",
                    "保険",
                    "加入",
                ]
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_kana_readings_write_kana_queries_with_the_index_words() -> None:
    texts = [
        "児童手当の認定請求は出生日の翌日から15日以内。",
        "保育園の入園申込みは前月10日まで。児童手当と保育園。",
        "国民健康保険に加入する。介護保険の要介護認定。",
        "配偶者の妻、児童手当、保育園、国民健康保険、介護保険、要介護認定、加入する。",
    ]
    readings = KanaReadings(reading_counts(texts))
    assert readings.rewrite("じどうてあて もらいたい") == "児童手当 もらいたい"
    assert (
        readings.rewrite("ほいくえんに はいりたい") == "保育園に はいりたい"
    )  # compounds beat 保育 + 園 (円)
    assert readings.rewrite("こくみんけんこうほけん かにゅう") == "国民健康保険 加入"
    assert readings.rewrite("ようかいごにんてい") == "要介護認定"
    # a short reading does not start inside an unknown word (いつまで is not い + 妻 + で)
    assert readings.rewrite("じどうてあて いつまで") == "児童手当 いつまで"
    # queries with kanji or Latin letters stay as written; words seen once are not trusted
    assert readings.rewrite("児童手当 いつまで") == "児童手当 いつまで"
    assert readings.rewrite("はいぐうしゃ") == "はいぐうしゃ"


def test_scripts_are_told_apart_in_one_place() -> None:
    from knowledge.japanese import has_japanese, has_kanji, is_english, is_english_query

    assert (
        has_kanji("出生届") and has_kanji("佐々木"[1]) and has_kanji("〆切") and has_kanji("㐂")
    )  # 々, ext. A
    assert (
        not has_kanji("あかちゃん うまれた") and not has_kanji("ハローワーク") and not has_kanji("We moved")
    )
    assert has_japanese("あかちゃん") and has_japanese("ハロー") and not has_japanese("funeral benefit")
    assert is_english("We moved to Setagaya (世田谷)") and not is_english("世田谷区に引っ越した")
    assert not is_english_query("funeral 葬祭費") and is_english_query("funeral benefit")


def test_kana_and_english_words_are_normalised_once_for_the_bot_and_the_index() -> None:
    from knowledge import japanese

    assert japanese.to_hiragana("ヴァイオリン ヶ月") == "ゔぁいおりん ゖ月"
    assert japanese.norm("ＡＢＣ　コドモ") == "abc こども"  # NFKC: the ideographic space too
    assert japanese.compact("あかちゃん うまれた！") == "あかちゃんうまれた"
    assert japanese.en_words("Moving, moved, moves") == {"mov"}
    assert japanese.en_words("The funeral benefits") == {"the", "funeral", "benefit"}
    assert japanese.tokens("The funeral benefits") == ["funeral", "benefit"]  # the same stem, less stop words
    # one home: the bot has no text module of its own any more
    assert importlib.util.find_spec("bot.text") is None


def test_question_words_and_endings_are_never_read_as_content_words() -> None:
    # words the index holds whose readings start question words and endings: 行く (いく), 今 (いま), 定期 (ていき),
    # 愛 (あい), 要 (よう), 何時 (なんじ); each twice, so the reader trusts them
    texts = [
        "葬祭費は窓口に行く。今すぐ定期の申請。愛の手帳。要介護。何時から開庁。",
        "行く前に今の定期を確認。愛の手帳と要介護。何時まで。葬祭費の申請。",
    ]
    readings = KanaReadings(reading_counts(texts))
    assert readings.rewrite("そうさいひは いくら もらえますか") == "葬祭費は いくら もらえますか"
    assert readings.rewrite("なにを もっていきますか") == "なにを もっていきますか"
    assert (
        readings.rewrite("まどぐちは なんじまで あいて いますか") == "まどぐちは なんじまで あいて いますか"
    )
    for kept in ("いつ", "どこで", "どうやって", "ください", "できますか", "なんさい"):
        assert readings.rewrite(f"そうさいひ {kept}") == f"葬祭費 {kept}"
    # a content word longer than the question word at the same place still wins (ていきの is not ていく + の)
    assert readings.rewrite("ていきの しんせい") == "定期の 申請"
    # in やさしい日本語 with kanji, kana written inside a word stays as written (土よう日 is not 土要日)
    assert readings.rewrite_around("区役所は 土よう日 なんじまで") == "区役所は 土よう日 なんじまで"


def test_other_readings_of_index_words() -> None:
    texts = ["出生届は14日以内。出生届と児童手当。", "出生届の届出。"]
    readings = KanaReadings(reading_counts(texts))
    assert readings.rewrite("しゅっしょうとどけ いつまで") == "出生届 いつまで"
    assert readings.rewrite("しゅっせいとどけ いつまで") == "出生届 いつまで"  # not しゅっ + 生徒 + どけ
