"""Japanese-aware chunking: headings, 。 boundaries, title and heading path in every chunk, stable ids."""

from __future__ import annotations

from ingest.chunking import Chunker, split_sentences
from ingest.models import Block, Page


def _page(blocks: list[Block], url: str = "https://example.lg.jp/p.html") -> Page:
    return Page(location="p.html", url=url, title="児童手当", blocks=blocks, municipality="131121")


def test_split_sentences_keeps_the_full_stop() -> None:
    assert split_sentences("申請してください。15日以内です！ 注意") == [
        "申請してください。",
        "15日以内です！",
        "注意",
    ]


def test_every_chunk_has_title_and_heading_path() -> None:
    long_para = "".join(
        f"児童手当の説明その{i}は中学生までの子どもを養育する方に関するものです。" for i in range(30)
    )
    page = _page(
        [
            Block("heading", "児童手当", 1),
            Block("heading", "申請", 2),
            Block("heading", "必要なもの", 3),
            Block("paragraph", long_para),
        ]
    )
    chunks = Chunker(max_chars=200)(page)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text.startswith("児童手当\n児童手当 > 申請 > 必要なもの\n")
        assert c.heading == "児童手当 > 申請 > 必要なもの"
        assert len(c.body) <= 200
        assert c.body.endswith("。")  # cut at sentence ends, not mid-sentence
        assert c.municipality == "131121"


def test_small_sections_are_packed_with_inline_headings() -> None:
    page = _page(
        [
            Block("heading", "児童手当", 1),
            Block("paragraph", "子どもが生まれたら申請します。"),
            Block("heading", "期限", 2),
            Block("paragraph", "出生日の翌日から15日以内です。"),
        ]
    )
    chunks = Chunker()(page)
    assert len(chunks) == 1
    assert "【期限】出生日の翌日から15日以内です。" in chunks[0].body


def test_tables_and_lists_keep_their_lines() -> None:
    page = _page(
        [
            Block("heading", "必要なもの", 2),
            Block("row", "| 書類 | 備考 |"),
            Block("row", "| 母子健康手帳 | 原本 |"),
            Block("item", "本人確認書類"),
        ]
    )
    (chunk,) = Chunker()(page)
    assert chunk.body.splitlines() == ["| 書類 | 備考 |", "| 母子健康手帳 | 原本 |", "・本人確認書類"]


def test_chunk_ids_derive_from_url_and_content() -> None:
    blocks = [Block("heading", "児童手当", 1), Block("paragraph", "申請します。")]
    a = Chunker()(_page(blocks))
    b = Chunker()(_page(blocks))
    c = Chunker()(_page(blocks, url="https://other.lg.jp/p.html"))
    d = Chunker()(_page([*blocks[:1], Block("paragraph", "申請しません。")]))
    assert [x.id for x in a] == [x.id for x in b]
    assert a[0].id != c[0].id and a[0].id != d[0].id


def test_duplicate_chunks_on_a_page_are_dropped() -> None:
    blocks = [
        Block("heading", "A", 2),
        Block("paragraph", "同じ文です。" * 40),
        Block("heading", "A", 2),
        Block("paragraph", "同じ文です。" * 40),
    ]
    chunks = Chunker()(_page(blocks))
    assert len({c.id for c in chunks}) == len(chunks)
