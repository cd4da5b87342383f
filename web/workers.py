"""`concierge serve --workers N`: N uvicorn worker processes serving one app, each built from the environment.

uvicorn starts the workers itself (``multiprocessing`` spawn) and imports ``web.workers:worker_app`` in each; the
settings therefore come from the same ``CONCIERGE_*`` environment as the parent command. Every worker watches
``INDEX_DIR/active.json`` on its own (``knowledge.retrieval.HybridRetriever``), so a new ingest generation is picked
up by all of them. State the workers must share lives in the session store (SQLite file by default, PostgreSQL
for several machines), the shared state of ``web.state`` (rate limits, console sign-ins, the audit log) and the
vector store (embedded Chroma on disk, or ``chroma run``).

Example::

    $ concierge serve --workers 2 --port 8000
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping

from fastapi import FastAPI

from knowledge.settings import get_settings
from web.state import WORKERS_ENV

LOG_LEVEL_ENV = "CONCIERGE_LOG_LEVEL"
MALLOC_ARENAS = (
    2  # glibc's default is 8 per core; measured: a worker 425 -> 414 MB peak in `bench chat-distinct`
)
_M_ARENA_MAX = -8  # mallopt parameter number (glibc malloc.h)


def limit_malloc_arenas(env: MutableMapping[str, str] | None = None) -> bool:
    """Cap glibc's malloc arenas for this server process and the workers it starts (``MALLOC_ARENA_MAX``).

    Each request thread would otherwise get an arena of its own, and memory freed in one arena is not reused by
    another, so a threaded server's RSS grows with its thread pool. An operator's own ``MALLOC_ARENA_MAX`` wins.
    Returns True when this process was changed (glibc only; elsewhere nothing happens)."""
    target: MutableMapping[str, str] = os.environ if env is None else env
    if "MALLOC_ARENA_MAX" in target:
        return False  # glibc read it at start-up
    target["MALLOC_ARENA_MAX"] = str(MALLOC_ARENAS)  # spawned workers read it when they start
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS))
    except (OSError, AttributeError):  # not glibc (macOS, musl)
        return False


def worker_app() -> FastAPI:
    """The app of one worker process: logging and redaction as the CLI sets them up, then ``create_app``."""
    from knowledge.privacy import install_redaction
    from web.app import create_app

    settings = get_settings()
    level = (os.environ.get(LOG_LEVEL_ENV) or settings.log_level).upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
        stream=sys.stderr,
    )
    install_redaction()
    for noisy in ("httpx", "chromadb", "urllib3", "trafilatura", "htmldate", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    return create_app(settings)


def run_workers(host: str, port: int, workers: int) -> None:
    """Serve ``worker_app`` from ``workers`` processes on one socket (uvicorn's supervisor restarts dead ones)."""
    import uvicorn

    # the workers read their log level from the environment: carry over `concierge --log-level`
    os.environ[LOG_LEVEL_ENV] = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    # several processes: rate limits count in a shared store even on SQLite (web.state.open_rate_limiter)
    os.environ[WORKERS_ENV] = str(workers)
    uvicorn.run(
        "web.workers:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
