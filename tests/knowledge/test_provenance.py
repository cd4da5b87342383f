"""Who published a source: kinds come from the maintained host table, never from a guess per entry."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.catalog import default_catalog
from knowledge.check import check_catalog
from knowledge.provenance import parse_page_date


@pytest.mark.parametrize(
    ("url", "kind", "publisher"),
    [
        ("https://www.city.setagaya.lg.jp/mokuji/kurashi/x.html", "municipal", "世田谷区"),
        ("https://faq.city.shinjuku.lg.jp/a.html", "municipal", "新宿区"),
        ("https://www.city.kodaira.tokyo.jp/x.html", "municipal", "小平市"),  # the older reserved host too
        ("https://www.fukushi.metro.tokyo.lg.jp/x", "metropolitan", "東京都"),
        ("https://www.mhlw.go.jp/x", "national", "厚生労働省"),
        ("https://www.nenkin.go.jp/x", "public-body", "日本年金機構"),
        ("https://www.kyoukaikenpo.or.jp/x", "public-body", "全国健康保険協会（協会けんぽ）"),
        ("https://www.miyakotenrei.com/x", "private", "miyakotenrei.com"),
        (
            "https://kosodate-machida.tokyo.jp/x",
            "private",
            "kosodate-machida.tokyo.jp",
        ),  # open .tokyo.jp domain
        ("https://www.city.hamamatsu.shizuoka.jp/x", "municipal", "浜松市（静岡県）"),
    ],
)
def test_kind_and_publisher_from_the_table(url: str, kind: str, publisher: str) -> None:
    prov = default_catalog().provenance(url)
    assert prov is not None
    assert (prov.kind, prov.publisher) == (kind, publisher)
    assert prov.official == (kind in {"municipal", "metropolitan", "national", "public-body"})


def test_a_cache_copy_keeps_the_official_address_and_is_not_official() -> None:
    cat = default_catalog()
    prov = cat.provenance("https://www-city-suginami-tokyo-jp.cache.yimg.jp/kurashi/a.html")
    assert prov is not None and prov.kind == "copy-of-official" and not prov.official
    assert prov.publisher == "杉並区"
    assert prov.official_url == "https://www.city.suginami.tokyo.jp/kurashi/a.html"
    dotted = cat.provenance("http://www.city.setagaya.lg.jp.cache.yimg.jp/x.html")
    assert dotted is not None and dotted.kind == "copy-of-official" and dotted.municipality == "131121"


def test_an_unknown_host_cannot_be_decided_and_the_check_fails() -> None:
    cat = default_catalog()
    assert cat.provenance("https://unknown-blog.example.com/post") is None
    assert check_catalog(cat).ok  # every host the catalog cites today is in the table
    assert not cat.publishers.unknown_hosts(s.url for _, s in cat.iter_sources())


def test_page_date_is_what_the_page_states() -> None:
    assert parse_page_date("<p>更新日：2024年4月1日</p>") == dt.date(2024, 4, 1)
    assert parse_page_date("最終更新日 2025年12月3日") == dt.date(2025, 12, 3)
    assert parse_page_date("令和6年の制度について") is None


def test_an_undecidable_host_is_described_as_private_by_its_host() -> None:
    prov = default_catalog().publishers.describe("https://www.unknown-blog.example.com/post")
    assert (prov.kind, prov.publisher, prov.official) == ("private", "unknown-blog.example.com", False)


def test_a_municipality_page_speaks_only_for_that_municipality() -> None:
    cat = default_catalog()
    ota = cat.provenance("https://www.city.ota.tokyo.jp/seikatsu/x.html")
    assert ota is not None and ota.local and ota.municipality == "131113"
    assert ota.other_municipality("131121") and not ota.other_municipality("131113")
    outside = cat.provenance("https://www.city.hamamatsu.shizuoka.jp/x")  # another prefecture: never "own"
    assert outside is not None and outside.other_municipality("131121")
    copy = cat.provenance("http://www.city.setagaya.lg.jp.cache.yimg.jp/x.html")
    assert copy is not None and copy.local and not copy.other_municipality("131121")
    tokyo = cat.provenance("https://www.fukushi.metro.tokyo.lg.jp/x")
    national = cat.provenance("https://www.mhlw.go.jp/x")
    assert tokyo and national and not tokyo.other_municipality("131121")
    assert not national.other_municipality("131121")


def test_badge_words_for_every_kind_and_the_page_date() -> None:
    from knowledge.provenance import badge_text, kind_label, page_date_label

    assert [kind_label(k) for k in ("municipal", "public-body", "private", "copy-of-official")] == [
        "公式",
        "公的機関",
        "非公式・要確認",
        "保存コピー",
    ]
    assert kind_label("private", "en") == "Unofficial – please confirm"
    assert page_date_label(None) == "ページに日付の記載なし"  # never the check date
    assert badge_text("municipal", dt.date(2025, 4, 1), True) == (
        "公式・参考：他の区市町村のページ・ページの日付 2025年4月1日"
    )
    assert badge_text("private", None, lang="en") == "Unofficial – please confirm; page states no date"
    # やさしい日本語 (an easy calendar feed or reply): kana or 小学校 kanji only, never the ordinary-Japanese words
    from evals.metrics import non_easy_kanji

    easy = badge_text("private", None, True, "easy")
    assert (
        easy
        == "公式では ない・たしかめて ください・さんこう：ほかの 区や 市の ページ・ページに 日づけは 書いて ありません"
    )
    assert not non_easy_kanji(easy) and not non_easy_kanji(
        badge_text("copy-of-official", dt.date(2025, 4, 1), lang="easy")
    )


def test_validity_filters_ended_and_future_schemes() -> None:
    from knowledge.validity import in_force

    cat = default_catalog()
    gift = cat.procedure("koto-birth-childcare-gift", "131083")
    assert gift.valid_until == dt.date(2025, 3, 31) and gift.sources  # ended, with its sources kept
    assert in_force(gift, dt.date(2025, 3, 31)) is not None
    assert in_force(gift, dt.date(2025, 4, 1)) is None
    new = cat.procedure("pregnancy-support-payment-birth")
    assert in_force(new, dt.date(2025, 3, 31)) is None and in_force(new, dt.date(2025, 4, 1)) is not None
    allowance = cat.procedure("child-allowance")
    ended = allowance.model_copy(
        update={"amounts": [allowance.amounts[0].model_copy(update={"valid_until": dt.date(2026, 9, 30)})]}
    )
    assert in_force(ended, dt.date(2026, 9, 30)).amounts  # type: ignore[union-attr]
    assert in_force(ended, dt.date(2026, 10, 1)).amounts == []  # type: ignore[union-attr]


def test_a_file_without_a_web_address_has_an_unknown_publisher() -> None:
    prov = default_catalog().publishers.describe("/srv/pages/tokyo/moving-checklist.md")
    assert (prov.kind, prov.publisher) == ("private", "発行元不明")
