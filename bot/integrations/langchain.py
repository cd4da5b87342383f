"""LangChain integration: the concierge's page search as a LangChain retriever and its tools as LangChain tools.

For operators who run their own agent over the concierge's grounded functions: every tool result comes from the
catalog or the page index with its sources, so an agent that phrases answers from them has nothing to invent. The
concierge itself does not use LangChain to answer; nothing here calls a model or the network.

- :class:`PageRetriever` — the hybrid page search (``knowledge.retrieval.HybridRetriever``) as a ``BaseRetriever``;
  hit fields travel in ``Document.metadata`` (url, title, publisher, kind…).
- :func:`concierge_tools` — ``search_pages``, ``get_procedure``, ``plan_bundle`` and ``compute_deadline``
  (``bot.tools.ConciergeTools``) as ``StructuredTool`` objects, schemas from their signatures.
- :func:`run_tool_calls` — the smallest tool-calling loop, for a chat model already bound to the tools.

Example (README, "LangChain integration")::

    >>> concierge = build_concierge(get_settings())
    >>> tools = concierge_tools(ConciergeTools(concierge))
    >>> model = ChatOllama(model="qwen2.5").bind_tools(tools)   # any chat model with tool calling
    >>> run_tool_calls(model, tools, "世田谷区で11月20日に子どもが生まれました。出生届の期限は？")[-1].content
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, StructuredTool, ToolException

from bot.tools import ConciergeTools, ToolError
from knowledge.retrieval_types import PageSearcher

__all__ = ["SYSTEM_PROMPT", "PageRetriever", "concierge_tools", "run_tool_calls"]

SYSTEM_PROMPT = (
    "You help residents of Tokyo with the administrative procedures that follow a life event. Answer only from "
    "the results of your tools, name the page or catalog source of every deadline, amount and place, and say so "
    "when the tools do not cover a question. Reply in the language of the question."
)


class PageRetriever(BaseRetriever):
    """LangChain ``BaseRetriever`` over a ``PageSearcher`` (e.g. ``build_searcher(settings)``).

    ``municipality`` (a 6-digit code) limits the search to that municipality plus Tokyo-wide pages. Raises
    ``knowledge.retrieval_types.PageSearchUnavailable`` when the vector store is unreachable.
    """

    searcher: Any  # a PageSearcher (a Protocol: pydantic cannot validate it)
    k: int = 5
    municipality: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        searcher: PageSearcher = self.searcher
        return [
            Document(
                id=h.chunk_id,
                page_content=h.text,
                metadata={
                    "chunk_id": h.chunk_id,
                    "url": h.url,
                    "title": h.title,
                    "score": h.score,
                    "municipality": h.municipality,
                    "heading": h.heading,
                    "updated": h.updated,
                    "publisher": h.publisher,
                    "kind": h.kind,
                },
            )
            for h in searcher.search(query, k=self.k, municipality=self.municipality)
        ]


def concierge_tools(tools: ConciergeTools) -> list[BaseTool]:
    """The concierge's four tools as LangChain tools. A bad argument (unknown id, municipality, malformed date)
    comes back to the model as the tool's error message, so it can correct the call."""
    out: list[BaseTool] = []
    for fn in (tools.search_pages, tools.get_procedure, tools.plan_bundle, tools.compute_deadline):
        tool = StructuredTool.from_function(
            fn, name=fn.__name__, description=(fn.__doc__ or "").strip(), handle_tool_error=_error_text
        )
        tool.func = _reporting(fn)  # the schema stays the one read from ``fn``'s signature
        out.append(tool)
    return out


def _error_text(err: ToolException) -> str:
    return f"error: {err}"


def _reporting(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its argument errors (``ToolError``, e.g. page search unavailable) raised as LangChain's
    ``ToolException``, which the tool hands back to the model instead of raising."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolError as err:
            raise ToolException(str(err)) from err

    return call


def run_tool_calls(
    model: Runnable[LanguageModelInput, BaseMessage],
    tools: Sequence[BaseTool],
    question: str,
    *,
    system: str = SYSTEM_PROMPT,
    max_steps: int = 6,
) -> list[BaseMessage]:
    """Ask ``model`` (bound to ``tools``) ``question``; run the tool calls it makes and feed the results back
    until it answers without calling a tool. Returns the transcript; its last message is the answer."""
    by_name = {t.name: t for t in tools}
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(question)]
    for _ in range(max_steps):
        reply = model.invoke(messages)
        messages.append(reply)
        calls = reply.tool_calls if isinstance(reply, AIMessage) else []
        if not calls:
            return messages
        for call in calls:
            tool = by_name.get(call["name"])
            if tool is None:
                messages.append(
                    ToolMessage(f"error: no tool {call['name']!r}", tool_call_id=call["id"] or "")
                )
                continue
            messages.append(tool.invoke(call))  # a ToolCall in, a ToolMessage out
    raise ToolError(f"the model was still calling tools after {max_steps} steps")
