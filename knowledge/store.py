"""Chroma, embedded (``PersistentClient``) or a ``chroma run`` server (``HttpClient``), chosen by one ``match``.

The Chroma implementation of ``knowledge.vector_index.VectorIndexes``/``VectorIndex``; build it with
``open_vector_indexes``. Every collection is cosine-space and always receives vectors computed by *our* embeddings:
Chroma's default embedding function (which downloads a model) never runs. Connection failures surface as
``StoreUnavailable``. Only chromadb's public client and collection API is used.

Collections are named ``<CHROMA__COLLECTION>-<embedding model id>-<generation>``; ingest builds a new generation
and swaps the active pointer (see ``knowledge.index_state``), so readers always see a complete index.

Example::

    >>> chroma = ChromaConnection(get_settings(data_dir="/tmp/x"))
    >>> store = chroma.open("pages-hashing256-g1", embeddings, create=True)
    >>> store.add(["id1"], ["出生届は14日以内"], [{"url": "https://…"}], [[0.1, …]])
    >>> store.query([0.1, …], k=5)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
from langchain_core.embeddings import Embeddings

from knowledge.retrieval_types import StoreUnavailable
from knowledge.settings import Settings
from knowledge.vector_index import StoredChunk, VectorHit

if TYPE_CHECKING:
    from langchain_chroma import Chroma

log = logging.getLogger(__name__)

COSINE = {"hnsw": {"space": "cosine"}}
_BATCH = 1000  # below every Chroma max batch size


__all__ = ["ChromaConnection", "PageStore", "StoredChunk", "VectorHit"]


class ChromaConnection:
    """A lazily created Chroma client for the configured mode; every call maps outages to ``StoreUnavailable``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None

    @property
    def where(self) -> str:
        cfg = self.settings.chroma
        return (
            f"Chroma server {cfg.url}" if cfg.mode == "server" else f"Chroma at {self.settings.chroma_path}"
        )

    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        """Translate connection failures during ``action`` into ``StoreUnavailable`` with a clear message."""
        try:
            yield
        except StoreUnavailable:
            raise
        except (httpx.TransportError, ConnectionError, TimeoutError) as err:
            self._client = None  # reconnect next time
            raise StoreUnavailable(
                f"{self.where} is unreachable ({action}: {type(err).__name__}: {err}); "
                "start it or check CONCIERGE_CHROMA__URL"
            ) from err
        except ValueError as err:
            if "connect" not in str(err).lower():
                raise
            self._client = None
            raise StoreUnavailable(
                f"{self.where} is unreachable ({action}: {err}); start it or check CONCIERGE_CHROMA__URL"
            ) from err

    @property
    def client(self) -> Any:
        if self._client is None:
            with self.guard("connect"):
                self._client = _make_client(self.settings)
        return self._client

    def names(self, prefix: str = "") -> list[str]:
        with self.guard("list collections"):
            return sorted(c.name for c in self.client.list_collections() if c.name.startswith(prefix))

    def open(self, name: str, embeddings: Embeddings, create: bool = False) -> PageStore:
        """The collection ``name``; with ``create`` it is made (cosine space) when missing."""
        with self.guard(f"open collection {name}"):
            if not create and name not in self.names():
                raise KeyError(name)
            collection = (
                self.client.get_or_create_collection(name, configuration=COSINE, embedding_function=None)
                if create
                else self.client.get_collection(name, embedding_function=None)
            )
            return PageStore(collection, self, name, embeddings)

    def drop(self, name: str) -> None:
        with self.guard(f"delete collection {name}"):
            if name in self.names():
                self.client.delete_collection(name)

    def rename(self, old: str, new: str) -> None:
        with self.guard(f"rename collection {old}"):
            self.client.get_collection(old).modify(name=new)


def _make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    cfg = settings.chroma
    client_settings = ChromaClientSettings(anonymized_telemetry=False)
    match cfg.mode:
        case "embedded":
            path = settings.chroma_path
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=client_settings)
        case "server":
            assert cfg.url  # the settings validator guarantees it
            u = urlparse(cfg.url)
            ssl = u.scheme == "https"
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1",
                port=u.port or (443 if ssl else 8000),
                ssl=ssl,
                settings=client_settings,
            )
            # chromadb's HTTP session has no timeout; a hung server must not hang the bot.
            session = getattr(getattr(client, "_server", None), "_session", None)
            if isinstance(session, httpx.Client):
                session.timeout = httpx.Timeout(cfg.timeout_s)
            return client
    raise ValueError(f"unknown CHROMA__MODE {cfg.mode!r}")  # pragma: no cover


