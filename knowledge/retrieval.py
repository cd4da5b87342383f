"""Hybrid page search: dense (Chroma + our embeddings) fused with BM25 over Sudachi tokens.

``HybridRetriever`` implements ``PageSearcher`` (``bot.integrations.langchain.PageRetriever`` is its LangChain
retriever view). The active index is re-read whenever ``INDEX_DIR/active.json`` changes, so a running app picks up
a new ingest without a restart. Kana-only queries are read against the index's own vocabulary (the kana readings
of its words and compounds, kept beside BM25: じどうてあて -> 児童手当), place names first (ふちゅうしで -> 府中市で),
and the reading is used by both rankings; with ``FusionConfig.kana_readings`` off they fall back to Sudachi
normalised forms for the dense query only (あかちゃん うまれた -> 赤ちゃん 生まれる).

Example::

    >>> searcher = build_searcher(get_settings())
    >>> [h.title for h in searcher.search("あかちゃん うまれた", k=3, municipality="131121")]
    ['出生届', '児童手当', '出産育児一時金']
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

from knowledge.embeddings import NamedEmbeddings, SimilarityFloors, make_embeddings
from knowledge.index_state import ActiveIndex, active_mtime, read_active
from knowledge.japanese import (
    EnglishTerms,
    PlaceNames,
    has_japanese,
    has_spaced_kana,
    is_english_query,
    is_kana_only,
    rewrite_kana_query,
    search_text,
)
from knowledge.keyword_index import KeywordIndex
from knowledge.retrieval_types import Hit, PageSearcher, StoreUnavailable
from knowledge.settings import Settings
from knowledge.vector_index import VectorIndex, open_vector_indexes

log = logging.getLogger(__name__)

Fusion = Literal["rrf", "dense", "keyword", "adaptive"]


@dataclass(frozen=True)
class FusionConfig:
    """How rankings are combined. Chosen by measuring recall on the ingest evaluation set (see README)."""

    method: Fusion = "adaptive"  # measured on evals/retrieval dev split: see README
    rrf_k: int = 20
    dense_weight: float = 1.0
    keyword_weight: float = 0.5
    candidates: int = 30  # per ranker
    max_per_page: int = 2  # chunks of one page in a result list (0 = no limit)
    kana_rewrite: bool = True
    # kana-only queries: words matched by reading against the index's own vocabulary (じどうてあて -> 児童手当),
    # used for both rankings; off = Sudachi normalised forms for the dense query only
    kana_readings: bool = True
    # a municipality named in the query (品川区 / しながわ / Shinagawa) filters the search like the parameter does
    # (Tokyo-wide and national pages stay eligible; another municipality's page never answers for it)
    places_from_query: bool = True
    # a page whose title shares the query's words (出生届 in 「赤ちゃんが生まれたときは（出生届）」) gets a third ranking
    # at this weight, by the number of kanji/katakana pairs shared (0 = off); place names do not count
    title_weight: float = 0.15
    # English queries also carry the Japanese names of the catalog terms they use (funeral benefit -> 葬祭費)
    english_terms: bool = True


@dataclass
class _Loaded:
    active: ActiveIndex
    keyword: KeywordIndex
    store: VectorIndex


class HybridRetriever(PageSearcher):
    """``PageSearcher`` over the active index. Thread-safe; cheap to call concurrently."""

    def __init__(
        self,
        settings: Settings,
        embeddings: NamedEmbeddings | None = None,
        fusion: FusionConfig | None = None,
    ) -> None:
        self.settings = settings
        self.fusion = fusion or FusionConfig()
        self._embeddings = embeddings
        self._conn = open_vector_indexes(settings)
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self._mtime = -1.0
        self._places: PlaceNames | None = None
        self._english: EnglishTerms | None = None

    @property
    def embeddings(self) -> NamedEmbeddings:
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def _current(self, force: bool = False) -> _Loaded | None:
        index_dir = self.settings.index_dir
        mtime = active_mtime(index_dir)
        if not force and mtime == self._mtime:
            return self._loaded
        with self._lock:
            if not force and mtime == self._mtime:
                return self._loaded
            active = read_active(index_dir)
            if active is None:
                log.warning("no page index yet under %s: run `concierge ingest`", index_dir)
                self._loaded, self._mtime = None, mtime
                return None
            if active.model_id != self.embeddings.model_id:
                raise RuntimeError(
                    f"the index was built with {active.model_id} but CONCIERGE_EMBEDDING__* selects "
                    f"{self.embeddings.model_id}: re-run `concierge ingest` or change the setting back"
                )
            keyword = KeywordIndex.load(active.folder(index_dir) / "keyword")
            try:
                store = self._conn.open(active.collection, self.embeddings)
            except KeyError:
                raise StoreUnavailable(
                    f"collection {active.collection} is missing from {self._conn.where}: re-run `concierge ingest`"
                ) from None
            self._loaded, self._mtime = _Loaded(active, keyword, store), mtime
            return self._loaded

    @property
    def places(self) -> PlaceNames:
        """Municipality names and readings from the catalog (for places named in a query)."""
        if self._places is None:
            self._places = place_names(self.settings)
        return self._places

    @property
    def english(self) -> EnglishTerms:
        """The catalog's bilingual names (for English queries)."""
        if self._english is None:
            from knowledge.catalog import load_catalog

            self._english = EnglishTerms.from_catalog(load_catalog(self.settings.catalog_dir))
        return self._english

    @property
    def similarity_floors(self) -> SimilarityFloors:
        """The embedding model's evidence floors (``knowledge.embeddings.SimilarityFloors``)."""
        return self.embeddings.similarity_floors

    def warm_up(self) -> None:
        """Load the model, the keyword index and the collection now instead of on the first question."""
        self.embeddings.embed_query("warm up")
        self._current()

    def page_count(self) -> int:
        loaded = self._current()
        return loaded.keyword.page_count() if loaded else 0

    def search(self, query: str, k: int = 5, municipality: str | None = None) -> list[Hit]:
        """At most ``k`` hits, best first, unique chunk ids; municipality = that one plus Tokyo-wide pages.

        Without ``municipality``, the one municipality the query names (品川区 / しながわ / Shinagawa) is used;
        English queries are searched with the Japanese names of the catalog terms they use.
        """
        if not query.strip() or k <= 0:
            return []
        loaded = self._current()
        if loaded is None:
            return []
        if municipality is None and self.fusion.places_from_query:
            municipality = self.places.find(query)
        if self.fusion.english_terms and is_english_query(query):
            query = self.english.augment(query, self.places)
        try:
            return self._search(loaded, query, k, municipality)
        except StoreUnavailable:
            raise
        except Exception as err:  # the collection was swapped under us: reload once, then give up
            if "does not exist" not in str(err).lower() and "not found" not in str(err).lower():
                raise
            loaded = self._current(force=True)
            return self._search(loaded, query, k, municipality) if loaded else []

    def page_chunks(self, url: str) -> list[Hit]:
        """Every chunk of the page at ``url``, in page order (score 0): an answer may stand in a passage of a
        found page that the search itself did not rank."""
        loaded = self._current()
        if loaded is None:
            return []
        kw = loaded.keyword
        return [_hit(kw.ids[i], kw.texts[i], kw.metadatas[i], 0.0, {}) for i in kw.page_positions(url)]

    def read_kana(self, query: str) -> str:
        """A kana-only query written with the kanji words of the index ('すぎなみくで そうさいひの しんせい' ->
        '杉並区で 葬祭費の 申請'), as the dense model reads it; other queries NFKC-normalised."""
        loaded = self._current()
        if loaded is None or not (is_kana_only(query) or has_spaced_kana(query)):
            return search_text(query)
        return self.query_texts(loaded, query)[0]

    def query_texts(self, loaded: _Loaded, query: str) -> tuple[str, str]:
        """(text for the dense model, text for BM25); kana-only queries are read once against the index's words."""
        kana_only = is_kana_only(query)
        # やさしい日本語 with kanji ('豊島区で しゅっしょうとどけを 出せますか'): its kana words are read the same way
        mixed = not kana_only and has_spaced_kana(query)
        if (kana_only or mixed) and self.fusion.places_from_query:  # places first: ふちゅうしで -> 府中市で
            placed = self.places.read_kana(query)
            if placed != search_text(query) or mixed:
                if not self.fusion.kana_readings:
                    return placed, f"{placed} {query}"
                read = loaded.keyword.readings.rewrite_around(placed)
                return read, f"{read} {query}"
        if self.fusion.kana_readings and kana_only:
            read = loaded.keyword.readings.rewrite(query)
            return read, f"{read} {query}"
        return (rewrite_kana_query(query) if self.fusion.kana_rewrite else search_text(query)), query

    def dense_ranking(
        self, loaded: _Loaded, q: str, n: int, municipality: str | None
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        vector = self.embeddings.embed_query(q)
        where = {"municipality": {"$in": [municipality, ""]}} if municipality else None
        # the keyword index holds every chunk's text and metadata (built from the same collection): ask Chroma
        # for ids and distances only, which saves most of its CPU per query (README "Where a turn's time goes")
        kw = loaded.keyword
        hits = loaded.store.query(vector, n, where, payload=False)
        pos = [kw.position(h.id) for h in hits]
        if any(p is None for p in pos):  # not expected; stay correct with the store's own payload
            hits = loaded.store.query(vector, n, where)
            return [(h.id, h.similarity, h.text, h.metadata) for h in hits]
        return [
            (h.id, h.similarity, kw.texts[p], kw.metadatas[p])
            for h, p in zip(hits, pos, strict=True)
            if p is not None
        ]

    def _search(self, loaded: _Loaded, query: str, k: int, municipality: str | None) -> list[Hit]:
        f = self.fusion
        n = max(f.candidates, k * 3)
        use_keyword = f.method in ("rrf", "keyword") or (f.method == "adaptive" and has_japanese(query))
        dense_query, keyword_query = self.query_texts(loaded, query)
        dense = self.dense_ranking(loaded, dense_query, n, municipality) if f.method != "keyword" else []
        keyword = loaded.keyword.search(keyword_query, n, municipality) if use_keyword else []
        scores: dict[str, float] = {}
        extra: dict[str, dict[str, float]] = {}
        payload: dict[str, tuple[str, dict[str, Any]]] = {}
        for rank, (cid, sim, text, meta) in enumerate(dense):
            scores[cid] = scores.get(cid, 0.0) + f.dense_weight / (f.rrf_k + rank + 1)
            extra.setdefault(cid, {}).update(dense=sim, dense_rank=rank + 1)
            payload[cid] = (text, meta)
        for rank, (cid, score) in enumerate(keyword):
            scores[cid] = scores.get(cid, 0.0) + f.keyword_weight / (f.rrf_k + rank + 1)
            extra.setdefault(cid, {}).update(bm25=score, bm25_rank=rank + 1)
            if cid not in payload:
                pos = loaded.keyword.position(cid)
                if pos is not None:
                    payload[cid] = (loaded.keyword.texts[pos], loaded.keyword.metadatas[pos])
        if f.title_weight:
            for cid, level in title_ranking(self.places.without(dense_query), payload):
                scores[cid] += f.title_weight / (f.rrf_k + level + 1)
                extra.setdefault(cid, {}).update(title_rank=level + 1)
        ranked = sorted(scores, key=lambda c: -scores[c])
        hits: list[Hit] = []
        per_page: dict[str, int] = {}
        for cid in ranked:
            if cid not in payload:
                continue
            text, meta = payload[cid]
            url = str(meta.get("url", ""))
            if f.max_per_page and per_page.get(url, 0) >= f.max_per_page:
                continue
            per_page[url] = per_page.get(url, 0) + 1
            hits.append(_hit(cid, text, meta, scores[cid], extra.get(cid, {})))
            if len(hits) == k:
                break
        return hits


_WORD_CHAR = re.compile(r"[\u3400-\u9fff々\u30a1-\u30faー]")


def _pairs(text: str) -> set[str]:
    """Adjacent kanji/katakana character pairs of ``text`` (its words, not its particles)."""
    t = re.sub(r"\s+", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1) if _WORD_CHAR.match(t[i]) and _WORD_CHAR.match(t[i + 1])}


