"""The `use` embedding backend (Universal Sentence Encoder multilingual v3, real model from the package)."""

from __future__ import annotations

import numpy as np

from knowledge.embeddings import embedding_model_id, make_embeddings
from knowledge.settings import get_settings


def test_use_backend_embeds_japanese_by_meaning(tmp_path) -> None:
    settings = get_settings(data_dir=tmp_path, embedding={"backend": "use"})
    emb = make_embeddings(settings)
    assert emb.model_id == embedding_model_id(settings) == "use-multilingual-v3"
    docs = np.asarray(
        emb.embed_documents(
            [
                "出生届は生まれた日から14日以内に届け出てください。",
                "粗大ごみは受付センターに申し込んでください。",
            ]
        )
    )
    q = np.asarray(emb.embed_query("赤ちゃんが生まれたときの届出"))
    assert docs.shape == (2, 512) and q.shape == (512,)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    assert float(docs[0] @ q) > float(docs[1] @ q) + 0.05
    # a query embedded through the batcher equals the same text embedded directly
    assert float(np.asarray(emb.embed_documents(["赤ちゃんが生まれたときの届出"])[0]) @ q) > 0.9999
