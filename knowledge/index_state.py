"""The active index pointer shared by ingest (writes it last) and retrieval (reads it on every search).

``INDEX_DIR/active.json`` names the Chroma collection and the generation folder (keyword index, page manifest) of
the last complete ingest. Ingest writes a new generation, then replaces this file atomically; an ingest killed
half-way leaves the previous pointer, hence the previous index, serving.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.settings import Settings

ACTIVE = "active.json"


@dataclass(frozen=True)
class ActiveIndex:
    generation: str  # folder name under INDEX_DIR holding keyword/ and manifest.json
    collection: str  # Chroma collection name
    model_id: str  # embedding model the vectors come from
    fingerprint: str = ""  # sources + settings fingerprint of the run that built it (for --if-stale)
    finished: str = ""  # ISO timestamp
    pages: int = 0
    chunks: int = 0

    def folder(self, index_dir: Path) -> Path:
        return index_dir / self.generation


def collection_prefix(settings: Settings, model_id: str) -> str:
    """``<CHROMA__COLLECTION>-<model id>``, restricted to Chroma's allowed characters."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"{settings.chroma.collection}-{model_id}")
    return name[:480]


def read_active(index_dir: Path) -> ActiveIndex | None:
    path = index_dir / ACTIVE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        return ActiveIndex(**data)
    except TypeError:
        return None


def write_active(index_dir: Path, active: ActiveIndex) -> None:
    """Replace the pointer atomically (write a temporary file, fsync, rename)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".{ACTIVE}.tmp"
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(asdict(active), f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / ACTIVE)


def active_mtime(index_dir: Path) -> float:
    try:
        return (index_dir / ACTIVE).stat().st_mtime_ns / 1e9
    except OSError:
        return 0.0
