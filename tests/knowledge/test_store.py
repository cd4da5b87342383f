"""VectorIndex contract: the same tests, through the ``VectorIndexes``/``VectorIndex`` Protocols that ingest and page
search use, against embedded Chroma on tmp_path and a real `chroma run` server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import ChromaServer, free_port

from ingest.pipeline import run_ingest
from knowledge.embeddings import HashingEmbeddings
from knowledge.retrieval import build_searcher
from knowledge.retrieval_types import StoreUnavailable
from knowledge.settings import Settings, get_settings
from knowledge.store import PageStore
from knowledge.vector_index import VectorIndex, VectorIndexes, open_vector_indexes


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    yield server
    server.stop()


EMB = HashingEmbeddings()


def _docs(n: int = 4) -> tuple[list[str], list[str], list[dict[str, object]], list[list[float]]]:
    texts = [
        "出生届は14日以内に届け出ます",
        "転入届は引っ越してから14日以内",
        "国民健康保険の加入",
        "介護保険の認定",
    ][:n]
    ids = [f"c{i}" for i in range(n)]
    metas: list[dict[str, object]] = [
        {"url": f"https://example.lg.jp/{i}", "municipality": ["131121", None, "132012", "131121"][i]}
        for i in range(n)
    ]
    return ids, texts, metas, EMB.embed_documents(texts)


class StoreContract:
    """Every backend subclasses this with a ``settings`` fixture."""

    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def conn(self, settings: Settings) -> VectorIndexes:
        return open_vector_indexes(settings)  # the factory ingest and page search use

    def test_add_get_count_delete(self, conn: VectorIndexes, request: pytest.FixtureRequest) -> None:
        name = f"t-{request.node.name[:40]}-{os.getpid()}"
        assert isinstance(conn, VectorIndexes)
        store = conn.open(name, EMB, create=True)
        assert isinstance(store, VectorIndex) and store.name == name
        ids, texts, metas, vecs = _docs()
        store.add(ids, texts, metas, vecs)
        store.add(ids[:1], texts[:1], metas[:1], vecs[:1])  # upsert: no duplicate
        assert store.count() == 4
        got = {c.id: c for c in store.get(["c0", "c1", "missing"], with_embeddings=True)}
        assert set(got) == {"c0", "c1"}
        assert got["c0"].text == texts[0]
        assert got["c1"].metadata["municipality"] == ""  # None is stored as ''
        assert got["c0"].embedding == pytest.approx(vecs[0], abs=1e-6)
        store.delete(["c0"])
        assert store.count() == 3 and not store.get(["c0"])
        conn.drop(name)
        assert name not in conn.names()

    def test_query_is_cosine_best_first_and_filters(
        self, conn: VectorIndexes, request: pytest.FixtureRequest
    ) -> None:
        name = f"q-{request.node.name[:40]}-{os.getpid()}"
        store = conn.open(name, EMB, create=True)
        ids, texts, metas, vecs = _docs()
        store.add(ids, texts, metas, vecs)
        hits = store.query(vecs[0], k=3)
        assert hits[0].id == "c0" and hits[0].similarity == pytest.approx(1.0, abs=1e-4)
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
        filtered = store.query(vecs[2], k=4, where={"municipality": {"$in": ["131121", ""]}})
        assert {h.id for h in filtered} == {"c0", "c1", "c3"}
        assert store.query(vecs[0], k=10)  # k above the count is fine
        conn.drop(name)

    def test_rename_and_missing_collection(self, conn: VectorIndexes, request: pytest.FixtureRequest) -> None:
        name = f"r-{request.node.name[:40]}-{os.getpid()}"
        store = conn.open(name, EMB, create=True)
        store.add(*_docs(2))
        conn.rename(name, name + "-renamed")
        assert name + "-renamed" in conn.names(name)
        assert conn.open(name + "-renamed", EMB).count() == 2
        with pytest.raises(KeyError):
            conn.open(name, EMB)
        conn.drop(name + "-renamed")

    def test_langchain_vectorstore_view_uses_our_embeddings(
        self, conn: VectorIndexes, request: pytest.FixtureRequest
    ) -> None:
        name = f"l-{request.node.name[:40]}-{os.getpid()}"
        store = conn.open(name, EMB, create=True)
        assert isinstance(store, PageStore)  # the langchain view is Chroma's, not part of the Protocol
        store.add(*_docs())
        docs = store.vectorstore.similarity_search("出生届は14日以内に届け出ます", k=1)
        assert docs[0].page_content.startswith("出生届")
        conn.drop(name)


class TestEmbeddedStore(StoreContract):
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return get_settings(data_dir=tmp_path / "var")

    def test_persists_on_disk(self, settings: Settings) -> None:
        open_vector_indexes(settings).open("persist-test", EMB, create=True).add(*_docs())
        assert (settings.chroma_path / "chroma.sqlite3").exists()
        assert open_vector_indexes(settings).open("persist-test", EMB).count() == 4


@pytest.mark.server
class TestServerStore(StoreContract):
    @pytest.fixture
    def settings(self, chroma_server: ChromaServer, tmp_path: Path) -> Settings:
        return get_settings(data_dir=tmp_path / "var", chroma={"mode": "server", "url": chroma_server.url})


@pytest.mark.server
def test_server_down_raises_store_unavailable(tmp_path: Path) -> None:
    dead = get_settings(chroma={"mode": "server", "url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(StoreUnavailable, match="unreachable"):
        open_vector_indexes(dead).names()

    server = ChromaServer(tmp_path / "srv").start()
    try:
        conn = open_vector_indexes(get_settings(chroma={"mode": "server", "url": server.url, "timeout_s": 2}))
        store = conn.open("outage", EMB, create=True)
        store.add(*_docs())
    finally:
        server.stop()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="CONCIERGE_CHROMA__URL"):
        store.query(EMB.embed_query("出生届"), k=2)
    assert time.monotonic() - started < 5


@pytest.mark.server
def test_ingest_and_search_through_a_server_then_outage(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "srv").start()
    try:
        settings = get_settings(
            data_dir=tmp_path / "var",
            embedding={"backend": "hashing"},
            chroma={"mode": "server", "url": server.url, "timeout_s": 2},
        )
        rec = run_ingest(
            settings, [str(Path(__file__).resolve().parents[1] / "fixtures" / "pages")], progress=False
        )
        assert rec.status == "ok"
        searcher = build_searcher(settings)
        assert searcher.search("出生届 必要なもの", k=3)[0].title == "出生届"
    finally:
        server.stop()
    with pytest.raises(StoreUnavailable):
        searcher.search("出生届 必要なもの", k=3)
