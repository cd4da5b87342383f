"""The record each ingest run writes to ``INDEX_DIR/runs/<run id>.json`` (the editor console lists them).

Example::

    >>> rec = latest_run(settings)
    >>> rec["pages"]["changed"], rec["facts_to_review"][:1]
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class PageEntry:
    location: str
    url: str
    title: str = ""
    chunks: int = 0
    old_hash: str = ""  # changed pages: content hashes of the stored old and new text (PageTexts)
    new_hash: str = ""


@dataclass
class Failure:
    location: str
    reason: str


@dataclass
class FactToReview:
    fact: str  # catalog fact path, e.g. 'procedure:birth-registration.deadline'
    url: str
    title: str
    verified: str
    reason: str


@dataclass
class RunRecord:
    run_id: str
    started: str
    sources: list[str]
    status: str = "running"  # ok | skipped (--if-stale, nothing changed) | failed
    finished: str = ""
    added: list[PageEntry] = field(default_factory=list)
    changed: list[PageEntry] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # locations
    removed: list[PageEntry] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    pages_total: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    generation: str = ""
    collection: str = ""
    embedding_model: str = ""
    extractors: dict[str, int] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    facts_to_review: list[FactToReview] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        if self.status == "skipped":
            return f"index up to date ({self.pages_total} pages, {self.chunks_total} chunks); nothing to do"
        total = self.timings_s.get("total", 0.0)
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.removed)} removed",
            f"{len(self.failed)} failed",
        ]
        line = (
            f"ingest {self.status}: "
            + ", ".join(parts)
            + f" | {self.pages_total} pages, {self.chunks_total} "
            f"chunks ({self.chunks_embedded} embedded, {self.chunks_reused} reused) in {total:.1f}s"
        )
        for f in self.failed[:10]:
            line += f"\n  failed: {f.location}: {f.reason}"
        if len(self.failed) > 10:
            line += f"\n  … {len(self.failed) - 10} more failures in the run record"
        if self.facts_to_review:
            line += f"\n  {len(self.facts_to_review)} catalog fact(s) cite a changed page: review them"
        if self.error:
            line += f"\n  error: {self.error}"
        return line

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, index_dir: Path) -> Path:
        folder = index_dir / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.run_id}.json"
        tmp = folder / f".{self.run_id}.json.tmp"
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        return path


def read_runs(index_dir: Path, limit: int = 50) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Up to ``limit`` run records under ``index_dir/runs``, newest first (run ids sort by start time), each with
    its file; the one place that reads them (``list_runs``, ``latest_run`` and the editor console). An unreadable
    file, or one that holds no record object, is logged and skipped (so the latest run is the newest readable one).
    """
    folder = index_dir / "runs"
    if not folder.is_dir():
        return
    taken = 0
    for path in sorted(folder.glob("*.json"), reverse=True):
        if taken >= limit:
            return
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            log.warning("unreadable run record %s: %s", path, err)
            continue
        if isinstance(rec, dict):
            taken += 1
            yield path, rec


def list_runs(settings: Settings, limit: int = 50) -> list[dict[str, Any]]:
    """Run records, newest first."""
    return [rec for _, rec in read_runs(settings.index_dir, limit)]


def latest_run(settings: Settings) -> dict[str, Any] | None:
    runs = list_runs(settings, limit=1)
    return runs[0] if runs else None
