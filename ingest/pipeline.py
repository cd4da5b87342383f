"""Ingest: sources -> decode -> extract main content -> chunk -> embed -> Chroma + BM25, incrementally.

A run builds a new *generation* (a Chroma collection plus ``INDEX_DIR/<generation>/`` with the keyword index and
the page manifest) and only then points ``INDEX_DIR/active.json`` at it, so readers never see half an index.
Vectors of unchanged chunks are copied from the previous generation, not re-embedded. The collection being built
is named ``<prefix>-build`` and survives a killed run: the next run reuses what it already holds.

Example::

    >>> record = run_ingest(get_settings(), ["seeds"], progress=False)
    >>> print(record.summary())
    ingest ok: 150 added, 0 changed, 0 unchanged, 0 removed, 0 failed | 150 pages, 812 chunks ...
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.chunking import Chunker
from ingest.extract import CanonicalPolicy, Extractor, municipality_lookups, provenance_metadata
from ingest.fetch import Fetcher
from ingest.models import Chunk, Page, PageRefused
from ingest.records import FactToReview, Failure, PageEntry, RunRecord
from ingest.sources import Source, SourceError, SourceItem, make_sources
from knowledge.embeddings import NamedEmbeddings, embedding_model_id, make_embeddings
from knowledge.index_state import ActiveIndex, collection_prefix, read_active, write_active
from knowledge.japanese import search_text
from knowledge.keyword_index import KeywordIndex
from knowledge.settings import Settings
from knowledge.urls import norm_url, page_key
from knowledge.vector_index import VectorIndex, VectorIndexes, open_vector_indexes

log = logging.getLogger(__name__)

# bump when extraction/chunking changes: --if-stale rebuilds and pages of an older version are extracted again
# ("2": canonical URLs checked against the fetched host / directory hosts, relative file identities)
PIPELINE_VERSION = "2"
MANIFEST = "manifest.json"
KEYWORD = "keyword"


class IngestBusy(RuntimeError):
    """Another ingest is running on the same index directory."""


@dataclass
class PageState:
    """What the manifest remembers about one page (keyed by the page key: its canonical URL)."""

    source: str
    location: str
    url: str
    title: str
    raw_hash: str
    page_hash: str
    chunk_ids: list[str]
    municipality: str | None = None
    updated: str | None = None
    pipeline: str = "1"  # extraction_version() that extracted the page (older manifests: "1")


@dataclass
class _Previous:
    active: ActiveIndex | None = None
    pages: dict[str, PageState] = field(default_factory=dict)
    chunks: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # id -> (text, metadata)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@contextmanager
def _lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".ingest.lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusy(f"another ingest is running on {index_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _load_previous(index_dir: Path) -> _Previous:
    active = read_active(index_dir)
    if active is None:
        return _Previous()
    folder = active.folder(index_dir)
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        pages: dict[str, PageState] = {}
        for p in raw["pages"].values():  # older manifests were keyed by location: re-key by canonical URL
            state = PageState(**p)
            pages.setdefault(page_key(state.url), state)
        kw = json.loads((folder / KEYWORD / "chunks.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("previous index %s unreadable (%s); rebuilding from scratch", folder, err)
        return _Previous()
    chunks = {cid: (t, m) for cid, t, m in zip(kw["ids"], kw["texts"], kw["metadatas"], strict=True)}
    return _Previous(active, pages, chunks)


def extraction_version(settings: Settings) -> str:
    """PIPELINE_VERSION plus a digest of the settings that change what a page becomes (its canonical URL policy),
    so that pages are extracted again when either changes."""
    cfg = settings.ingest
    policy = json.dumps(
        [
            cfg.canonical_aliases,
            {str(Path(d).resolve()): h for d, h in cfg.directory_hosts.items()},
            cfg.trust_seeds_canonical and str(Path(settings.seeds_dir).resolve()),
        ],
        sort_keys=True,
    )
    return f"{PIPELINE_VERSION}:{hashlib.sha256(policy.encode()).hexdigest()[:12]}"


def _fingerprint(settings: Settings, model_id: str, sources: list[Source]) -> str | None:
    version = extraction_version(settings)
    h = hashlib.sha256(f"{version}|{model_id}|{settings.chroma.mode}|{settings.chroma.url}".encode())
    for s in sources:
        try:
            fp = s.fingerprint()
        except (OSError, SourceError):
            return None
        if fp is None:
            return None
        h.update(f"{s.key}={fp}\n".encode())
    return h.hexdigest()


class PageTexts:
    """Main text of every page version indexed, kept under ``INDEX_DIR/texts/`` (content-addressed, across
    generations) so the editor console can show what changed on a page, old and new side by side."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir / "texts"

    def _path(self, key: str, page_hash: str) -> Path:
        return self.root / hashlib.sha256(key.encode()).hexdigest()[:24] / f"{page_hash[:32]}.txt"

    def exists(self, key: str, page_hash: str) -> bool:
        return self._path(key, page_hash).exists()

    def save(self, key: str, page_hash: str, text: str) -> None:
        path = self._path(key, page_hash)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def load(self, url: str, page_hash: str) -> str | None:
        try:
            return self._path(page_key(url), page_hash).read_text(encoding="utf-8")
        except OSError:
            return None