def title_ranking(query: str, payload: dict[str, tuple[str, dict[str, Any]]]) -> list[tuple[str, int]]:
    """(chunk id, level) of the candidates whose page title shares character pairs with ``query``: level 0 for
    the most pairs shared, 1 for the next count…; candidates sharing none are left out, and so are pairs found in
    the titles of more than a third of the candidate pages."""
    pairs = _pairs(query)
    if not pairs:
        return []
    titles = {cid: _pairs(str(meta.get("title", ""))) for cid, (_, meta) in payload.items()}
    pages = {str(meta.get("url", "")): titles[cid] for cid, (_, meta) in payload.items()}
    # a pair in the titles of many candidate pages (マイナンバーカード, 窓口) tells them apart from none
    common = {x for x in pairs if 3 * sum(x in t for t in pages.values()) > len(pages)}
    shared = {cid: len((pairs - common) & t) for cid, t in titles.items()}
    levels = sorted({n for n in shared.values() if n}, reverse=True)
    return [(cid, levels.index(n)) for cid, n in shared.items() if n]


def _hit(cid: str, text: str, meta: dict[str, Any], score: float, extra: dict[str, float]) -> Hit:
    start = int(meta.get("body_start") or 0)
    return Hit(
        chunk_id=cid,
        text=text[start:] if 0 < start < len(text) else text,
        url=str(meta.get("url", "")),
        title=str(meta.get("title", "")),
        score=score,
        municipality=str(meta.get("municipality") or "") or None,
        heading=str(meta.get("heading") or "") or None,
        updated=str(meta.get("updated") or "") or None,
        publisher=str(meta.get("publisher") or "") or None,
        kind=str(meta.get("kind") or "") or None,
        extra=dict(extra),
    )


def place_names(settings: Settings) -> PlaceNames:
    """``PlaceNames`` of the catalog's municipalities (kanji, kana, English names)."""
    from knowledge.catalog import load_catalog

    cat = load_catalog(settings.catalog_dir)
    return PlaceNames([(m.code, m.name, m.kana, m.en) for m in cat.municipalities.values()])


def build_searcher(
    settings: Settings, embeddings: NamedEmbeddings | None = None, fusion: FusionConfig | None = None
) -> HybridRetriever:
    """The ``PageSearcher`` the bot and the consoles use. Nothing connects until the first search."""
    return HybridRetriever(settings, embeddings=embeddings, fusion=fusion)
