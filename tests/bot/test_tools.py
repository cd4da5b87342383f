"""The tool layer an LLM agent would call: the same catalog-grounded functions the concierge uses."""

from __future__ import annotations

import pytest

from bot.service import Concierge
from bot.tools import ConciergeTools, ToolError
from evals import metrics as M


def hard_kanji(text: str) -> list[str]:
    """Kanji runs beyond 小学校 kanji without a reading (the evaluation's own check)."""
    return M.non_easy_kanji(text)


def japanese_outside_brackets(text: str) -> str:
    return "".join(M.japanese_outside_brackets(text))


def consistent(text: str, lang: str) -> bool:
    return not M.language_problems([text], lang)


@pytest.fixture
def tools(concierge: Concierge) -> ConciergeTools:
    return ConciergeTools(concierge)


def test_compute_deadline_extends_over_sunday(tools: ConciergeTools) -> None:
    out = tools.compute_deadline("birth-registration", "2026-11-23")
    assert out["due"] == "2026-12-07"
    assert "日曜日" in out["explanation"] and out["sources"]


def test_get_procedure_applies_the_local_override(tools: ConciergeTools) -> None:
    ward = tools.get_procedure("nhi-funeral-benefit", "世田谷区")
    city = tools.get_procedure("nhi-funeral-benefit", "Hachioji")
    assert [a["yen"] for a in ward["amounts"]] == [70000]
    assert [a["yen"] for a in city["amounts"]] == [50000]
    assert ward["sources"] and ward["municipality"] == "世田谷区"


def test_plan_bundle_for_a_move(tools: ConciergeTools) -> None:
    out = tools.plan_bundle(["moving"], move_from="八王子市", move_to="杉並区", event_date="2026-12-10")
    steps = {p["id"]: p["step"] for p in out["procedures"]}
    assert steps["moving-out-notice"] == "old" and steps["moving-in-notice"] == "new"
    due = {p["id"]: p["deadline"]["due"] for p in out["procedures"] if p["deadline"]}
    assert due["moving-in-notice"] == "2026-12-24"  # 14 days counted from the next day
    assert out["checklist"]


def test_bad_arguments_are_clear_errors(tools: ConciergeTools) -> None:
    with pytest.raises(ToolError, match="unknown procedure"):
        tools.compute_deadline("birth-registraton", "2026-11-20")
    with pytest.raises(ToolError, match="YYYY-MM-DD"):
        tools.compute_deadline("birth-registration", "20/11/2026")
    with pytest.raises(ToolError, match="unknown municipality"):
        tools.get_procedure("birth-registration", "Atlantis")
    with pytest.raises(ToolError, match="unknown life events"):
        tools.plan_bundle(["lottery-win"])


@pytest.mark.parametrize("lang", ["ja", "easy", "en"])
def test_tools_speak_the_rendering_layers_languages(tools: ConciergeTools, lang: str) -> None:

    out = tools.plan_bundle(["birth"], "世田谷区", "2026-11-20", lang=lang)  # type: ignore[arg-type]
    texts = (
        [p["title"] for p in out["procedures"]] + out["checklist"] + [m["title"] for m in out["milestones"]]
    )
    texts += [p["office"] for p in out["procedures"]]
    assert all(consistent(t, lang) for t in texts)
    due = tools.compute_deadline("birth-registration", "2026-11-23", lang=lang)  # type: ignore[arg-type]
    assert due["due"] == "2026-12-07"
    assert {"ja": "2026年12月7日", "easy": "12月7日までに", "en": "7 Dec 2026"}[lang] in due["explanation"]
