"""The LangChain integration (bot/integrations/langchain.py): an operator's agent, played by LangChain's own fake
chat model issuing tool calls, runs the concierge's real tools over the packaged catalog. No network, no LLM."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, ToolMessage

from bot.integrations.langchain import concierge_tools, run_tool_calls
from bot.service import Concierge
from bot.tools import ConciergeTools, ToolError


def _call(name: str, args: dict[str, object], cid: str) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": cid, "type": "tool_call"}])


@pytest.fixture
def tools(concierge: Concierge) -> list:  # type: ignore[type-arg]
    return concierge_tools(ConciergeTools(concierge))


def test_tools_have_schemas_from_the_signatures(tools: list) -> None:  # type: ignore[type-arg]
    by_name = {t.name: t for t in tools}
    assert set(by_name) == {"search_pages", "get_procedure", "plan_bundle", "compute_deadline"}
    assert {"procedure_id", "event_date"} <= set(by_name["compute_deadline"].args)
    assert "life_events" in by_name["plan_bundle"].args and by_name["plan_bundle"].description
    out = by_name["compute_deadline"].invoke(
        {"procedure_id": "death-registration", "event_date": "2026-11-24"}
    )
    assert out["due"] == "2026-11-30"
    assert by_name["search_pages"].invoke({"query": "出生届"}) == []  # no page index in this test


def test_an_agent_plans_a_bundle_and_computes_a_deadline(tools: list) -> None:  # type: ignore[type-arg]
    model = FakeMessagesListChatModel(
        responses=[
            _call(
                "plan_bundle",
                {"life_events": ["death"], "municipality": "練馬区", "event_date": "2026-11-24"},
                "a",
            ),
            _call(
                "compute_deadline", {"procedure_id": "death-registration", "event_date": "2026-11-24"}, "b"
            ),
            AIMessage("死亡届の期限は2026年11月30日です。"),
        ]
    )
    transcript = run_tool_calls(model, tools, "練馬区で11月24日に父が亡くなりました。死亡届はいつまで？")
    results = [m for m in transcript if isinstance(m, ToolMessage)]
    assert [m.tool_call_id for m in results] == ["a", "b"]
    assert "death-registration" in results[0].content and "練馬区" in str(results[0].content)
    assert '"due": "2026-11-30"' in str(results[1].content) or "2026-11-30" in str(results[1].content)
    assert transcript[-1].content == "死亡届の期限は2026年11月30日です。"
    assert transcript[0].type == "system" and "tools" in str(transcript[0].content)


def test_bad_calls_come_back_to_the_model_as_errors(tools: list) -> None:  # type: ignore[type-arg]
    model = FakeMessagesListChatModel(
        responses=[
            _call("compute_deadline", {"procedure_id": "lottery-win", "event_date": "2026-11-24"}, "a"),
            _call("get_procedure", {"procedure_id": "birth-registration", "municipality": "大阪市"}, "b"),
            _call("book_a_flight", {}, "c"),
            AIMessage("わかりません。"),
        ]
    )
    results = [m for m in run_tool_calls(model, tools, "?") if isinstance(m, ToolMessage)]
    assert "unknown procedure 'lottery-win'" in str(results[0].content)
    assert "unknown municipality" in str(results[1].content)
    assert "no tool 'book_a_flight'" in str(results[2].content)


def test_a_model_that_never_stops_calling_tools_is_stopped(tools: list) -> None:  # type: ignore[type-arg]
    model = FakeMessagesListChatModel(responses=[_call("search_pages", {"query": "出生届"}, "a")])
    with pytest.raises(ToolError, match="after 3 steps"):
        run_tool_calls(model, tools, "出生届", max_steps=3)