def _text_from_chunks(old: PageState, chunks: dict[str, tuple[str, dict[str, Any]]]) -> str:
    parts = []
    for cid in old.chunk_ids:
        if cid in chunks:
            text, meta = chunks[cid]
            parts.append(text[int(meta.get("body_start", 0)) :])
    return "\n".join(parts)


def _facts_to_review(
    settings: Settings, record: RunRecord, updated_by_url: dict[str, str | None]
) -> list[FactToReview]:
    changed = {norm_url(p.url): "page changed" for p in record.changed}
    changed |= {norm_url(p.url): "page removed from its source" for p in record.removed}
    added = {norm_url(p.url) for p in record.added}
    if not changed and not added:
        return []
    try:
        from knowledge.catalog import load_catalog

        sources = list(load_catalog(settings.catalog_dir).iter_sources())
    except Exception as err:  # a broken catalog must not fail the ingest; the record says why
        log.warning("catalog unreadable, facts to review not listed: %s", err)
        return []
    out: dict[tuple[str, str], FactToReview] = {}
    for path, src in sources:
        key = norm_url(src.url)
        reason = changed.get(key)
        if reason is None and key in added:
            stated = updated_by_url.get(key)
            if stated and stated > src.verified.isoformat():
                reason = f"page states it was updated {stated}, after the fact was verified"
        if reason:
            out[(path, src.url)] = FactToReview(path, src.url, src.title, src.verified.isoformat(), reason)
    return list(out.values())


ProgressCallback = Callable[[str, int, int], None]  # (stage "pages" | "embedding", done, total)


class _Bar:
    """A tqdm bar that also reports to a callback (the editor console's progress)."""

    def __init__(self, bar: Any, desc: str, total: int, callback: ProgressCallback | None) -> None:
        self.bar, self.desc, self.total, self.callback, self.done = bar, desc, total, callback, 0
        if callback:
            callback(desc, 0, total)

    def __enter__(self) -> _Bar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def update(self, n: int) -> None:
        self.bar.update(n)
        self.done += n
        if self.callback:
            self.callback(self.desc, self.done, self.total)


class _Progress:
    def __init__(self, enabled: bool, callback: ProgressCallback | None = None) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.callback = callback

    def bar(self, total: int, desc: str) -> _Bar:
        from tqdm import tqdm

        bar = tqdm(
            total=total, desc=desc, unit="page" if desc == "pages" else "chunk", disable=not self.enabled
        )
        return _Bar(bar, desc, total, self.callback)


