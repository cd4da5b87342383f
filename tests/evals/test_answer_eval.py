"""The answer-quality evaluation on real pages: question file rules, scoring, and the whole run (real ingest, real
Chroma, real concierge) on 3 pages / 6 questions with the fast hashing embedder. Checks the plumbing, not scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from evals import answer_eval as A
from knowledge.catalog import load_catalog
from knowledge.settings import get_settings

PAGES = ("bunkyo-jidoteate", "taito-sosaihi", "tokyo-018support-faq")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_the_shipped_questions_follow_the_rules(catalog) -> None:
    questions = A.load_answer_questions()
    assert A.validate_answer_questions(questions, catalog) == []
    assert len(questions) >= 120
    langs = {lang: [q for q in questions if q.lang == lang] for lang in A.LANGS}
    assert all(langs.values())
    # the split follows the hash (validated above); questions added later were written with ids the hash puts in
    # dev, so the shares drift toward dev, but every language keeps a held-out part large enough to report
    for qs in langs.values():
        held_out = sum(q.split == "heldout" for q in qs)
        assert held_out >= 15
    pages = A.page_urls()
    assert len(pages) >= 58 and {q.page for q in questions} <= set(pages)


def test_validation_names_each_broken_question(catalog, tmp_path: Path) -> None:
    good = A.load_answer_questions()[0]
    bad = [
        good.model_copy(update={"split": "heldout" if good.split == "dev" else "dev"}),
        good.model_copy(update={"id": "x-1", "split": A.split_of("x-1"), "page": "https://example.org/none"}),
        good.model_copy(update={"id": "x-2", "split": A.split_of("x-2"), "answer": "(unclosed"}),
        good.model_copy(update={"id": "x-3", "split": A.split_of("x-3"), "municipality": "大阪市"}),
    ]
    problems = "\n".join(A.validate_answer_questions(bad, catalog))
    assert "split" in problems and "not one of the evaluation pages" in problems
    assert "does not compile" in problems and "unknown municipality '大阪市'" in problems


def test_answered_accepts_nfkc_forms_and_rejects_other_amounts() -> None:
    assert A.answered(r"7万円|70,000円|70000円", "葬祭費は７万円です")
    assert A.answered(r"(?i)2 years", "You can apply within 2 Years.")
    assert not A.answered(r"7万円|70,000円|70000円", "葬祭費は5万円です")


def _row(qid: str, split: str, lang: str, answered: bool) -> dict:
    rank = {"r1": 1.0, "r5": 1.0, "rr": 1.0}
    return {
        "id": qid,
        "split": split,
        "lang": lang,
        "search_text": rank,
        "search_param": rank,
        "cited": True,
        "answered": answered,
        "numbers": 0,
    }


def test_the_fresh_held_out_batch_is_reported_on_its_own() -> None:
    rows = [
        _row("a-en-1", "heldout", "en", False),
        _row("a-en-h3", "heldout", "en", True),
        _row("b-ja-h5", "heldout", "ja", True),
        _row("b-ja-2", "dev", "ja", False),
        _row("c-kana-g3", "heldout", "kana", False),
    ]
    summary = A.summarize(rows)
    fresh = summary[A.FRESH_BATCH]
    assert fresh["all"]["questions"] == 2 and fresh["all"]["answered_rate"] == 1.0
    assert fresh["en"]["questions"] == 1 and fresh["kana"]["questions"] == 0
    assert summary["heldout"]["all"]["answered_rate"] == pytest.approx(2 / 4)
    blind = summary["heldout-blind-2026-12-08"]
    assert blind["all"]["questions"] == 1 and blind["kana"]["answered_rate"] == 0.0
    assert f"[{A.FRESH_BATCH}]" in A.format_tables(summary)
    assert A.FRESH_BATCH not in A.summarize(rows[:1])


def _small_set(tmp_path: Path) -> tuple[Path, Path]:
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    for slug in PAGES:
        shutil.copy(A.PAGES_DIR / f"{slug}.html", pages_dir / f"{slug}.html")
    urls = set(A.page_urls(pages_dir))
    picked: list[dict] = []
    for lang in ("ja", "en", "kana"):  # two questions per language on the three pages
        raw = yaml.safe_load(A.QUESTIONS.read_text(encoding="utf-8"))
        picked += [q for q in raw if q["page"] in urls and q["lang"] == lang][:2]
    assert len(picked) == 6
    qfile = tmp_path / "questions.yaml"
    qfile.write_text(yaml.safe_dump(picked, allow_unicode=True), encoding="utf-8")
    return pages_dir, qfile


def test_a_small_run_ingests_asks_and_reports_every_metric(tmp_path: Path) -> None:
    pages_dir, qfile = _small_set(tmp_path)
    settings = get_settings(data_dir=tmp_path / "var", embedding={"backend": "hashing"})
    lines: list[str] = []
    report = A.run_answer_eval(
        settings, pages_dir=pages_dir, questions_path=qfile, out=tmp_path / "out", echo=lines.append
    )
    assert report["pages"] == 3 and report["chunks"] >= 3
    rows = report["questions"]
    assert len(rows) == 6 and {r["lang"] for r in rows} == {"ja", "en", "kana"}
    for r in rows:
        assert "error" not in r, r
        for mode in ("search_text", "search_param"):
            s = r[mode]
            assert set(s["got"]) <= set(A.page_urls(pages_dir))  # only ingested pages come back
            assert s["r1"] <= s["r5"] and (s["rr"] == 0.0) == (s["rank"] is None)
        assert r["cited"] == (r["page"] in r["citations"])
        assert isinstance(r["answered"], bool) and isinstance(r["reply"], str) and r["reply"]
    summary = report["summary"]
    both = summary["all"]["all"]
    assert both["questions"] == 6
    assert summary["dev"]["all"]["questions"] + summary["heldout"]["all"]["questions"] == 6
    for key, _, _ in A.METRICS:
        if key != "invented_number_rate":
            assert both[key] is not None and 0.0 <= both[key] <= 1.0, key
    assert both["cited_rate"] == sum(r["cited"] for r in rows) / 6
    assert both["search_r5_param"] == sum(r["search_param"]["r5"] for r in rows) / 6
    # the place named in the question resolves to the page's municipality; the page itself is always findable
    assert both["search_r5_param"] > 0
    table = "\n".join(lines)
    assert "search R@1 (place in text)" in table and "[heldout]" in table and "kana" in table
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert saved["summary"]["all"]["all"]["questions"] == 6


def test_invalid_questions_stop_the_run(tmp_path: Path) -> None:
    pages_dir, qfile = _small_set(tmp_path)
    raw = yaml.safe_load(qfile.read_text(encoding="utf-8"))
    raw[0]["answer"] = "(unclosed"
    qfile.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    settings = get_settings(data_dir=tmp_path / "var", embedding={"backend": "hashing"})
    with pytest.raises(A.AnswerQuestionError, match="does not compile"):
        A.run_answer_eval(settings, pages_dir=pages_dir, questions_path=qfile, out=None)
