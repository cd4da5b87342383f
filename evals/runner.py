"""`concierge eval`: run the evaluation cases through the real concierge and score them.

The steps live one concern per module: ``evals.cases`` loads and validates the cases and retrieval questions,
``evals.running`` runs them (each case's turns through ``Concierge.chat``, one session per case; each question
through the page searcher when an index exists), ``evals.scoring`` scores them and ``evals.report`` aggregates the
metrics, checks thresholds and writes the table, ``report.json`` and ``report.html`` into ``out``.

Example::

    >>> ok = run_eval(get_settings(), split="all", quick=True, out=Path("var/eval"), check_thresholds=True)
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.cases import QUESTIONS, Case, load_cases, load_questions, validate_cases
from evals.report import (
    METRICS,
    SPLITS,
    aggregate,
    check_against,
    format_table,
    load_thresholds,
    write_report,
)
from evals.running import page_searcher, run_cases, run_retrieval
from evals.scoring import CaseResult, catalog_numbers, catalog_urls, index_urls
from knowledge.catalog import Catalog, load_catalog
from knowledge.retrieval_types import PageSearcher
from knowledge.settings import Settings


def run_eval(
    settings: Settings,
    *,
    split: str = "all",
    quick: bool = False,
    out: Path = Path("var/eval"),
    check_thresholds: bool = False,
    cases_dir: Path | None = None,
    echo: Callable[[str], Any] | None = None,
) -> bool:
    """Run the cases (and the retrieval questions), write report.json / report.html into ``out``.

    Returns False when the case files are invalid or, with ``check_thresholds``, a metric is below its threshold.
    """
    say = echo or (lambda s: sys.stdout.write(s + "\n"))
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    catalog = load_catalog(settings.catalog_dir)
    cases = _select_cases(catalog, cases_dir, split, quick, say)
    if cases is None:
        return False

    notes: list[str] = []
    searcher, why = page_searcher(settings)
    if why:
        notes.append(why)
    known_urls = catalog_urls(catalog) | index_urls(settings)
    started = time.perf_counter()
    results = run_cases(settings, cases, catalog, searcher, catalog_numbers(catalog), known_urls)
    retrieval = _run_questions(searcher, split, quick, notes)

    summary = _summarise(results, retrieval)
    limits = load_thresholds().get("quick" if quick else "full", {})
    breaches = check_against(summary["all"], limits) if check_thresholds else []
    report = {
        "generated": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "split": split,
        "catalog_version": catalog.version,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "summary": summary,
        "metrics": [{"key": k, "label": label, "kind": kind} for k, label, kind in METRICS],
        "thresholds": limits,
        "breaches": breaches,
        "cases": [asdict(r) | {"passed": r.passed} for r in results],
        "retrieval": retrieval or [],
    }
    out = Path(out)
    write_report(report, out)
    _print(say, summary, notes, results, breaches, out)
    return not breaches


def _select_cases(
    catalog: Catalog, cases_dir: Path | None, split: str, quick: bool, say: Callable[[str], Any]
) -> list[Case] | None:
    """The valid cases of ``split`` (the quick subset with ``quick``); None (errors said) when a case is invalid."""
    cases = load_cases(cases_dir)
    problems = validate_cases(cases, catalog)
    if problems:
        for p in problems:
            say(f"case error: {p}")
        return None
    if quick:
        cases = [c for c in cases if c.quick]
    if split != "all":
        cases = [c for c in cases if c.split == split]
    return cases


def _run_questions(
    searcher: PageSearcher | None, split: str, quick: bool, notes: list[str]
) -> list[dict[str, Any]] | None:
    """The retrieval questions of ``split`` scored with the page searcher; None without questions or searcher."""
    questions = load_questions()
    if not questions:
        notes.append(f"no retrieval questions at {QUESTIONS}")
        return None
    if searcher is None:
        return None
    if quick:
        questions = questions[:20]
    if split != "all":
        questions = [q for q in questions if q["split"] == split]
    return run_retrieval(searcher, questions)


def _summarise(
    results: list[CaseResult], retrieval: list[dict[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """The metrics of each split (dev, heldout) and of all cases together."""
    summary: dict[str, dict[str, Any]] = {}
    for s in SPLITS:
        rs = results if s == "all" else [r for r in results if r.split == s]
        rq = retrieval if (s == "all" or retrieval is None) else [q for q in retrieval if q["split"] == s]
        summary[s] = aggregate(rs, rq)
    return summary


def _print(
    say: Callable[[str], Any],
    summary: dict[str, dict[str, Any]],
    notes: list[str],
    results: list[CaseResult],
    breaches: list[str],
    out: Path,
) -> None:
    shown = [s for s in SPLITS if summary[s]["cases"] or summary[s]["retrieval_questions"]]
    say(format_table(summary, shown))
    for n in notes:
        say(f"note: {n}")
    failing = [r for r in results if r.skipped is None and not r.passed]
    say(f"{len(failing)} failing case(s); report: {out / 'report.json'}, {out / 'report.html'}")
    for b in breaches:
        say(f"below threshold: {b}")
