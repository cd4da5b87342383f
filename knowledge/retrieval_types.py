"""The retrieval contract shared by ingest (writes), the bot (reads) and the consoles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk. ``score`` is higher-is-better and comparable only within one result list."""

    chunk_id: str
    text: str
    url: str
    title: str
    score: float
    municipality: str | None = None  # 6-digit code, None for Tokyo-wide or national pages
    heading: str | None = None  # heading path, e.g. "出生届 > 届出に必要なもの"
    updated: str | None = None  # ISO date the page states, if any
    publisher: str | None = None  # who published the page (stored at ingest from publishers.yaml)
    kind: str | None = None  # its kind (municipal … private); None for chunks ingested before provenance
    extra: dict[str, float] = field(default_factory=dict)  # per-ranker scores for debugging


class PageSearchUnavailable(RuntimeError):
    """Page search cannot run: the vector store is unreachable, its collection is missing, or the searcher could
    not start. Raised by :class:`PageSearcher` and carried, never swallowed, up to whichever interface asked; each
    says "page search is unavailable" in its own way (the CLI in a line, the API as a 503 ``pages_unavailable`` or
    a catalog-only answer, the consoles in Japanese). The message names the cause, for operators."""


class StoreUnavailable(PageSearchUnavailable):
    """The vector store cannot be reached (server down, no such collection)."""


class PageSearcher(Protocol):
    """Hybrid search over ingested pages.

    ``search`` returns at most ``k`` hits, best first, no two with the same chunk id. With ``municipality`` set,
    chunks of that municipality and Tokyo-wide chunks (municipality None) are eligible; others are not.
    Raises :class:`PageSearchUnavailable` (:class:`StoreUnavailable` when the vector store is unreachable).
    """

    def search(self, query: str, k: int = 5, municipality: str | None = None) -> list[Hit]: ...

    def page_count(self) -> int: ...
