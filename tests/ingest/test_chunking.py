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


_LONG_HEADING = "転入届（マイナポータルでオンライン申請をしたとき）に必要なもの"


def _packed_then_long_section() -> Page:
    """A short lead section packed with a 必要なもの section that fits by size, but whose long inline heading
    pushes its last item into a second chunk (the packing check allows 20 characters for the heading)."""
    items = [Block("item", f"必要な書類その{i}として本人確認ができる書類を持参") for i in range(6)]
    return _page(
        [
            Block("heading", "転入届", 1),
            Block("paragraph", "14日以内に届け出ます。"),
            Block("heading", _LONG_HEADING, 2),
            *items,
        ]
    )


def test_a_chunk_starting_inside_a_packed_section_keeps_that_sections_heading() -> None:
    chunks = Chunker(max_chars=200, min_chars=160)(_packed_then_long_section())
    assert len(chunks) == 2
    assert f"【{_LONG_HEADING}】" in chunks[0].body
    # the second chunk holds only items of that section: its heading path must say so
    assert chunks[1].heading == f"転入届 > {_LONG_HEADING}"
    assert chunks[1].text.startswith(f"児童手当\n転入届 > {_LONG_HEADING}\n・必要な書類その")


def test_an_inline_heading_is_not_left_dangling_at_a_chunk_end() -> None:
    long_item = Block(
        "item", "本人確認書類" + "、在留カード" * 26
    )  # fits the packing check, not with its heading
    page = _page(
        [
            Block("heading", "転入届", 1),
            Block("paragraph", "14日以内に届け出ます。"),
            Block("heading", _LONG_HEADING, 2),
            long_item,
        ]
    )
    chunks = Chunker(max_chars=200, min_chars=160)(page)
    assert not any(c.body.rstrip().endswith("】") for c in chunks)
    assert [c.heading for c in chunks] == ["転入届", f"転入届 > {_LONG_HEADING}"]
