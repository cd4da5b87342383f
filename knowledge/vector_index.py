"""The vector-store seam: what ingest and page search need from a vector index, and the one place it is built.

``VectorIndexes`` is a backend holding named collections (build a generation, rename it live, drop old ones);
``VectorIndex`` is one collection of page chunks (add, delete, get, query with metadata filters, count). Vectors
are always computed by *our* embeddings and passed in; a backend never embeds. Cosine similarity, higher is better.
An unreachable backend raises :class:`knowledge.retrieval_types.StoreUnavailable` from any call.

Chroma (embedded or a ``chroma run`` server, ``knowledge.store``) is the implementation today. Another store goes
behind the same Protocols and the same contract tests (``tests/knowledge/test_store.py``), then into
:func:`open_vector_indexes`, which ingest (``ingest.pipeline``) and page search (``knowledge.retrieval``) both call.

Example::

    >>> indexes = open_vector_indexes(get_settings(data_dir="/tmp/x"))
    >>> index = indexes.open("pages-hashing256-g1", embeddings, create=True)
    >>> index.add(["id1"], ["出生届は14日以内"], [{"url": "https://…", "municipality": ""}], [[0.1, …]])
    >>> index.query([0.1, …], k=5, where={"municipality": {"$in": ["131121", ""]}})
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from knowledge.settings import Settings


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]
    embedding: list[float] | None = None


@dataclass(frozen=True)
class VectorHit:
    id: str
    text: str
    metadata: dict[str, Any]
    similarity: float  # cosine similarity, higher is better


@runtime_checkable
class VectorIndex(Protocol):
    """One collection of chunks with their precomputed vectors.

    Metadata values are str/int/float/bool; None is stored as ''. ``where`` filters use Chroma's operator syntax
    (``{"field": value}``, ``{"field": {"$in": [...]}}``), which every backend translates.
    """

    name: str

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Upsert: adding an id again replaces it."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def get(self, ids: Sequence[str] | None = None, with_embeddings: bool = False) -> list[StoredChunk]:
        """Chunks by id (all when ``ids`` is None); missing ids are skipped."""
        ...

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None, *, payload: bool = True
    ) -> list[VectorHit]:
        """At most ``k`` nearest chunks (``k`` above the count is fine), best first; ``payload=False``: ids and
        similarities only (empty text and metadata), for a caller that holds the texts already."""
        ...

    def count(self) -> int: ...


@runtime_checkable
class VectorIndexes(Protocol):
    """A vector store holding named collections."""

    @property
    def where(self) -> str:
        """Where the store is, for messages (e.g. 'Chroma server http://…')."""
        ...

    def names(self, prefix: str = "") -> list[str]: ...

    def open(self, name: str, embeddings: Embeddings, create: bool = False) -> VectorIndex:
        """The collection ``name``; raises ``KeyError`` when missing unless ``create``."""
        ...

    def drop(self, name: str) -> None:
        """Delete the collection if it exists."""
        ...

    def rename(self, old: str, new: str) -> None: ...


def open_vector_indexes(settings: Settings) -> VectorIndexes:
    """The configured vector store (the one place a backend is chosen). Nothing connects until the first call."""
    from knowledge.store import ChromaConnection

    return ChromaConnection(settings)
