"""Incremental ingest end to end (hashing embeddings, embedded Chroma on tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import IngestBusy, _lock, run_ingest
from ingest.records import latest_run, list_runs
from knowledge.index_state import read_active
from knowledge.retrieval import build_searcher
from knowledge.settings import Settings
from knowledge.vector_index import open_vector_indexes


def _ingest(settings: Settings, pages: Path, **kw: object):
    return run_ingest(settings, [str(pages)], progress=False, **kw)  # type: ignore[arg-type]


def test_full_then_noop_then_one_edit_then_removal(hashing_settings: Settings, pages_dir: Path) -> None:
    first = _ingest(hashing_settings, pages_dir)
    assert first.status == "ok"
    assert len(first.added) == 6  # _drafts/, README and the binary file are not pages
    assert {f.reason for f in first.failed} == {"binary file, not a text page"}
    assert first.chunks_embedded == first.chunks_total > 0
    locations = {p.location for p in first.added}
    assert not any("_drafts" in loc or "README" in loc for loc in locations)

    second = _ingest(hashing_settings, pages_dir)
    assert second.chunks_embedded == 0
    assert len(second.unchanged) == 6 and not second.added and not second.changed
    assert second.generation == first.generation  # nothing rebuilt

    birth = pages_dir / "setagaya" / "birth.html"
    birth.write_text(birth.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    third = _ingest(hashing_settings, pages_dir)
    assert [p.location for p in third.changed] == [str(birth)] or third.changed[0].location.endswith(
        "setagaya/birth.html"
    )
    assert 0 < third.chunks_embedded <= third.changed[0].chunks  # only that page's (changed) chunks
    assert len(third.unchanged) == 5

    searcher = build_searcher(hashing_settings)
    texts = [h.text for h in searcher.search("十四日以内 出生届", k=10)]
    assert any("十四日以内" in t for t in texts)
    assert not any("生まれた日を含めて14日以内" in t for t in texts)  # old chunk replaced

    (pages_dir / "tokyo" / "018-support.html").unlink()
    fourth = _ingest(hashing_settings, pages_dir)
    assert [p.title for p in fourth.removed] == ["018サポート（東京都の子育て支援）"]
    assert searcher.page_count() == 5  # the running searcher sees the new generation
    assert all("018" not in h.title for h in searcher.search("018サポート 月額5,000円", k=10))

    runs = list_runs(hashing_settings)
    assert len(runs) == 4 and runs[0]["run_id"] == fourth.run_id
    assert latest_run(hashing_settings)["removed"][0]["url"].startswith("https://www.fukushi.metro.tokyo")  # type: ignore[index]


def test_chrome_only_edit_is_not_a_change(hashing_settings: Settings, pages_dir: Path) -> None:
    _ingest(hashing_settings, pages_dir)
    birth = pages_dir / "setagaya" / "birth.html"
    birth.write_text(birth.read_text(encoding="utf-8").replace("婚姻届", "婚姻届・離婚届"), encoding="utf-8")
    rec = _ingest(hashing_settings, pages_dir)
    assert not rec.changed and rec.chunks_embedded == 0


def test_if_stale_skips_quickly_and_notices_edits(hashing_settings: Settings, pages_dir: Path) -> None:
    _ingest(hashing_settings, pages_dir)
    skipped = _ingest(hashing_settings, pages_dir, if_stale=True)
    assert skipped.status == "skipped" and skipped.timings_s["total"] < 0.5
    assert len(list_runs(hashing_settings)) == 1  # a skip writes no record
    (pages_dir / "tokyo" / "new.md").write_text(
        "# 新しいページ\n\n新しい手続きのお知らせです。", encoding="utf-8"
    )
    rec = _ingest(hashing_settings, pages_dir, if_stale=True)
    assert rec.status == "ok" and [p.title for p in rec.added] == ["新しいページ"]


def test_killed_build_leaves_previous_index_serving_and_next_run_completes(
    hashing_settings: Settings, pages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _ingest(hashing_settings, pages_dir)
    (pages_dir / "tokyo" / "new.md").write_text(
        "# 追加ページ\n\n追加された手続きの説明です。", encoding="utf-8"
    )

    import ingest.pipeline as pipeline

    def boom(*a: object, **k: object) -> None:
        raise KeyboardInterrupt("killed half-way")

    monkeypatch.setattr(pipeline.KeywordIndex, "build", boom)
    with pytest.raises(KeyboardInterrupt):
        _ingest(hashing_settings, pages_dir)
    assert read_active(hashing_settings.index_dir).generation == first.generation  # type: ignore[union-attr]
    assert build_searcher(hashing_settings).page_count() == 6

    monkeypatch.undo()
    rec = _ingest(hashing_settings, pages_dir)
    assert rec.status == "ok" and [p.title for p in rec.added] == ["追加ページ"]
    assert rec.chunks_embedded == 0  # the killed run's vectors were kept in the build collection
    assert build_searcher(hashing_settings).page_count() == 7
    names = open_vector_indexes(hashing_settings).names()
    assert not any(n.endswith("-build") for n in names)


def test_failing_source_keeps_its_pages(hashing_settings: Settings, pages_dir: Path, tmp_path: Path) -> None:
    _ingest(hashing_settings, pages_dir)
    rec = run_ingest(hashing_settings, [str(tmp_path / "missing")], progress=False)
    assert rec.failed and "directory not found" in rec.failed[0].reason
    assert rec.pages_total == 6 and not rec.removed


def test_run_record_json_and_facts_to_review(
    hashing_settings: Settings, pages_dir: Path, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    (catalog / "procedures").mkdir(parents=True)
    (catalog / "procedures" / "birth.yaml").write_text(
        """
