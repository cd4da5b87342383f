"""Saved-bundle codes: 15 symbols from an alphabet without look-alikes, the last one a check symbol.

A code is what a resident reads out over the phone or types from paper, so it is folded from whatever people type
(full-width letters, dashes, an IME's long-vowel mark) before it is looked up, and a typo is told apart from an
unknown code by its check symbol. The stores (:mod:`bot.bundle_store`, :mod:`bot.stores_pg`) draw codes with
:func:`new_code`.

Example::

    >>> code = new_code()                                   # e.g. 'K7MQ2XWA9P3HJ4C'
    >>> normalize_code(display_code(code).lower()) == code  # 'k7mq2-xwa9p-3hj4c' is read back
    True
"""

from __future__ import annotations

import secrets
import unicodedata

# No 0/O, 1/I/L: codes are read out over the phone and typed from paper. 31 symbols (a prime, for the check).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_DATA_LENGTH = 14  # 14 random symbols = 69.3 bits (an attack review guessed 1,500 codes per second)
CODE_LENGTH = CODE_DATA_LENGTH + 1  # plus one check symbol; shown as three groups of five: K7MQ2-XWA9P-3HJ4C
CODE_GROUP = 5
LEGACY_CODE_LENGTH = 8  # codes saved before issue 18 (no check symbol) are still read until they expire
CODE_TRIES = 20  # fresh codes a store draws for one bundle before it gives up
# Dashes and spaces people type between the groups, full-width and Japanese forms included (ー is what an IME
# gives for "-" in kana mode). NFKC folds full-width letters and digits (６ＪＡ６) to ASCII first.
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\u30fb\u3000\uff0d\uff70\ufe63")


def check_symbol(data: str) -> str:
    """The symbol that makes sum((i + 1) * value) over the whole code 0 mod 31: any one wrong symbol and any two
    swapped neighbours are detected (31 is prime and neighbouring weights differ by one)."""
    total = sum((i + 1) * CODE_ALPHABET.index(ch) for i, ch in enumerate(data))
    weight = len(data) + 1
    return CODE_ALPHABET[(-total * pow(weight, -1, len(CODE_ALPHABET))) % len(CODE_ALPHABET)]


def new_code() -> str:
    data = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_DATA_LENGTH))
    return data + check_symbol(data)


def _clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if ch not in _SEPARATORS and not ch.isspace()).upper()


def code_status(text: str) -> tuple[str | None, str]:
    """(normalised code, "ok") or (None, "mistyped" | "invalid").

    "mistyped": a full code's length but a wrong check symbol or a symbol codes never use (0, O, 1, I, L);
    "invalid": not a code at all."""
    code = _clean(text)
    if len(code) not in (CODE_LENGTH, LEGACY_CODE_LENGTH):
        return None, "invalid"
    if any(
        ch not in CODE_ALPHABET for ch in code
    ):  # e.g. O for 0 in a full code; a legacy-length word is not one
        return None, "mistyped" if len(code) == CODE_LENGTH else "invalid"
    if len(code) == CODE_LENGTH and check_symbol(code[:-1]) != code[-1]:
        return None, "mistyped"
    return code, "ok"


def normalize_code(text: str) -> str | None:
    """'k7mq2-xwa9p-3hj4c', '６ＪＡ６－Ｎ７Ｒ３' or '6JA6ーN7R3' -> the stored code; None when it cannot be one."""
    return code_status(text)[0]


def display_code(code: str) -> str:
    """'K7MQ2XWA9P3HJ4C' -> 'K7MQ2-XWA9P-3HJ4C' (legacy 'K7MQ2XWA' -> 'K7MQ-2XWA'): easier to read out."""
    if len(code) == LEGACY_CODE_LENGTH:
        return f"{code[:4]}-{code[4:]}"
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))
