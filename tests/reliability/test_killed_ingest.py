"""An ingest process killed with SIGKILL while it embeds leaves the previous index serving; the next run completes.

The ingest runs as a real `python -m web.cli ingest DIR` process with its stderr on a pseudo-terminal, so it draws
its progress bar; the test kills it once the bar shows some, not all, chunks embedded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from reliability_support import CLI, SEEDS, ProgressWatcher, cli_env, run_cli

from knowledge.index_state import read_active
from knowledge.retrieval import build_searcher
from knowledge.settings import get_settings
from knowledge.vector_index import open_vector_indexes

pytestmark = pytest.mark.slow

FIRST = ["setagaya", "hachioji", "chofu"]
MORE = ["machida", "musashino", "edogawa", "nerima", "shinjuku"]
QUERIES = ["出生届 期限", "国民健康保険 加入", "転入届 必要なもの", "児童手当"]


def _results(searcher: object) -> list[list[tuple[str, str]]]:
    return [[(h.chunk_id, h.url) for h in searcher.search(q, k=5)] for q in QUERIES]  # type: ignore[attr-defined]


def _clear_chroma_cache() -> None:
    """Forget chromadb's in-process client cache, as a freshly started reader would."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def test_sigkill_while_embedding_keeps_the_previous_index_and_the_next_run_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCIERGE_EMBEDDING__BACKEND", "hashing")
    monkeypatch.setenv("CONCIERGE_EMBEDDING__BATCH_SIZE", "8")  # small upserts: a visible, seconds-long embed
    settings = get_settings()
    pages = tmp_path / "pages"
    for name in FIRST:
        shutil.copytree(SEEDS / name, pages / name)

    done = run_cli(["ingest", "--no-progress", str(pages)], cli_env())
    assert done.returncode == 0, done.stderr[-2000:]
    before = read_active(settings.index_dir)
    assert before is not None
    serving = build_searcher(settings)  # a reader that keeps serving throughout, like the web app
    first_pages = serving.page_count()
    expected = _results(serving)
    assert first_pages == before.pages and all(expected)

    for name in MORE:
        shutil.copytree(SEEDS / name, pages / name)
    proc = ProgressWatcher([*CLI, "ingest", str(pages)], cli_env())
    try:
        m = proc.wait_for(r"embedding:.*?\|\s*(\d+)/(\d+)", timeout=40)
        while int(m.group(1)) == 0:  # wait until some, not all, vectors are written
            m = proc.wait_for(r"embedding:.*?\|\s*(\d+)/(\d+)", timeout=20)
        embedded, total = int(m.group(1)), int(m.group(2))
    finally:
        code = proc.kill()
    assert code == -9
    assert 0 < embedded < total, proc.output[-500:]

    # the pointer, the reader that was serving and a fresh reader all still see the previous index
    assert read_active(settings.index_dir) == before
    assert serving.page_count() == first_pages and _results(serving) == expected
    _clear_chroma_cache()
    fresh = build_searcher(settings)
    assert fresh.page_count() == first_pages and _results(fresh) == expected
    names = open_vector_indexes(settings).names()
    assert before.collection in names and any(n.endswith("-build") for n in names)  # killed mid-build

    # the next run completes (the lock died with the process) and reuses the vectors the killed run wrote
    again = run_cli(["ingest", "--no-progress", str(pages)], cli_env())
    assert again.returncode == 0, again.stderr[-2000:]
    after = read_active(settings.index_dir)
    assert after is not None and after.generation != before.generation
    record = json.loads((settings.index_dir / "runs" / f"{after.generation[1:]}.json").read_text("utf-8"))
    assert record["status"] == "ok" and not record["failed"]
    assert len(record["added"]) == after.pages - first_pages
    assert record["chunks_embedded"] <= total - embedded  # nothing embedded twice
    _clear_chroma_cache()
    final = build_searcher(settings)
    assert final.page_count() == after.pages > first_pages
    assert not any(n.endswith("-build") for n in open_vector_indexes(settings).names())
