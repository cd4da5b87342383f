"""Code shape (issue #19): every function in ingest/, evals/ and bot/ fits on a screen or two (at most 80 lines)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 80


def _long_functions(folder: str) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_LINES:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    return out


def test_no_function_in_ingest_or_evals_is_over_80_lines() -> None:
    assert _long_functions("ingest") + _long_functions("evals") == []


def test_no_function_in_bot_is_over_80_lines() -> None:
    assert _long_functions("bot") == []