def run_ingest(
    settings: Settings,
    sources: list[str],
    *,
    if_stale: bool = False,
    progress: bool = True,
    embeddings: NamedEmbeddings | None = None,
    fetcher: Fetcher | None = None,
    on_progress: ProgressCallback | None = None,
) -> RunRecord:
    """Ingest ``sources`` (directories, sitemap URLs, URL-list files, page files or URLs) incrementally.

    ``if_stale``: return at once (status "skipped") when the sources and settings are unchanged since the last
    successful run. ``embeddings``/``fetcher`` may be injected (tests, benchmarks); by default they come from the
    settings. One failing page is logged with its URL and recorded; the run goes on. ``on_progress(stage, done,
    total)`` is called as pages are read and chunks embedded (the editor console shows it).
    """
    index_dir = settings.index_dir
    run_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(2)
    record = RunRecord(run_id=run_id, started=_now(), sources=list(sources))
    t0 = time.perf_counter()
    with _lock(index_dir):
        try:
            _run(settings, sources, record, if_stale, _Progress(progress, on_progress), embeddings, fetcher)
        except Exception as err:
            record.status = "failed"
            record.error = f"{type(err).__name__}: {err}"
            record.finished = _now()
            record.timings_s["total"] = round(time.perf_counter() - t0, 3)
            record.save(index_dir)
            raise
        record.timings_s["total"] = round(time.perf_counter() - t0, 3)
        record.finished = _now()
        if record.status != "skipped":
            record.save(index_dir)
    log.info("%s", record.summary())
    return record


def _run(
    settings: Settings,
    specs: list[str],
    record: RunRecord,
    if_stale: bool,
    progress: _Progress,
    embeddings: NamedEmbeddings | None,
    fetcher: Fetcher | None,
) -> None:
    """The run as named steps: list sources -> fetch and extract what changed -> plan -> build -> swap.

    The fetcher (when this run made it) is closed once pages are read, on every path, exceptions included."""
    model_id = embeddings.model_id if embeddings is not None else embedding_model_id(settings)
    record.embedding_model = model_id
    with _fetchers(settings, fetcher) as get_fetcher:
        srcs = make_sources(specs, get_fetcher)
        run = _Context(settings, record, progress, model_id, _fingerprint(settings, model_id, srcs))
        run.prev = _previous_for(settings.index_dir, model_id)
        if if_stale and (active := _up_to_date(run)) is not None:
            _record_skip(record, active)
            return
        listed = _list_sources(srcs, record)
        found = _extract_changed(run, listed)
    desired = _plan(run, found)
    if _nothing_changed(run):
        _keep_generation(run, found.pages, desired)
        return
    emb = embeddings or make_embeddings(settings)
    conn = _vector_store(settings)
    store = _build_generation(run, conn, emb, desired)
    _swap(run, conn, store, found.pages, desired)


@dataclass
class _Context:
    """What the steps of one run share."""

    settings: Settings
    record: RunRecord
    progress: _Progress
    model_id: str
    fingerprint: str | None
    prev: _Previous = field(default_factory=_Previous)

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def prefix(self) -> str:
        return collection_prefix(self.settings, self.model_id)

    @property
    def build_name(self) -> str:
        return f"{self.prefix}-build"


@contextmanager
def _fetchers(settings: Settings, injected: Fetcher | None) -> Iterator[Callable[[], Fetcher]]:
    """A factory for the run's fetcher: the injected one (its owner closes it), else one made on first use from the
    settings and closed when the block ends, however it ends."""
    made: list[Fetcher] = []

    def get() -> Fetcher:
        if injected is not None:
            return injected
        if not made:
            cfg = settings.ingest
            made.append(Fetcher(deadline_s=cfg.page_deadline_s, allowed_hosts=cfg.allowed_hosts))
        return made[0]

    try:
        yield get
    finally:
        for f in made:
            f.close()


def _vector_store(settings: Settings) -> VectorIndexes:
    """The vector store the generations are built in (the one place ingest constructs it)."""
    return open_vector_indexes(settings)


def _previous_for(index_dir: Path, model_id: str) -> _Previous:
    """The active generation; with another embedding model its vectors are not reused (pages and texts are)."""
    prev = _load_previous(index_dir)
    if prev.active is not None and prev.active.model_id != model_id:
        log.info(
            "embedding model changed (%s -> %s): re-embedding everything", prev.active.model_id, model_id
        )
        prev = _Previous(pages=prev.pages, chunks=prev.chunks)
    return prev


