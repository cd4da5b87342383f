"""Services built once at start-up (catalog, concierge, page search, editorial records) and shared by routes."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.service import Concierge, build_concierge
from knowledge.catalog import Catalog
from knowledge.deadlines import closure_reason
from knowledge.embeddings import SimilarityFloors
from knowledge.index_state import read_active
from knowledge.retrieval_types import Hit, PageSearcher, PageSearchUnavailable
from knowledge.settings import Settings
from web.catalog_views import CatalogSearch
from web.editorial import Editorial

log = logging.getLogger(__name__)

RETRY_BUILD_S = 5.0  # after a failed searcher build, try again at most this often


def _default_factory(settings: Settings) -> PageSearcher:
    from knowledge.retrieval import build_searcher

    return build_searcher(settings)


class PageSearch:
    """The page searcher, built lazily and rebuilt after failures, so the app starts and recovers without it.

    With no index yet, searches find nothing (the concierge then says honestly that its pages don't cover the
    question). Raises :class:`PageSearchUnavailable` with a clear message when the vector store is unreachable or
    the searcher cannot start; the error travels to the interface that asked (see ``bot.service.TurnWithoutPages``).
    """

    def __init__(self, settings: Settings, factory: Callable[[Settings], PageSearcher] | None = None) -> None:
        self.settings = settings
        self.factory = factory or _default_factory
        self._searcher: PageSearcher | None = None
        self._failed_at = 0.0
        self._last_error = ""
        self._lock = threading.Lock()

    @property
    def similarity_floors(self) -> SimilarityFloors | None:
        """The evidence floors of the underlying searcher's embedding model (None until it is built)."""
        return getattr(self._searcher, "similarity_floors", None)

    def _get(self) -> PageSearcher | None:
        if read_active(self.settings.index_dir) is None:
            return None
        with self._lock:
            if self._searcher is not None:
                return self._searcher
            if time.monotonic() - self._failed_at < RETRY_BUILD_S:
                raise PageSearchUnavailable(self._last_error)
            try:
                self._searcher = self.factory(self.settings)
            except PageSearchUnavailable as err:
                self._failed_at, self._last_error = time.monotonic(), str(err)
                raise
            except Exception as err:  # e.g. ValueError from a Chroma HttpClient whose server is down
                self._failed_at = time.monotonic()
                self._last_error = f"page search could not start: {type(err).__name__}: {err}"
                log.warning("%s", self._last_error)
                raise PageSearchUnavailable(self._last_error) from err
            return self._searcher

    def search(self, query: str, k: int = 5, municipality: str | None = None) -> list[Hit]:
        searcher = self._get()
        if searcher is None:
            return []
        return searcher.search(query, k=k, municipality=municipality)

    def page_count(self) -> int:
        searcher = self._get()
        if searcher is None:
            return 0
        return searcher.page_count()

    def status(self) -> tuple[bool, str]:
        """(available, message) without raising; for health checks and consoles."""
        if read_active(self.settings.index_dir) is None:
            return False, "no pages are indexed yet; an operator must run `concierge ingest`"
        try:
            n = self.page_count()
        except PageSearchUnavailable as err:
            return False, str(err)
        return True, f"{n} pages indexed"


def pages_status_ja(available: bool, message: str) -> str:
    """Page search's status (``PageSearch.status``) for the Japanese consoles, without internal addresses."""
    if available:
        m = re.match(r"(\d+) pages indexed", message)
        return f"{m.group(1)}ページを検索できます" if m else "検索できます"
    if "no pages are indexed" in message:
        return "まだページが取り込まれていません"
    return "ページ検索は現在利用できません（検索サーバーに接続できません。管理者に連絡してください）"


@dataclass
class Services:
    settings: Settings
    concierge: Concierge
    pages: PageSearch
    search: CatalogSearch
    editorial: Editorial

    @property
    def catalog(self) -> Catalog:
        return self.concierge.catalog


def build_services(
    settings: Settings, *, searcher_factory: Callable[[Settings], PageSearcher] | None = None
) -> Services:
    """Everything the routes need, built once (the catalog is loaded and validated here, not per request)."""
    pages = PageSearch(settings, searcher_factory)
    concierge = build_concierge(settings, searcher=pages)
    # the national holiday calendar (the `holidays` package, ~0.5 s) is loaded now, not by the first turn with a due date
    if concierge.catalog.calendar is not None:
        closure_reason(dt.date(dt.date.today().year, 1, 6), concierge.catalog.calendar)
    return Services(
        settings=settings,
        concierge=concierge,
        pages=pages,
        search=CatalogSearch(concierge.catalog),
        editorial=Editorial(settings, concierge.catalog),
    )
