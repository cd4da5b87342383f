"""The answerer reads the similarity floors of the page searcher's embedding model (knowledge.embeddings)."""

from __future__ import annotations

from pathlib import Path

from bot.answer import Answerer
from knowledge.catalog import load_catalog
from knowledge.embeddings import DEFAULT_FLOORS, NO_FLOORS, HashingEmbeddings
from knowledge.retrieval import HybridRetriever
from knowledge.settings import get_settings


def test_the_answerer_uses_the_floors_of_the_searchers_model(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path / "var", embedding={"backend": "hashing"})
    catalog = load_catalog(settings.catalog_dir)
    searcher = HybridRetriever(settings, embeddings=HashingEmbeddings())
    assert searcher.similarity_floors == NO_FLOORS
    assert Answerer(catalog, searcher)._floors() == NO_FLOORS
    assert Answerer(catalog, None)._floors() == DEFAULT_FLOORS  # a searcher naming none: the default model's
