"""Running: each case's turns through the real concierge (one session per case, a throw-away session store) and
each retrieval question through the page searcher; the answers go to ``evals.scoring``.

Example::

    >>> searcher, why = page_searcher(settings)
    >>> results = run_cases(settings, cases, catalog, searcher, known_numbers, known_urls)
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.cases import Case
from evals.scoring import CaseResult, score_case, score_retrieval
from knowledge.catalog import Catalog
from knowledge.index_state import read_active
from knowledge.retrieval_types import PageSearcher
from knowledge.settings import Settings

log = logging.getLogger(__name__)


def page_searcher(settings: Settings) -> tuple[PageSearcher | None, str | None]:
    """The page searcher when an index exists, else None and the reason."""
    if read_active(settings.index_dir) is None:
        return (
            None,
            f"no page index under {settings.index_dir} (run `concierge ingest`): page cases and retrieval skipped",
        )
    try:
        from knowledge.retrieval import build_searcher

        searcher = build_searcher(settings)
        if hasattr(searcher, "warm_up"):
            searcher.warm_up()
        return searcher, None
    except Exception as err:  # reported in the note; catalog cases still run
        return (
            None,
            f"page searcher unavailable ({type(err).__name__}: {err}): page cases and retrieval skipped",
        )


def run_cases(
    settings: Settings,
    cases: list[Case],
    catalog: Catalog,
    searcher: PageSearcher | None,
    known_numbers: set[str],
    known_urls: set[str],
) -> list[CaseResult]:
    """Every case through one concierge on a throw-away session store; a case that needs the page index is
    skipped without one."""
    from bot.service import build_concierge

    with tempfile.TemporaryDirectory(prefix="concierge-eval-") as tmp:
        session = settings.session.model_copy(update={"url": f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}"})
        eval_settings = settings.model_copy(update={"session": session})
        concierge = build_concierge(eval_settings, searcher=searcher, with_pages=searcher is not None)
        results: list[CaseResult] = []
        for case in cases:
            if case.needs_index and searcher is None:
                r = CaseResult(
                    case.id, case.split, case.style, list(case.tags), case.file, skipped="no page index"
                )
                results.append(r)
                continue
            results.append(run_case(concierge, case, catalog, known_numbers, known_urls))
        if hasattr(concierge.sessions, "close"):
            concierge.sessions.close()
    return results


def run_case(
    concierge: Any, case: Case, catalog: Catalog, known_numbers: set[str], known_urls: set[str]
) -> CaseResult:
    from bot.contract import ChatRequest, ChatResponse

    session: str | None = None
    latencies: list[float] = []
    responses: list[Any] = []
    resp: Any = None
    error = None
    for turn in case.turns:
        started = time.perf_counter()
        try:
            resp = concierge.chat(
                ChatRequest(
                    message=turn.message,
                    session_id=session,
                    today=turn.today or case.today,
                    lang=None,
                    municipality=None,
                )
            )
        except Exception as err:  # a crash is a failed case, reported with its message; the run goes on
            log.exception("case %s crashed", case.id)
            error = f"{type(err).__name__}: {err}"
            resp = ChatResponse(session_id="", reply="")
            break
        finally:
            latencies.append((time.perf_counter() - started) * 1000)
        session = resp.session_id
        responses.append(resp)
    result = score_case(
        case, resp, catalog, known_numbers=known_numbers, known_urls=known_urls, responses=responses or None
    )
    result.latencies_ms = [round(x, 2) for x in latencies]
    if error:
        result.failures.insert(0, f"error: {error}")
    return result


def run_retrieval(
    searcher: PageSearcher, questions: list[dict[str, Any]], k: int = 5
) -> list[dict[str, Any]]:
    """Each question searched; its row carries the ranked pages, recall@k and reciprocal rank."""
    rows = []
    for q in questions:
        hits = searcher.search(q["query"], k=k, municipality=q["municipality"])
        rows.append({**q, **score_retrieval([h.url for h in hits], q["relevant"], k)})
    return rows
