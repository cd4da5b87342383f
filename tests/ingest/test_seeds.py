"""The seed corpus: built from its sources, big enough, mixed encodings, every life event for 8 municipalities."""

from __future__ import annotations

import filecmp
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _coverage_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_coverage", SEEDS / "_coverage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "_src" not in p.parts)


def test_committed_pages_are_what_the_builder_makes(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy, ignore=shutil.ignore_patterns("*.html", "__pycache__"))
    subprocess.run([sys.executable, str(copy / "_build.py")], check=True, capture_output=True)
    built = [p.relative_to(copy) for p in _pages(copy)]
    committed = [p.relative_to(SEEDS) for p in _pages(SEEDS)]
    assert built == committed, "seeds/*.html differ from seeds/_src: run seeds/_build.py"
    changed = [str(rel) for rel in built if not filecmp.cmp(copy / rel, SEEDS / rel, shallow=False)]
    assert not changed, f"stale pages (run seeds/_build.py): {changed[:5]}"


def test_corpus_size_and_declared_encodings() -> None:
    charsets: dict[str, int] = {}
    pages = _pages(SEEDS)
    for page in pages:
        head = page.read_bytes()[:600].decode("ascii", "replace")
        match = re.search(r'charset="?([\w-]+)', head)
        assert match, f"{page} declares no charset"
        charsets[match.group(1).lower()] = charsets.get(match.group(1).lower(), 0) + 1
    assert len(pages) >= 150
    assert charsets.get("shift_jis", 0) >= 5 and charsets.get("euc-jp", 0) >= 5, charsets


def test_table_rows_have_as_many_cells_as_the_table() -> None:
    """An unquoted '1時間1,000円' in a YAML row splits one cell in two; every row of a table must be as wide."""
    import yaml

    for path in sorted((SEEDS / "_src" / "pages").glob("*.yaml")):
        for page in yaml.safe_load(path.read_text(encoding="utf-8"))["pages"]:
            for section in page.get("local") or []:
                widths = {len(row) for row in section.get("table") or []}
                assert len(widths) <= 1, (
                    f"{path.name} {page['slug']}: {section['h']} rows of {sorted(widths)} cells"
                )


def test_every_life_event_has_pages_for_eight_municipalities_wards_and_cities() -> None:
    coverage = _coverage_module()
    cov, kind = coverage.coverage()
    done = coverage.complete_municipalities()
    assert len(done) >= 8, coverage.report()
    assert {kind[r] for r in done} >= {"ward", "city"}
    assert "tokyo" in cov
