"""BM25 (built with bm25s, read back with numpy: ``SavedBM25``) over Sudachi-normalised tokens, persisted as a
folder beside Chroma.

The folder also keeps each chunk's id, text and metadata, so keyword-only hits can be shown without a round trip
to the vector store, and ``page_count`` is known without one.

Example::

    >>> idx = KeywordIndex.build(["c1", "c2"], ["出生届は14日以内", "転入届"], [{"url": "u1"}, {"url": "u2"}])
    >>> idx.search("あかちゃん うまれた 届", k=1)[0][0]
    'c1'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.japanese import KanaReadings, reading_counts, search_text, tokens

_CHUNKS = "chunks.json"
_READINGS = "readings.json"


class SavedBM25:
    """A BM25 matrix as bm25s saves it, read and scored with numpy alone (no bm25s, no scipy in the server: about
    40 MB less per process); ``get_scores`` adds the same float32 columns in the same order as
    ``bm25s.BM25.get_scores``, so the scores are equal. Ingest still builds and saves the matrix with bm25s."""

    def __init__(self, folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") in ("bm25l", "bm25+"):  # never built here (see ``build``)
            raise ValueError(f"BM25 method {params['method']!r} needs bm25s to score")
        self.vocab: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.data = np.load(folder / "data.csc.index.npy", allow_pickle=False)
        self.indices = np.load(folder / "indices.csc.index.npy", allow_pickle=False)
        self.indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False)
        self.num_docs = int(params["num_docs"])
        self.dtype = np.dtype(params.get("dtype", "float32"))

    def get_scores(self, query_tokens: list[str]) -> np.ndarray:
        """One BM25 score per document for the tokens of a query (tokens outside the vocabulary count nothing)."""
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        for tid in (self.vocab[t] for t in query_tokens if t in self.vocab):
            start, end = self.indptr[tid], self.indptr[tid + 1]
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores


class KeywordIndex:
    """An immutable BM25 index over chunks; build it whole, save it, load it."""

    def __init__(
        self,
        bm25: Any,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        reading_counts_: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self._bm25 = bm25
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self._pos = {cid: i for i, cid in enumerate(ids)}
        self._by_url: dict[str, list[int]] = {}  # page URL -> its chunks' positions, in page order
        for i, m in enumerate(metadatas):
            self._by_url.setdefault(str(m.get("url", "")), []).append(i)
        self._muni = np.array([m.get("municipality") or "" for m in metadatas], dtype=object)
        self._reading_counts = reading_counts_
        self._readings: KanaReadings | None = None

    @property
    def readings(self) -> KanaReadings:
        """Kana readings of the words in the indexed texts (for kana-only queries); computed once if not saved."""
        if self._readings is None:
            if self._reading_counts is None:
                self._reading_counts = reading_counts(self.texts)
            self._readings = KanaReadings(self._reading_counts)
        return self._readings

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> KeywordIndex:
        """Index ``texts`` (title and heading path are expected inside each text)."""
        import bm25s

        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokens(search_text(t)) or ["\u2205"] for t in texts]
        if corpus:
            bm25.index(corpus, show_progress=False)
        texts = list(texts)
        return cls(
            bm25 if corpus else None, list(ids), texts, [dict(m) for m in metadatas], reading_counts(texts)
        )

    def save(self, folder: Path) -> None:
        if isinstance(self._bm25, SavedBM25):
            raise TypeError("a loaded keyword index is read-only: build a new one to save it")
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)
        payload = {"ids": self.ids, "texts": self.texts, "metadatas": self.metadatas}
        (folder / _CHUNKS).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        if self._reading_counts is not None:
            (folder / _READINGS).write_text(
                json.dumps(self._reading_counts, ensure_ascii=False), encoding="utf-8"
            )

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """The index saved in ``folder``, for searching (it is not saved again: ingest builds a new one)."""
        payload = json.loads((folder / _CHUNKS).read_text(encoding="utf-8"))
        bm25 = SavedBM25(folder) if payload["ids"] else None
        # indexes built before readings were kept compute them on first use
        readings_file = folder / _READINGS
        counts = json.loads(readings_file.read_text(encoding="utf-8")) if readings_file.exists() else None
        return cls(bm25, payload["ids"], payload["texts"], payload["metadatas"], counts)

    def __len__(self) -> int:
        return len(self.ids)

    def page_count(self) -> int:
        return len(self._by_url)

    def position(self, chunk_id: str) -> int | None:
        return self._pos.get(chunk_id)

    def page_positions(self, url: str) -> list[int]:
        """Positions of the chunks of the page at ``url``, in page order (a dict lookup, not a scan)."""
        return self._by_url.get(url, [])

    def search(self, query: str, k: int = 20, municipality: str | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; only positive scores; filter = that municipality + Tokyo-wide."""
        q = tokens(query)
        if not q or self._bm25 is None:
            return []
        scores = self._bm25.get_scores(q)
        if municipality is not None:
            scores = np.where((self._muni == municipality) | (self._muni == ""), scores, 0.0)
        n = min(k, len(scores))
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
