"""Main-content extraction on municipal-style fixture pages: chrome out, body and tables in, encodings right."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import Chunker
from ingest.decode import declared_charset, decode
from ingest.extract import (
    CanonicalPolicy,
    Extractor,
    clean_blocks,
    parse_updated,
    rules_blocks,
    trafilatura_blocks,
)
from ingest.models import Block, Fetched, PageRefused
from ingest.sources import read_page_file

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

CHROME = [
    "くらし・手続き",  # global navigation
    "文字サイズ",  # header tools
    "トップページ",  # breadcrumbs
    "ホーム",
    "このページの情報は役に立ちましたか",  # feedback box
    "役に立った",
    "Copyright",  # footer
    "代表",
    "このカテゴリーの他のページ",  # side menu
    "婚姻届",
    "window.dataLayer",  # script
    "サイト内検索",  # search form
    "動画で見る",  # iframe title
]


# the fixture pages are curated copies: their directory may name any canonical URL (as the seeds may)
TRUSTED = CanonicalPolicy(directories={PAGES: ["*"]})


def _page(rel: str, **kw: object):
    kw.setdefault("canonical_ok", TRUSTED)
    return Extractor(**kw)(read_page_file(PAGES / rel))  # type: ignore[arg-type]


@pytest.mark.parametrize("primary", ["trafilatura", "rules", "auto"])
@pytest.mark.parametrize(
    "rel", ["setagaya/birth.html", "hachioji/moving-in.html", "hachioji/nhi.html", "tokyo/018-support.html"]
)
def test_chrome_is_absent_from_chunks(rel: str, primary: str) -> None:
    chunks = Chunker()(_page(rel, primary=primary))
    assert chunks
    text = "\n".join(c.text for c in chunks)
    for phrase in CHROME:
        assert phrase not in text, f"{phrase!r} leaked into the chunks of {rel} ({primary})"


@pytest.mark.parametrize("primary", ["trafilatura", "rules"])
def test_body_table_survives_as_rows(primary: str) -> None:
    page = _page("setagaya/birth.html", primary=primary)
    rows = [b.text for b in page.blocks if b.kind == "row"]
    assert "| 母子健康手帳 | 出生届出済証明の記入に使います |" in rows
    assert any("出生届書・出生証明書" in r for r in rows)
    text = "\n".join(c.text for c in Chunker()(page))
    assert "| 届出人の本人確認書類 | マイナンバーカード、運転免許証など |" in text


def test_metadata_canonical_title_municipality_updated() -> None:
    page = _page("setagaya/birth.html")
    assert page.url == "https://www.city.setagaya.lg.jp/mokuji/kurashi/001/001/d00001.html"
    assert page.title == "出生届"
    assert page.municipality == "131121"  # <meta name="municipality-code">
    assert page.updated == "2026-04-01"
    assert "ページ番号" not in page.text and "更新日" not in page.text


def test_shift_jis_page_decodes() -> None:
    raw = (PAGES / "hachioji/moving-in.html").read_bytes()
    assert declared_charset(raw) == "cp932"
    page = _page("hachioji/moving-in.html")
    assert page.title == "転入届（引っ越してきたとき）"
    assert "住み始めた日から14日以内に転入届" in page.text
    assert "髙橋" in page.text and "①②" in page.text  # cp932 extensions survive
    assert page.updated == "2026-03-15"  # 令和8年3月15日
    assert "| 転出証明書 |" in page.text


def test_euc_jp_page_decodes_and_host_gives_municipality() -> None:
    page = _page("hachioji/nhi.html", hosts={"www.city.hachioji.tokyo.jp": "132012"})
    assert "国民健康保険の加入の届出" in page.text
    assert page.municipality == "132012"  # no meta: from the URL host via the catalog's websites
    assert page.updated == "2026-02-10"


def test_municipality_none_for_tokyo_wide_and_folder_fallback() -> None:
    assert _page("tokyo/018-support.html").municipality is None
    page = _page("hachioji/nhi.html", names={"hachioji": "132012"})
    assert page.municipality == "132012"


def test_wrong_declaration_falls_back_to_detection() -> None:
    data = '<meta charset="utf-8"><p>国民健康保険の加入の手続きについてご案内します。</p>'.encode("cp932")
    assert "国民健康保険の加入" in decode(data)


def test_markdown_and_text_pages() -> None:
    md = _page("tokyo/moving-checklist.md")
    assert md.title == "引っ越しの手続きチェックリスト"
    assert any(b.kind == "item" and b.text.startswith("転入届") for b in md.blocks)
    txt = _page("tokyo/pension-note.txt")
    assert txt.title == "国民年金の手続き"
    assert "種別変更" in txt.text


def test_binary_and_huge_pages_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PageRefused, match="binary"):
        read_page_file(PAGES / "tokyo/broken.html")
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"a" * 2000 + b"</p>")
    with pytest.raises(PageRefused, match="too large"):
        read_page_file(big, max_bytes=1000)


def test_page_without_content_is_refused() -> None:
    html = b"<html><head><title>x</title></head><body><nav>menu</nav></body></html>"
    with pytest.raises(PageRefused):
        Extractor()(Fetched("empty.html", html))


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("更新日：2026年4月1日", "2026-04-01"),
        ("最終更新日 2025年12月3日", "2025-12-03"),
        ("更新日：令和8年4月1日", "2026-04-01"),
        ("最終更新日：令和元年5月1日", "2019-05-01"),
        ("更新日:2026/4/1", "2026-04-01"),
        ("更新日：２０２６年４月１日", "2026-04-01"),
        ("公開しました", None),
    ],
)
def test_parse_updated(text: str, iso: str | None) -> None:
    assert parse_updated(text) == iso


def test_clean_blocks_drops_feedback_sections_and_furniture() -> None:
    blocks = [
        Block("heading", "手続き", 1),
        Block("paragraph", "ページ番号：12345"),
        Block("paragraph", "本文です。"),
        Block("heading", "このページの情報は役に立ちましたか", 2),
        Block("paragraph", "役に立った"),
        Block("heading", "お問い合わせ", 2),
        Block("paragraph", "電話 03-0000-0000"),
    ]
    texts = [b.text for b in clean_blocks(blocks)]
    assert texts == ["手続き", "本文です。", "お問い合わせ", "電話 03-0000-0000"]


def test_compare_extractors_on_fixtures() -> None:
    from ingest.bench import compare_extractors

    result = compare_extractors(PAGES)
    assert result["pages"] == 4
    for name in ("trafilatura", "rules", "auto"):
        assert result[name]["content_recall"] > 0.9 and result[name]["chrome_leak"] == 0.0


def test_extractors_agree_on_the_body() -> None:
    html = (PAGES / "setagaya/birth.html").read_text(encoding="utf-8")
    a = {b.text for b in clean_blocks(trafilatura_blocks(html))}
    b = {b.text for b in clean_blocks(rules_blocks(html))}
    assert (
        "原則として父または母が届出人となります。父母が届出できない場合は、同居者、出産に立ち会った医師・助産師などが届出人となります。"
        in a & b
    )


def test_the_page_date_is_what_the_page_states_in_text_meta_or_time() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from ingest.extract import stated_date

    meta = '<html><head><meta property="article:modified_time" content="2024-05-10T09:00:00+09:00"></head></html>'
    assert stated_date(LexborHTMLParser(meta)) == "2024-05-10"
    time = '<html><body><time datetime="2023-02-14">2023年2月14日</time></body></html>'
    assert stated_date(LexborHTMLParser(time)) == "2023-02-14"
    assert stated_date(LexborHTMLParser("<html><body><p>no date</p></body></html>")) is None
