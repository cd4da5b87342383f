"""The runner: scoring a hand-made answer, the quick subset through the real concierge, thresholds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.contract import AmountOut, ChatResponse, Citation, DeadlineOut, ProcedureOut, SourceRef
from evals import report as eval_report
from evals import runner, scoring
from evals.cases import Case
from knowledge.catalog import load_catalog
from knowledge.settings import get_settings


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _case(**expect) -> Case:
    return Case.model_validate(
        {
            "id": "t",
            "split": "dev",
            "today": "2026-11-26",
            "turns": ["11月20日に世田谷区で生まれました"],
            "expect": {"check_municipality": "municipality" in expect, **expect},
        }
    )


def _answer(reply: str, *, due: dt.date | None, cite: str = "https://example.org/unknown") -> ChatResponse:
    proc = ProcedureOut(
        id="birth-registration",
        title="出生届",
        office="世田谷区 戸籍の窓口",
        municipality="世田谷区",
        deadline=DeadlineOut(text="生まれた日を含めて14日以内", due=due),
        documents=["出生証明書"],
        amounts=[AmountOut(label="助成", yen=50000)],
        sources=[SourceRef(url="https://www.city.setagaya.lg.jp/", title="x")],
    )
    return ChatResponse(
        session_id="s",
        reply=reply,
        life_events=["birth"],
        municipality="世田谷区",
        procedures=[proc],
        citations=[Citation(url=cite, title="p", snippet="s")],
    )


def test_score_case_passes_a_right_answer_and_fails_each_wrong_part(catalog) -> None:
    known_numbers = scoring.catalog_numbers(catalog)
    known_urls = {"https://www.city.setagaya.lg.jp/", "https://example.org/page"}
    case = _case(
        life_events=["birth"],
        municipality="世田谷区",
        must=["birth-registration"],
        must_not=["death-registration"],
        due={"birth-registration": "2026-12-03"},
        facts=["出生証明書", "50,000円"],
        wrong=["30日以内"],
    )
    good = scoring.score_case(
        case,
        _answer("出生届：12月3日まで", due=dt.date(2026, 12, 3), cite="https://example.org/page"),
        catalog,
        known_numbers=known_numbers,
        known_urls=known_urls,
    )
    assert good.passed, good.failures
    assert (good.recall, good.precision, good.due_hits, good.fact_pass) == (1.0, 1.0, 1, 3)

    bad = scoring.score_case(
        case,
        _answer("出生届は30日以内、手数料は4321円です", due=dt.date(2026, 12, 4)),
        catalog,
        known_numbers=known_numbers,
        known_urls=known_urls,
    )
    text = "\n".join(bad.failures)
    assert not bad.passed
    assert "due birth-registration: got 2026-12-04" in text
    assert "wrong stated: 30日以内" in text
    assert bad.invented == ["4321"]
    assert bad.invalid_citations == ["https://example.org/unknown"]


def test_score_case_out_of_scope_and_places(catalog) -> None:
    case = _case(life_events=[], municipality=None, no_procedures=True)
    resp = ChatResponse(session_id="s", reply="対象外です", municipality="港区")
    r = scoring.score_case(case, resp, catalog, known_numbers=set(), known_urls=set())
    assert r.out_of_scope_ok is True and r.place_ok is False
    listed = _answer("x", due=None)
    r2 = scoring.score_case(case, listed, catalog, known_numbers=set(), known_urls=set())
    assert r2.out_of_scope_ok is False and r2.life_event_ok is False


def test_check_against_thresholds() -> None:
    values = {"bundle_recall": 0.9, "latency_p95_ms": 30.0, "retrieval_mrr": None}
    assert (
        eval_report.check_against(values, {"bundle_recall": {"min": 0.8}, "latency_p95_ms": {"max": 50}})
        == []
    )
    breaches = eval_report.check_against(
        values, {"bundle_recall": {"min": 0.95}, "latency_p95_ms": {"max": 10}, "retrieval_mrr": {"min": 0.5}}
    )
    assert len(breaches) == 2


def test_quick_subset_runs_through_the_real_concierge_and_writes_reports(tmp_path: Path, monkeypatch) -> None:
    settings = get_settings()  # CONCIERGE_DATA_DIR is a fresh tmp dir: catalog only, no page index
    lines: list[str] = []
    # the CI gate: the quick subset must stay at or above evals/thresholds.yaml
    ok = runner.run_eval(
        settings, split="all", quick=True, out=tmp_path / "out", check_thresholds=True, echo=lines.append
    )
    assert ok, [x for x in lines if "below threshold" in x]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert report["mode"] == "quick" and 20 <= report["summary"]["all"]["cases"] <= 40
    assert report["summary"]["all"]["bundle_recall"] is not None
    assert any("no page index" in n for n in report["notes"])
    assert html.count("<svg") == len(eval_report.METRICS) and "http" not in html.split("<body>")[0]
    assert "life-event accuracy" in "\n".join(lines)

    impossible = tmp_path / "thresholds.yaml"
    impossible.write_text("quick:\n  bundle_recall: {min: 1.01}\n", encoding="utf-8")
    monkeypatch.setattr(eval_report, "THRESHOLDS", impossible)
    assert not runner.run_eval(
        settings, quick=True, out=tmp_path / "out2", check_thresholds=True, echo=lines.append
    )
    assert any("below threshold: bundle_recall" in x for x in lines)
