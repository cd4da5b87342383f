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
