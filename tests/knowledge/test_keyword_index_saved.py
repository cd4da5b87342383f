"""The server reads the saved BM25 matrix with numpy alone (issue #17: memory per worker) and scores like bm25s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest

from knowledge.japanese import tokens
from knowledge.keyword_index import KeywordIndex, SavedBM25

TEXTS = [
    "出生届は生まれた日を含めて14日以内に提出してください。",
    "転入届は引っ越してから14日以内に、新しい住所の区役所へ。",
    "国民健康保険の加入は、資格を得た日から14日以内に届け出ます。",
    "児童手当の認定請求は、出生日の翌日から15日以内に。",
    "Moving out: submit the notice of moving out before you move.",
    "葬祭費は、国民健康保険の被保険者が亡くなったとき、葬儀を行った方に支給されます。",
]
QUERIES = [
    "出生届 期限",
    "引っ越し 転入届",
    "国民健康保険",
    "moving notice",
    "葬祭費 いくら",
    "存在しない語彙",
]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    meta = [{"url": f"https://example.jp/{i}", "municipality": "世田谷区" if i % 2 else ""} for i in range(6)]
    KeywordIndex.build([f"c{i}" for i in range(6)], TEXTS, meta).save(tmp_path)
    return tmp_path


def test_saved_matrix_scores_equal_bm25s_scores(saved: Path) -> None:
    mine, ref = SavedBM25(saved), bm25s.BM25.load(str(saved), show_progress=False)
    for q in QUERIES:
        toks = tokens(q)
        a, b = mine.get_scores(toks), ref.get_scores(toks)
        assert a.dtype == b.dtype and np.array_equal(a, b), q
    assert mine.get_scores(tokens("出生届"))[0] > 0


def test_loaded_index_searches_like_the_built_one(saved: Path) -> None:
    built = KeywordIndex.build(
        [f"c{i}" for i in range(6)],
        TEXTS,
        [{"url": f"https://example.jp/{i}", "municipality": "世田谷区" if i % 2 else ""} for i in range(6)],
    )
    loaded = KeywordIndex.load(saved)
    for q in QUERIES:
        for muni in (None, "世田谷区"):
            assert loaded.search(q, k=3, municipality=muni) == built.search(q, k=3, municipality=muni), q
    with pytest.raises(TypeError):
        loaded.save(saved / "again")


def test_loading_an_index_imports_neither_bm25s_nor_scipy(saved: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from knowledge.keyword_index import KeywordIndex; "
        f"i = KeywordIndex.load(Path({str(saved)!r})); assert i.search('出生届', k=1)[0][0] == 'c0'; "
        "print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