def _up_to_date(run: _Context) -> ActiveIndex | None:
    """--if-stale: the active generation when the sources and settings are its own and it is complete, else None."""
    active = run.prev.active
    if (
        run.fingerprint is not None
        and active is not None
        and active.fingerprint == run.fingerprint
        and (active.folder(run.index_dir) / KEYWORD).is_dir()
    ):
        return active
    return None


def _record_skip(record: RunRecord, active: ActiveIndex) -> None:
    record.status = "skipped"
    record.pages_total = active.pages
    record.chunks_total = active.chunks
    record.generation = active.generation
    record.collection = active.collection


# ---- step 1: list sources ----------------------------------------------------------------------------------------


def _list_sources(srcs: list[Source], record: RunRecord) -> list[tuple[Source, list[SourceItem]]]:
    """Every source's items; a source that cannot be listed is recorded and keeps its pages as they were."""
    t = time.perf_counter()
    listed: list[tuple[Source, list[SourceItem]]] = []
    for src in srcs:
        try:
            listed.append((src, list(src.items())))
        except SourceError as err:
            log.error("source %s skipped: %s", src.key, err)
            record.failed.append(Failure(src.key, str(err)))
    record.timings_s["list"] = round(time.perf_counter() - t, 3)
    return listed


# ---- step 2: fetch and extract what changed ----------------------------------------------------------------------

PageChunks = list[tuple[str, str, dict[str, Any]]]  # [(chunk id, text, metadata)]
Located = tuple[str, PageState]  # (page key, state) of a page of the previous generation


@dataclass
class _Found:
    """The pages of the new generation (page key -> state) and their chunks."""

    pages: dict[str, PageState] = field(default_factory=dict)
    page_chunks: dict[str, PageChunks] = field(default_factory=dict)
    updated_by_url: dict[str, str | None] = field(default_factory=dict)  # added pages: the date they state


def _extract_changed(run: _Context, listed: list[tuple[Source, list[SourceItem]]]) -> _Found:
    """Load every listed item; extract and chunk the pages that changed, keep the others as they were.

    A page's identity is its canonical URL (``page_key``), whatever folder, file name or host it came from: the
    same page from a copy of a folder is the same page. Pages of sources not in this run (or that failed to list)
    are carried over unchanged; pages gone from a source that was listed are removed."""
    t = time.perf_counter()
    reader = _PageReader(run)
    with run.progress.bar(sum(len(items) for _, items in listed), "pages") as bar:
        for src, items in listed:
            reader.seen_sources.add(src.key)
            for item in items:
                bar.update(1)
                reader.read(src.key, item)
    reader.carry_over()
    run.record.timings_s["extract"] = round(time.perf_counter() - t, 3)
    return reader.found