- id: birth-registration
  title: {ja: 出生届, en: Birth registration}
  summary: {ja: 子どもが生まれたら14日以内に届け出ます。, en: Register a birth within 14 days.}
  office: municipal-window
  sources:
    - url: https://www.city.setagaya.lg.jp/mokuji/kurashi/001/001/d00001.html
      title: 出生届
      verified: 2026-01-10
""",
        encoding="utf-8",
    )
    settings = hashing_settings.model_copy(update={"catalog_dir": catalog})
    first = _ingest(settings, pages_dir)
    # the page states 更新日 2026-04-01, after the fact was verified on 2026-01-10
    assert [f.fact for f in first.facts_to_review] == ["procedure:birth-registration"]
    birth = pages_dir / "setagaya" / "birth.html"
    birth.write_text(birth.read_text(encoding="utf-8").replace("3か月以内", "3箇月以内"), encoding="utf-8")
    rec = _ingest(settings, pages_dir)
    assert [(f.fact, f.reason) for f in rec.facts_to_review] == [
        ("procedure:birth-registration", "page changed")
    ]
    saved = json.loads((settings.index_dir / "runs" / f"{rec.run_id}.json").read_text(encoding="utf-8"))
    assert saved["changed"][0]["title"] == "出生届"
    assert saved["facts_to_review"][0]["url"].endswith("d00001.html")
    assert set(saved["timings_s"]) >= {"extract", "embed", "total"}
    assert "1 changed" in rec.summary()


def test_concurrent_ingest_is_refused(hashing_settings: Settings, pages_dir: Path) -> None:
    with _lock(hashing_settings.index_dir), pytest.raises(IngestBusy):
        _ingest(hashing_settings, pages_dir)


def test_one_reader_of_run_records_for_cli_and_editor_console(
    hashing_settings: Settings, pages_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from knowledge.catalog import load_catalog
    from web.editorial import Editorial

    rec = _ingest(hashing_settings, pages_dir)
    runs = hashing_settings.index_dir / "runs"
    (runs / "99999999T000000000000-dead.json").write_text('{"run_id": "half-writ', encoding="utf-8")
    (runs / "99999999T000000000000-list.json").write_text("[1, 2]", encoding="utf-8")
    caplog.set_level("WARNING", logger="ingest.records")

    editor = Editorial(hashing_settings, load_catalog(hashing_settings.catalog_dir))
    assert [r["run_id"] for r in list_runs(hashing_settings)] == [rec.run_id]
    assert [r.run_id for r in editor.runs()] == [rec.run_id]
    assert latest_run(hashing_settings)["run_id"] == rec.run_id  # type: ignore[index]  # the newest readable one
    # each time the broken file is read it is logged with its path, whichever interface asked
    logged = [r.getMessage() for r in caplog.records if "unreadable run record" in r.getMessage()]
    assert len(logged) == 3 and all("dead.json" in m for m in logged)
