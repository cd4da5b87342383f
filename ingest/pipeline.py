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
from ingest.models import Chunk, PageRefused
from ingest.records import FactToReview, Failure, PageEntry, RunRecord
from ingest.sources import Source, SourceError, SourceItem, make_sources
from knowledge.embeddings import NamedEmbeddings, embedding_model_id, make_embeddings
from knowledge.index_state import ActiveIndex, collection_prefix, read_active, write_active
from knowledge.japanese import search_text
from knowledge.keyword_index import KeywordIndex
from knowledge.settings import Settings
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


def _norm_url(url: str) -> str:
    u = url.strip().split("#")[0].rstrip("/").lower()
    return u.replace("http://", "https://", 1).replace("://www.", "://", 1)


def page_key(url: str) -> str:
    """A page's identity: its canonical URL (normalised), whatever folder or host it came from.

    A page without a canonical URL is known by its file path or fetched URL, which is what ``Page.url`` holds."""
    return _norm_url(url) if url.startswith(("http://", "https://")) else url


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
    changed = {_norm_url(p.url): "page changed" for p in record.changed}
    changed |= {_norm_url(p.url): "page removed from its source" for p in record.removed}
    added = {_norm_url(p.url) for p in record.added}
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
        key = _norm_url(src.url)
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
    index_dir = settings.index_dir
    model_id = embeddings.model_id if embeddings is not None else embedding_model_id(settings)
    record.embedding_model = model_id
    prefix = collection_prefix(settings, model_id)
    own_fetcher = fetcher is None
    fetch_holder: list[Fetcher] = [fetcher] if fetcher else []

    def get_fetcher() -> Fetcher:
        if not fetch_holder:
            fetch_holder.append(
                Fetcher(
                    deadline_s=settings.ingest.page_deadline_s, allowed_hosts=settings.ingest.allowed_hosts
                )
            )
        return fetch_holder[0]

    srcs = make_sources(specs, get_fetcher)
    fingerprint = _fingerprint(settings, model_id, srcs)
    prev = _load_previous(index_dir)
    if prev.active is not None and prev.active.model_id != model_id:
        log.info(
            "embedding model changed (%s -> %s): re-embedding everything", prev.active.model_id, model_id
        )
        prev = _Previous(pages=prev.pages, chunks=prev.chunks)
    if (
        if_stale
        and fingerprint is not None
        and prev.active is not None
        and prev.active.fingerprint == fingerprint
        and (prev.active.folder(index_dir) / KEYWORD).is_dir()
    ):
        record.status = "skipped"
        record.pages_total = prev.active.pages
        record.chunks_total = prev.active.chunks
        record.generation = prev.active.generation
        record.collection = prev.active.collection
        return

    version = extraction_version(settings)
    hosts, names = municipality_lookups(settings.catalog_dir)
    extractor = Extractor(hosts=hosts, names=names, canonical_ok=CanonicalPolicy.from_settings(settings))
    page_meta = provenance_metadata(settings.catalog_dir)  # publisher, kind and the page's own date per chunk
    chunker = Chunker()
    t = time.perf_counter()

    # 1. list every source; a source that cannot be listed keeps its pages as they were
    listed: list[tuple[Source, list[SourceItem]]] = []
    failed_sources: set[str] = set()
    for src in srcs:
        try:
            listed.append((src, list(src.items())))
        except SourceError as err:
            log.error("source %s skipped: %s", src.key, err)
            record.failed.append(Failure(src.key, str(err)))
            failed_sources.add(src.key)
    record.timings_s["list"] = round(time.perf_counter() - t, 3)

    # 2. load, extract and chunk what changed. A page's identity is its canonical URL (``page_key``), whatever
    #    folder, file name or host it came from: the same page from a copy of a folder is the same page.
    t = time.perf_counter()
    pages: dict[str, PageState] = {}  # page key -> state
    page_chunks: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}  # page key -> [(id, text, meta)]
    new_chunks: dict[str, Chunk] = {}
    updated_by_url: dict[str, str | None] = {}
    seen_sources: set[str] = set()
    seen_locations: set[str] = set()
    renamed: set[str] = set()  # previous page keys whose file now names another page
    prev_by_location = {p.location: (k, p) for k, p in prev.pages.items()}
    prev_by_raw = {p.raw_hash: (k, p) for k, p in prev.pages.items()}
    page_texts = PageTexts(index_dir)

    def keep_old(key: str, old: PageState) -> None:
        pages[key] = old
        page_chunks[key] = [(c, *prev.chunks[c]) for c in old.chunk_ids if c in prev.chunks]

    total_items = sum(len(items) for _, items in listed)
    with progress.bar(total_items, "pages") as bar:
        for src, items in listed:
            seen_sources.add(src.key)
            for item in items:
                bar.update(1)
                if item.location in seen_locations:
                    continue  # the same file through two sources
                seen_locations.add(item.location)
                by_location = prev_by_location.get(item.location)
                try:
                    fetched = item.load()
                    same = (
                        by_location if by_location and by_location[1].raw_hash == fetched.raw_hash else None
                    )
                    same = same or prev_by_raw.get(fetched.raw_hash)  # identical bytes elsewhere: same page
                    if (
                        same is not None
                        and same[1].pipeline == version
                        and all(cid in prev.chunks for cid in same[1].chunk_ids)
                    ):
                        if same[0] not in pages:
                            keep_old(*same)
                        record.unchanged.append(item.location)
                        continue
                    page = extractor(fetched)
                    chunks = chunker(page)
                    if not chunks:
                        raise PageRefused("no text to index after extraction")
                    if len(chunks) > settings.ingest.max_chunks_per_page:
                        raise PageRefused(
                            f"too many chunks ({len(chunks)} > {settings.ingest.max_chunks_per_page}, "
                            "CONCIERGE_INGEST__MAX_CHUNKS_PER_PAGE)"
                        )
                except PageRefused as err:
                    log.warning("skipped %s: %s", item.location, err)
                    record.failed.append(Failure(item.location, str(err)))
                    if by_location is not None and by_location[0] not in pages:  # keep the last good version
                        keep_old(*by_location)
                    continue
                except (OSError, ValueError, UnicodeError) as err:
                    log.warning("failed %s: %s: %s", item.location, type(err).__name__, err)
                    record.failed.append(Failure(item.location, f"{type(err).__name__}: {err}"))
                    if by_location is not None and by_location[0] not in pages:
                        keep_old(*by_location)
                    continue
                key = page_key(page.url)
                if key in pages:  # a second copy of a page already taken in this run
                    if pages[key].page_hash == page.content_hash:
                        record.unchanged.append(item.location)
                    else:
                        log.warning(
                            "%s: same canonical URL as %s, other text; kept the first",
                            item.location,
                            pages[key].location,
                        )
                        record.failed.append(
                            Failure(
                                item.location,
                                f"same canonical URL as {pages[key].location} with other text; not taken",
                            )
                        )
                    continue
                record.extractors[page.extractor] = record.extractors.get(page.extractor, 0) + 1
                old = prev.pages.get(key)
                if old is None and by_location is not None and by_location[0] not in pages:
                    # the same file now names another page (e.g. a canonical claim the policy no longer
                    # allows): a change of that page, not an addition plus a removal
                    old = by_location[1]
                    renamed.add(by_location[0])
                state = PageState(
                    source=src.key,
                    location=item.location,
                    url=page.url,
                    title=page.title,
                    raw_hash=fetched.raw_hash,
                    page_hash=page.content_hash,
                    chunk_ids=[c.id for c in chunks],
                    municipality=page.municipality,
                    updated=page.updated,
                    pipeline=version,
                )
                if (
                    old is not None
                    and old.page_hash == state.page_hash
                    and old.pipeline == version
                    and old.location != item.location
                ):
                    keep_old(key, old)  # the same page from another folder or host: one copy, the one we had
                    record.unchanged.append(item.location)
                    continue
                page_texts.save(key, state.page_hash, page.text)
                pages[key] = state
                provenance = page_meta(page.url, page.updated)
                page_chunks[key] = [(c.id, c.text, {**c.metadata(), **provenance}) for c in chunks]
                for c in chunks:
                    new_chunks.setdefault(c.id, c)
                entry = PageEntry(item.location, page.url, page.title, len(chunks))
                if old is None:
                    record.added.append(entry)
                    updated_by_url[_norm_url(page.url)] = page.updated
                elif old.page_hash != state.page_hash or old.url != state.url:
                    entry.old_hash, entry.new_hash = old.page_hash, state.page_hash
                    if not page_texts.exists(key, old.page_hash):  # index made before texts were kept
                        page_texts.save(key, old.page_hash, _text_from_chunks(old, prev.chunks))
                    record.changed.append(entry)
                else:
                    record.unchanged.append(item.location)
    # pages of sources not in this run (or that failed to list) are carried over unchanged
    for key, old in prev.pages.items():
        if key in pages or key in renamed:
            continue
        if old.source in seen_sources:
            record.removed.append(PageEntry(old.location, old.url, old.title, len(old.chunk_ids)))
            continue
        keep_old(key, old)
    record.timings_s["extract"] = round(time.perf_counter() - t, 3)

    desired: dict[str, tuple[str, dict[str, Any]]] = {}
    for loc in sorted(page_chunks):
        for cid, text, meta in page_chunks[loc]:
            desired.setdefault(cid, (text, meta))
    record.pages_total = len(pages)
    record.chunks_total = len(desired)
    record.facts_to_review = _facts_to_review(settings, record, updated_by_url)

    nothing_changed = not (record.added or record.changed or record.removed)
    if nothing_changed and prev.active is not None and _collection_exists(settings, prev.active.collection):
        record.status = "ok"
        record.chunks_reused = len(desired)
        record.generation = prev.active.generation
        record.collection = prev.active.collection
        if any(prev.pages.get(loc) != p for loc, p in pages.items()):  # e.g. only the chrome changed
            _write_manifest(prev.active.folder(index_dir), record.run_id, pages)
        if fingerprint != prev.active.fingerprint:
            write_active(index_dir, _replace(prev.active, fingerprint=fingerprint or ""))
        if own_fetcher and fetch_holder:
            fetch_holder[0].close()
        return
    if own_fetcher and fetch_holder:
        fetch_holder[0].close()

    # 3. build the new generation: copy known vectors, embed the rest
    emb = embeddings or make_embeddings(settings)
    conn = open_vector_indexes(settings)
    build_name = f"{prefix}-build"
    t = time.perf_counter()
    store = conn.open(build_name, emb, create=True)
    have = {c.id for c in store.get()}
    stale = [cid for cid in have if cid not in desired]
    if stale:
        store.delete(stale)
    missing = [cid for cid in desired if cid not in have]
    copied = _copy_from_previous(conn, prev, emb, store, missing, desired)
    to_embed = [cid for cid in missing if cid not in copied]
    record.timings_s["copy"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    batch = settings.embedding.batch_size
    with progress.bar(len(to_embed), "embedding") as bar:
        for i in range(0, len(to_embed), batch):
            ids = to_embed[i : i + batch]
            texts = [desired[c][0] for c in ids]
            vectors = emb.embed_documents([search_text(x) for x in texts])
            store.add(ids, texts, [desired[c][1] for c in ids], vectors)
            bar.update(len(ids))
    record.chunks_embedded = len(to_embed)
    record.chunks_reused = len(desired) - len(to_embed)
    record.timings_s["embed"] = round(time.perf_counter() - t, 3)

    # 4. keyword index from the stored chunk texts, manifest, then the atomic swap
    t = time.perf_counter()
    stored = store.get()
    if len(stored) != len(desired):
        raise RuntimeError(f"build collection holds {len(stored)} chunks, expected {len(desired)}")
    stored.sort(key=lambda c: (c.metadata.get("location", ""), c.metadata.get("position", 0)))
    generation = f"g{record.run_id}"
    folder = index_dir / generation
    KeywordIndex.build([c.id for c in stored], [c.text for c in stored], [c.metadata for c in stored]).save(
        folder / KEYWORD
    )
    _write_manifest(folder, record.run_id, pages)
    record.timings_s["keyword"] = round(time.perf_counter() - t, 3)
    collection = f"{prefix}-{generation}"
    conn.rename(build_name, collection)
    active = ActiveIndex(
        generation=generation,
        collection=collection,
        model_id=model_id,
        fingerprint=fingerprint or "",
        finished=_now(),
        pages=len(pages),
        chunks=len(desired),
    )
    write_active(index_dir, active)
    record.generation, record.collection, record.status = generation, collection, "ok"
    _collect_garbage(
        conn, index_dir, prefix, keep={collection, prev.active.collection if prev.active else ""}
    )


def _write_manifest(folder: Path, run_id: str, pages: dict[str, PageState]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"run_id": run_id, "pages": {loc: asdict(p) for loc, p in sorted(pages.items())}}
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def _collection_exists(settings: Settings, name: str) -> bool:
    return name in open_vector_indexes(settings).names(name)


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
