"""The metric functions on small hand-made inputs, including the inputs that must make them fail."""

from __future__ import annotations

import datetime as dt

import pytest

from evals import metrics as M


def test_events_match_needs_all_expected_and_nothing_unexpected() -> None:
    assert M.events_match(["birth"], [], ["birth"])
    assert not M.events_match(["birth"], [], [])
    assert not M.events_match(["birth"], [], ["birth", "divorce"])
    assert M.events_match(["birth"], ["divorce"], ["birth", "divorce"])
    assert M.events_match([], [], [])
    assert not M.events_match([], [], ["moving"])


def test_bundle_recall_and_judged_precision() -> None:
    assert M.bundle_recall(["a", "b"], ["a", "x"]) == 0.5
    assert M.bundle_recall([], ["a"]) is None
    # x is not judged by the case; c is forbidden
    assert M.bundle_precision(["a", "b"], ["c"], ["a", "x", "c"]) == 0.5
    assert M.bundle_precision(["a"], ["c"], ["a", "x"]) == 1.0
    assert M.bundle_precision(["a"], ["c"], ["x"]) is None
    assert M.bundle_precision([], ["c"], ["c"]) == 0.0


def test_due_matches_counts_exact_dates_and_missing_procedures() -> None:
    want = {"a": dt.date(2026, 12, 3), "b": dt.date(2027, 1, 4), "c": None, "d": dt.date(2026, 1, 1)}
    got = {"a": dt.date(2026, 12, 3), "b": dt.date(2026, 12, 30), "c": None}
    hits, total, misses = M.due_matches(want, got)
    assert (hits, total) == (2, 4)
    assert any(m.startswith("b: got 2026-12-30") for m in misses)
    assert any(m.startswith("d: missing") for m in misses)


@pytest.mark.parametrize(
    ("haystack", "fact", "found"),
    [
        ("葬祭費 70,000円", "70000円", True),
        ("葬祭費は7万円です", "70,000円", True),
        ("出産育児一時金 500,000円", "50,000円", False),  # not a longer number's tail
        ("ＡＢＣ １４日以内", "14日", True),  # full-width digits
        ("出生届は14日以内", "30日以内", False),
        ("Sawayaka  Support centre", "sawayaka support", True),
        ("", "x", False),
    ],
)
def test_contains_fact(haystack: str, fact: str, found: bool) -> None:
    assert M.contains_fact(haystack, fact) is found


def test_fact_score_counts_required_and_wrong() -> None:
    passed, checked, failures = M.fact_score(
        "期限は14日以内。30日以内ではありません", ["14日", "出生証明書"], ["30日以内"]
    )
    assert (passed, checked) == (1, 3)
    assert failures == ["missing: 出生証明書", "wrong stated: 30日以内"]


def test_numbers_and_invented_numbers() -> None:
    assert M.numbers_in("2026年12月03日まで、70,000円（7万円）") == ["2026", "12", "3", "70000", "70000"]
    allowed = {"2026", "12", "3"} | M.date_numbers([dt.date(2026, 11, 20)])
    assert M.invented_numbers("12月3日までに。手数料は450円", allowed) == ["450"]
    assert M.invented_numbers("11月20日", allowed) == []


def test_a_source_title_the_reply_names_states_no_number() -> None:
    # 「（出典：区政概要2024（242ページ））」 names where an amount comes from: 2024 and 242 are the title's words
    reply = (
        "第3子以降 30,000円（出典：区政概要2024（242ページ））、3歳未満 15,000円 (source: Guide (p. 12)) です"
    )
    assert M.without_source_names(reply) == "第3子以降 30,000円、3歳未満 15,000円  です"
    assert M.invented_numbers(reply, {"3", "30000", "15000"}) == []
    # the same number stated outside a source name is a number the reply states
    assert M.invented_numbers("手数料は242円（出典：区政概要2024（242ページ））", {"2024"}) == ["242"]
    assert M.without_source_names("（出典：閉じない") == ""  # an unclosed mark ends the text it names


def test_a_number_only_a_source_title_writes_is_not_the_catalogs() -> None:
    # before: every source title's numbers counted as the catalog's, so a reply stating a title's page or issue
    # number as an amount passed as grounded
    from evals.scoring import catalog_numbers
    from knowledge.catalog import default_catalog

    catalog = default_catalog()
    known = catalog_numbers(catalog)
    title_only = {n for _, s in catalog.iter_sources() for n in M.numbers_in(s.title)} - known
    assert title_only  # the catalog's source titles write issue and page numbers its content does not
    n = sorted(title_only)[0]
    assert M.invented_numbers(f"支給額は{n}円です。", known) == [n]


def test_retrieval_ranks() -> None:
    ranked = ["u3", "u2", "u1", "u1"]
    assert M.first_relevant_rank(ranked, {"u1"}) == 3
    assert M.recall_at_k(ranked, {"u1"}, k=2) == 0.0
    assert M.recall_at_k(ranked, {"u1"}, k=5) == 1.0
    assert M.reciprocal_rank(ranked, {"u1", "u2"}) == 0.5
    assert M.reciprocal_rank(ranked, {"zz"}) == 0.0
    assert M.dedupe(ranked) == ["u3", "u2", "u1"]


def test_retrieval_ranks_compare_pages_not_suffixes() -> None:
    page = "https://www.city.setagaya.lg.jp/kurashi/birth.html"
    # the same page written another way: http, no www, a fragment, a trailing slash, upper case
    assert (
        M.first_relevant_rank(["https://a.jp/x", "http://city.setagaya.lg.jp/Kurashi/birth.html#top"], [page])
        == 2
    )
    # several chunks of one page count once: the next page is rank 2, not 3
    assert M.reciprocal_rank(["https://a.jp/x", "https://a.jp/x/", page], [page]) == 0.5
    # a URL that merely ends like the expected one is another page (the old benchmark counted it as found)
    assert M.first_relevant_rank(["https://other.jp/kurashi/birth.html"], ["kurashi/birth.html"]) is None
    assert M.recall_at_k(["https://other.jp/kurashi/birth.html"], ["kurashi/birth.html"], 5) == 0.0


def test_one_metrics_module_for_every_benchmark() -> None:
    import ast
    from pathlib import Path

    # the repository, from this file (not evals.__file__: a namespace package has none)
    root = Path(__file__).resolve().parents[2]
    for folder in ("ingest", "evals", "knowledge", "bot"):
        for path in (root / folder).rglob("*.py"):
            if path.name == "metrics.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef):
                    assert node.name not in {
                        "percentile",
                        "_percentile",
                        "recall_at_k",
                        "reciprocal_rank",
                    }, f"{path}: {node.name} — use evals.metrics"


def test_aggregates() -> None:
    assert M.mean([1.0, None, 0.0]) == 0.5
    assert M.mean([None]) is None
    assert M.percentile([1, 2, 3, 4], 50) == 2.5
    assert M.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert M.percentile([], 95) is None