class _PageReader:
    """Step 2 for one item at a time; records each page as added, changed, unchanged or failed."""

    def __init__(self, run: _Context) -> None:
        settings = run.settings
        self.run, self.record, self.prev = run, run.record, run.prev
        self.version = extraction_version(settings)
        hosts, names = municipality_lookups(settings.catalog_dir)
        self.extractor = Extractor(
            hosts=hosts, names=names, canonical_ok=CanonicalPolicy.from_settings(settings)
        )
        self.page_meta = provenance_metadata(settings.catalog_dir)  # publisher, kind, page date per chunk
        self.chunker = Chunker()
        self.texts = PageTexts(run.index_dir)
        self.found = _Found()
        self.seen_sources: set[str] = set()
        self.seen_locations: set[str] = set()
        self.renamed: set[str] = set()  # previous page keys whose file now names another page
        self.by_location = {p.location: (k, p) for k, p in self.prev.pages.items()}
        self.by_raw = {p.raw_hash: (k, p) for k, p in self.prev.pages.items()}

    def keep_old(self, key: str, old: PageState) -> None:
        self.found.pages[key] = old
        chunks = self.prev.chunks
        self.found.page_chunks[key] = [(c, *chunks[c]) for c in old.chunk_ids if c in chunks]

    def read(self, source: str, item: SourceItem) -> None:
        if item.location in self.seen_locations:
            return  # the same file through two sources
        self.seen_locations.add(item.location)
        by_location = self.by_location.get(item.location)
        try:
            fetched = item.load()
            same = self._same_bytes(by_location, fetched.raw_hash)
            if same is not None:
                if same[0] not in self.found.pages:
                    self.keep_old(*same)
                self.record.unchanged.append(item.location)
                return
            page = self.extractor(fetched)
            chunks = self._chunk(page)
        except PageRefused as err:
            log.warning("skipped %s: %s", item.location, err)
            self._failed(item.location, str(err), by_location)
            return
        except (OSError, ValueError, UnicodeError) as err:
            log.warning("failed %s: %s: %s", item.location, type(err).__name__, err)
            self._failed(item.location, f"{type(err).__name__}: {err}", by_location)
            return
        self._take(source, item.location, fetched.raw_hash, page, chunks, by_location)

    def _same_bytes(self, by_location: Located | None, raw_hash: str) -> Located | None:
        """The previous page with these exact bytes (at this location, else anywhere) when it can be reused."""
        same = by_location if by_location and by_location[1].raw_hash == raw_hash else None
        same = same or self.by_raw.get(raw_hash)  # identical bytes elsewhere: same page
        if same is None or same[1].pipeline != self.version:
            return None
        return same if all(cid in self.prev.chunks for cid in same[1].chunk_ids) else None

    def _chunk(self, page: Page) -> list[Chunk]:
        chunks = self.chunker(page)
        limit = self.run.settings.ingest.max_chunks_per_page
        if not chunks:
            raise PageRefused("no text to index after extraction")
        if len(chunks) > limit:
            raise PageRefused(
                f"too many chunks ({len(chunks)} > {limit}, CONCIERGE_INGEST__MAX_CHUNKS_PER_PAGE)"
            )
        return chunks

    def _failed(self, location: str, reason: str, by_location: Located | None) -> None:
        self.record.failed.append(Failure(location, reason))
        if by_location is not None and by_location[0] not in self.found.pages:  # keep the last good version
            self.keep_old(*by_location)

    def _take(
        self,
        source: str,
        location: str,
        raw_hash: str,
        page: Page,
        chunks: list[Chunk],
        by_location: Located | None,
    ) -> None:
        """An extracted page: a second copy, the same page from elsewhere, or a new / changed / unchanged page."""
        key, found, record = page_key(page.url), self.found, self.record
        if key in found.pages:  # a second copy of a page already taken in this run
            self._second_copy(key, location, page.content_hash)
            return
        record.extractors[page.extractor] = record.extractors.get(page.extractor, 0) + 1
        old = self.prev.pages.get(key)
        if old is None and by_location is not None and by_location[0] not in found.pages:
            # the same file now names another page (e.g. a canonical claim the policy no longer allows): a change
            # of that page, not an addition plus a removal
            old = by_location[1]
            self.renamed.add(by_location[0])
        state = PageState(
            source=source,
            location=location,
            url=page.url,
            title=page.title,
            raw_hash=raw_hash,
            page_hash=page.content_hash,
            chunk_ids=[c.id for c in chunks],
            municipality=page.municipality,
            updated=page.updated,
            pipeline=self.version,
        )
        if (
            old is not None
            and old.page_hash == state.page_hash
            and old.pipeline == self.version
            and old.location != location
        ):
            self.keep_old(key, old)  # the same page from another folder or host: one copy, the one we had
            record.unchanged.append(location)
            return
        self.texts.save(key, state.page_hash, page.text)
        found.pages[key] = state
        provenance = self.page_meta(page.url, page.updated)
        found.page_chunks[key] = [(c.id, c.text, {**c.metadata(), **provenance}) for c in chunks]
        self._record_page(key, PageEntry(location, page.url, page.title, len(chunks)), old, state, page)

    def _second_copy(self, key: str, location: str, content_hash: str) -> None:
        first = self.found.pages[key]
        if first.page_hash == content_hash:
            self.record.unchanged.append(location)
            return
        log.warning("%s: same canonical URL as %s, other text; kept the first", location, first.location)
        self.record.failed.append(
            Failure(location, f"same canonical URL as {first.location} with other text; not taken")
        )

    def _record_page(
        self, key: str, entry: PageEntry, old: PageState | None, state: PageState, page: Page
    ) -> None:
        if old is None:
            self.record.added.append(entry)
            self.found.updated_by_url[norm_url(page.url)] = page.updated
        elif old.page_hash != state.page_hash or old.url != state.url:
            entry.old_hash, entry.new_hash = old.page_hash, state.page_hash
            if not self.texts.exists(key, old.page_hash):  # index made before texts were kept
                self.texts.save(key, old.page_hash, _text_from_chunks(old, self.prev.chunks))
            self.record.changed.append(entry)
        else:
            self.record.unchanged.append(entry.location)

    def carry_over(self) -> None:
        """Pages of sources not in this run (or that failed to list) are kept; those gone from a listed source are
        removed."""
        for key, old in self.prev.pages.items():
            if key in self.found.pages or key in self.renamed:
                continue
            if old.source in self.seen_sources:
                self.record.removed.append(PageEntry(old.location, old.url, old.title, len(old.chunk_ids)))
                continue
            self.keep_old(key, old)