class PageStore:
    """One Chroma collection of page chunks (a ``VectorIndex``). ``vectorstore`` is its langchain view."""

    def __init__(self, collection: Any, conn: ChromaConnection, name: str, embeddings: Embeddings) -> None:
        self._col = collection  # a chromadb Collection (public API only)
        self.name = name
        self._conn = conn
        self._embeddings = embeddings
        self._size: int | None = None  # cached for queries; collections are only written before they go live

    @property
    def vectorstore(self) -> Chroma:
        """The langchain ``VectorStore`` over the same collection, embedding queries with our embeddings."""
        from langchain_chroma import Chroma

        with self._conn.guard(f"open collection {self.name}"):
            return Chroma(
                client=self._conn.client,
                collection_name=self.name,
                embedding_function=self._embeddings,
                create_collection_if_not_exists=False,
            )

    def count(self) -> int:
        with self._conn.guard("count"):
            return int(self._col.count())

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Upsert chunks with their precomputed vectors (never Chroma's own embedding function)."""
        if not (len(ids) == len(texts) == len(metadatas) == len(embeddings)):
            raise ValueError("ids, texts, metadatas and embeddings differ in length")
        self._size = None
        with self._conn.guard("add"):
            for i in range(0, len(ids), _BATCH):
                self._col.upsert(
                    ids=list(ids[i : i + _BATCH]),
                    documents=list(texts[i : i + _BATCH]),
                    metadatas=[_clean(m) for m in metadatas[i : i + _BATCH]],
                    embeddings=[list(e) for e in embeddings[i : i + _BATCH]],
                )

    def delete(self, ids: Sequence[str]) -> None:
        self._size = None
        with self._conn.guard("delete"):
            for i in range(0, len(ids), _BATCH):
                self._col.delete(ids=list(ids[i : i + _BATCH]))

    def get(self, ids: Sequence[str] | None = None, with_embeddings: bool = False) -> list[StoredChunk]:
        """Chunks by id (all when ``ids`` is None); missing ids are skipped."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        out: list[StoredChunk] = []
        with self._conn.guard("get"):
            if ids is None:
                total = self._col.count()
                batches = [
                    self._col.get(include=include, limit=_BATCH, offset=o) for o in range(0, total, _BATCH)
                ]
            else:
                batches = [
                    self._col.get(ids=list(ids[i : i + _BATCH]), include=include)
                    for i in range(0, len(ids), _BATCH)
                ]
        for r in batches:
            embs = r.get("embeddings")
            for j, cid in enumerate(r["ids"]):
                out.append(
                    StoredChunk(
                        id=cid,
                        text=(r["documents"] or [""])[j] or "",
                        metadata=dict((r["metadatas"] or [{}])[j] or {}),
                        embedding=[float(x) for x in embs[j]] if embs is not None else None,
                    )
                )
        return out

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None, *, payload: bool = True
    ) -> list[VectorHit]:
        """The ``k`` nearest chunks to ``vector`` (optionally filtered by metadata), best first.

        ``payload=False`` returns ids and similarities only (empty text and metadata): reading the documents and
        metadata back is most of an embedded query's CPU, and a caller holding them already can skip it.
        """
        with self._conn.guard("query"):
            if self._size is None:
                self._size = int(self._col.count())
            n = min(k, self._size)
            if n <= 0:
                return []
            r = self._col.query(
                query_embeddings=[list(vector)],
                n_results=n,
                where=where,
                include=["documents", "metadatas", "distances"] if payload else ["distances"],
            )
        ids = r["ids"][0]
        docs = (r["documents"] or [[]])[0] if payload else [""] * len(ids)
        metas = (r["metadatas"] or [[]])[0] if payload else [{}] * len(ids)
        return [
            VectorHit(
                id=cid,
                text=docs[j] or "",
                metadata=dict(metas[j] or {}),
                similarity=1.0 - float((r["distances"] or [[]])[0][j]),
            )
            for j, cid in enumerate(ids)
        ]


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata holds str/int/float/bool only: None becomes '' (e.g. Tokyo-wide municipality)."""
    return {k: ("" if v is None else v) for k, v in meta.items()}