# ---- step 3: plan ------------------------------------------------------------------------------------------------


def _plan(run: _Context, found: _Found) -> dict[str, tuple[str, dict[str, Any]]]:
    """The chunks the new generation must hold (id -> (text, metadata)), the run's totals and the catalog facts
    whose cited page changed."""
    desired: dict[str, tuple[str, dict[str, Any]]] = {}
    for loc in sorted(found.page_chunks):
        for cid, text, meta in found.page_chunks[loc]:
            desired.setdefault(cid, (text, meta))
    record = run.record
    record.pages_total = len(found.pages)
    record.chunks_total = len(desired)
    record.facts_to_review = _facts_to_review(run.settings, record, found.updated_by_url)
    return desired


def _nothing_changed(run: _Context) -> bool:
    """No page added, changed or removed, and the active generation's collection is still there."""
    record, active = run.record, run.prev.active
    if record.added or record.changed or record.removed or active is None:
        return False
    return _collection_exists(run.settings, active.collection)


def _keep_generation(
    run: _Context, pages: dict[str, PageState], desired: dict[str, tuple[str, dict[str, Any]]]
) -> None:
    """Nothing to rebuild: the active generation stays; its manifest and fingerprint are refreshed if needed."""
    record, active = run.record, run.prev.active
    assert active is not None
    record.status = "ok"
    record.chunks_reused = len(desired)
    record.generation = active.generation
    record.collection = active.collection
    if any(run.prev.pages.get(loc) != p for loc, p in pages.items()):  # e.g. only the chrome changed
        _write_manifest(active.folder(run.index_dir), record.run_id, pages)
    if run.fingerprint != active.fingerprint:
        write_active(run.index_dir, _replace(active, fingerprint=run.fingerprint or ""))


# ---- step 4: build the new generation ----------------------------------------------------------------------------


def _build_generation(
    run: _Context,
    conn: VectorIndexes,
    emb: NamedEmbeddings,
    desired: dict[str, tuple[str, dict[str, Any]]],
) -> VectorIndex:
    """Bring the build collection to exactly ``desired``: what a killed run left is reused, stale chunks dropped,
    known vectors copied from the previous generation, the rest embedded."""
    t = time.perf_counter()
    store = conn.open(run.build_name, emb, create=True)
    have = {c.id for c in store.get()}
    stale = [cid for cid in have if cid not in desired]
    if stale:
        store.delete(stale)
    missing = [cid for cid in desired if cid not in have]
    copied = _copy_from_previous(conn, run.prev, emb, store, missing, desired)
    to_embed = [cid for cid in missing if cid not in copied]
    run.record.timings_s["copy"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    _embed(run, emb, store, to_embed, desired)
    run.record.chunks_embedded = len(to_embed)
    run.record.chunks_reused = len(desired) - len(to_embed)
    run.record.timings_s["embed"] = round(time.perf_counter() - t, 3)
    return store


def _embed(
    run: _Context,
    emb: NamedEmbeddings,
    store: VectorIndex,
    ids: list[str],
    desired: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    batch = run.settings.embedding.batch_size
    with run.progress.bar(len(ids), "embedding") as bar:
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            texts = [desired[c][0] for c in part]
            vectors = emb.embed_documents([search_text(x) for x in texts])
            store.add(part, texts, [desired[c][1] for c in part], vectors)
            bar.update(len(part))


# ---- step 5: swap --------------------------------------------------------------------------------------------------


def _swap(
    run: _Context,
    conn: VectorIndexes,
    store: VectorIndex,
    pages: dict[str, PageState],
    desired: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    """Keyword index from the stored chunk texts and the manifest into a new generation folder, then the build
    collection renamed and ``active.json`` pointed at it (the atomic swap), then older generations dropped."""
    t = time.perf_counter()
    record = run.record
    stored = store.get()
    if len(stored) != len(desired):
        raise RuntimeError(f"build collection holds {len(stored)} chunks, expected {len(desired)}")
    stored.sort(key=lambda c: (c.metadata.get("location", ""), c.metadata.get("position", 0)))
    generation = f"g{record.run_id}"
    folder = run.index_dir / generation
    KeywordIndex.build([c.id for c in stored], [c.text for c in stored], [c.metadata for c in stored]).save(
        folder / KEYWORD
    )
    _write_manifest(folder, record.run_id, pages)
    record.timings_s["keyword"] = round(time.perf_counter() - t, 3)
    collection = f"{run.prefix}-{generation}"
    conn.rename(run.build_name, collection)
    active = ActiveIndex(
        generation=generation,
        collection=collection,
        model_id=run.model_id,
        fingerprint=run.fingerprint or "",
        finished=_now(),
        pages=len(pages),
        chunks=len(desired),
    )
    write_active(run.index_dir, active)
    record.generation, record.collection, record.status = generation, collection, "ok"
    previous = run.prev.active.collection if run.prev.active else ""
    _collect_garbage(conn, run.index_dir, run.prefix, keep={collection, previous})


def _write_manifest(folder: Path, run_id: str, pages: dict[str, PageState]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"run_id": run_id, "pages": {loc: asdict(p) for loc, p in sorted(pages.items())}}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def _collection_exists(settings: Settings, name: str) -> bool:
    return name in _vector_store(settings).names(name)


def _replace(active: ActiveIndex, **changes: Any) -> ActiveIndex:
    data = asdict(active)
    data.update(changes)
    return ActiveIndex(**data)


def _copy_from_previous(
    conn: VectorIndexes,
    prev: _Previous,
    emb: NamedEmbeddings,
    store: VectorIndex,
    missing: list[str],
    desired: dict[str, tuple[str, dict[str, Any]]],
) -> set[str]:
    """Copy vectors of ``missing`` chunks the previous generation already holds; return the copied ids."""
    if prev.active is None or not missing:
        return set()
    try:
        old = conn.open(prev.active.collection, emb)
    except KeyError:
        log.warning("previous collection %s is gone; re-embedding", prev.active.collection)
        return set()
    found = [c for c in old.get(missing, with_embeddings=True) if c.embedding is not None]
    for i in range(0, len(found), 500):
        part = found[i : i + 500]
        store.add(
            [c.id for c in part],
            [desired[c.id][0] for c in part],
            [desired[c.id][1] for c in part],
            [c.embedding or [] for c in part],
        )
    return {c.id for c in found}


def _collect_garbage(conn: VectorIndexes, index_dir: Path, prefix: str, keep: set[str]) -> None:
    """Drop generations other than the new one and the one before it (a reader may still hold that)."""
    for name in conn.names(prefix + "-g"):
        if name not in keep:
            conn.drop(name)
    keep_folders = {k.removeprefix(prefix + "-") for k in keep if k}
    for folder in index_dir.glob("g*"):
        if folder.is_dir() and folder.name not in keep_folders:
            shutil.rmtree(folder, ignore_errors=True)
