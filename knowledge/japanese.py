"""Japanese text helpers, in one place: scripts (kanji, kana, English), normalised text and content words of
residents' messages, Sudachi tokens for BM25, the kana-query rewriter, place names and English search terms.

One Sudachi tokenizer per process, created on first use and guarded by a lock (a Sudachi tokenizer must not be
used from two threads at once; tokenizing a query takes microseconds, so the lock costs nothing).

Example::

    >>> tokens("あかちゃん うまれた")
    ['赤ちゃん', '生まれる']
    >>> rewrite_kana_query("あかちゃん うまれた")
    '赤ちゃん 生まれる'
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache, lru_cache
from typing import Any

from knowledge.vocabulary import corrected, vocabulary

_LOCK = threading.Lock()

# Parts of speech that carry no search meaning (particles, auxiliaries, symbols, blanks).
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# A few English function words; Japanese function words are dropped by part of speech.
_EN_STOP = frozenset(
    [
        "a",
        "am",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "my",
        "our",
        "your",
        "i",
        "i'm",
        "im",
        "we",
        "you",
        "it",
        "this",
        "that",
        "what",
        "how",
        "do",
        "does",
        "did",
        "can",
        "with",
        "from",
        "by",
        "as",
    ]
)
_KANA = re.compile(r"^[\u3040-\u309f\u30a0-\u30ffー\s・、。！？!?]+$")
_LONE_KANA = re.compile(r"^[\u3040-\u309f]$")  # a single hiragana is usually a mis-split (お/ご/や)
_EN_WORD = re.compile(r"[a-z0-9]+")
_ASCII_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9'\-]*$")
_NON_KANA_RUN = re.compile(r"([^\u3040-\u309f\u30a0-\u30ffー\s・、。！？!?]+)")


# ---------------------------------------------------------------------------------------------------------------
# scripts: kanji, kana, English
# ---------------------------------------------------------------------------------------------------------------

# Kanji as a regex class body: CJK ideographs (extension A and the unified block), 々 and 〆. Compatibility
# ideographs (KANJI_COMPAT) are folded by NFKC (``search_text``); only checks of text as shown count them too.
KANJI = "\u3400-\u4dbf\u4e00-\u9fff々〆"
KANJI_COMPAT = "\uf900-\ufaff"
KANJI_CHAR = re.compile(f"[{KANJI}]")
_JAPANESE_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana or kanji
_KATA_TO_HIRA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}


def has_kanji(text: str) -> bool:
    """True when ``text`` has a kanji (or 々 / 〆)."""
    return KANJI_CHAR.search(text) is not None


def has_japanese(text: str) -> bool:
    """True when ``text`` has kana or kanji."""
    return _JAPANESE_CHAR.search(text) is not None


def to_hiragana(text: str) -> str:
    """Katakana (ァ-ヶ) as hiragana; everything else unchanged, one character for one."""
    return text.translate(_KATA_TO_HIRA)


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def is_english(text: str) -> bool:
    """True when a message is mostly Latin letters (no kana or kanji to speak of)."""
    letters = len(_ASCII_LETTER.findall(text))  # an ASCII letter is exactly one of A-Z a-z
    if not letters:
        return False
    # str.isalpha is Unicode category L*: every letter, minus the ASCII ones counted above
    cjk = sum(map(str.isalpha, text)) - letters
    return cjk * 3 < letters


def search_text(text: str) -> str:
    """NFKC-normalised text for matching and embedding (full-width ＡＢＣ１２３ -> ABC123); display keeps the original."""
    return unicodedata.normalize("NFKC", text)


@cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary()
    make = getattr(dictionary, "tokenizer", None) or dictionary.create  # sudachipy >= 0.7 / older
    return make(mode=SplitMode.A)


_ANALYZE_CACHED_CHARS = 160  # messages and titles (analysed several times per turn); not page chunks (memory)


def analyze(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, normalized form, part of speech, its sub-category) for each morpheme (split mode A)."""
    if not text:
        return []
    if len(text) <= _ANALYZE_CACHED_CHARS:
        return list(_analyze_short(text))
    return _analyze(text)


@lru_cache(maxsize=1024)
def _analyze_short(text: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(_analyze(text))


def _analyze(text: str) -> list[tuple[str, str, str, str]]:
    tok = _tokenizer()
    out: list[tuple[str, str, str, str]] = []
    with _LOCK:
        # Sudachi refuses inputs over ~49 KB; chunks are far smaller, but stay safe.
        for start in range(0, len(text), 16_000):
            for m in tok.tokenize(text[start : start + 16_000]):
                pos = m.part_of_speech()
                out.append((m.surface(), m.normalized_form(), pos[0], pos[1]))
    return out


def _morphemes(text: str) -> list[tuple[str, str, str]]:
    """(surface, normalized form, part of speech) for each morpheme of ``text``."""
    return [(surface, form, pos) for surface, form, pos, _ in analyze(text)]


def tokens(text: str) -> list[str]:
    """Search tokens: Sudachi (split mode A) normalised forms of content words; English words lower-cased."""
    out: list[str] = []
    for surface, form, pos in _morphemes(search_text(text)):
        if pos in _SKIP_POS:
            continue
        if _ASCII_WORD.match(surface):
            word = surface.lower()
            if word in _EN_STOP:
                continue
            out.append(_en_stem(word))
        elif surface.strip() and not _LONE_KANA.match(surface):
            out.append(form)
    return out


def _en_stem(word: str) -> str:
    """A tiny suffix stripper so 'moving'/'moves'/'moved' meet, and 'married'/'marries' meet 'marry'/'marrying'
    (a consonant + y: -ied/-ies); English is the second language here."""
    if len(word) >= 6 and word.endswith(("ied", "ies")):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) >= len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# ---------------------------------------------------------------------------------------------------------------
# residents' messages: normalised text and content words
# ---------------------------------------------------------------------------------------------------------------

_SPACE = re.compile(r"[\s\u3000・、。,.!?！？「」『』（）()]+")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接尾辞"}
# very frequent verbs/nouns that carry no meaning for matching
_STOP = {
    "為る",
    "居る",
    "成る",
    "有る",
    "ある",
    "いる",
    "する",
    "なる",
    "事",
    "物",
    "方",
    "もの",
    "こと",
    "ため",
    "よう",
}


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


# norm / compact / en_words are pure and called with the same catalog strings on every turn: cached (bounded)
@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """NFKC, lower case, katakana to hiragana, typographic apostrophes as ASCII (I’m -> i'm)."""
    return to_hiragana(unicodedata.normalize("NFKC", text).lower()).translate(_APOSTROPHES)


@lru_cache(maxsize=4096)
def compact(text: str) -> str:
    """``norm`` without spaces and punctuation, for substring matching ("あかちゃん うまれた" == "あかちゃんうまれた")."""
    return _SPACE.sub("", norm(text))


@lru_cache(maxsize=4096)
def content_tokens(text: str) -> frozenset[str]:
    """Normalised forms of the content words of ``text`` (Sudachi split mode A), e.g. 生まれた -> 生まれる."""
    out = set()
    for _surface, form, pos, _sub in analyze(unicodedata.normalize("NFKC", text)):
        if pos not in _CONTENT_POS:
            continue
        if form in _STOP or not form.strip():
            continue
        out.add(to_hiragana(form.lower()) if form.isascii() else form)
    return frozenset(out)


@lru_cache(maxsize=4096)
def word_spans(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """(normalised form, part of speech, start, end) of each word of ``text`` but blanks and punctuation, in
    order, offsets into ``unicodedata.normalize("NFKC", text)`` (亡くなり and 亡くなった are both 亡くなる)."""
    out: list[tuple[str, str, int, int]] = []
    at = 0
    for surface, form, pos, _sub in analyze(unicodedata.normalize("NFKC", text)):
        start, at = at, at + len(surface)
        if pos not in ("空白", "補助記号", "記号") and surface.strip():
            out.append((form, pos, start, at))
    return tuple(out)


@lru_cache(maxsize=4096)
def noun_tokens(text: str) -> frozenset[str]:
    """Normalised forms of the nouns of ``text`` (no suffixes, no single kana), for relevance checks."""
    out = set()
    for _surface, form, pos, sub in analyze(unicodedata.normalize("NFKC", text)):
        if pos != "名詞" or sub == "数詞":
            continue
        if form in _STOP or (len(form) == 1 and not has_kanji(form)):
            continue
        out.add(form)
    return frozenset(out)


def is_kana_only(text: str) -> bool:
    """True when ``text`` is written only in kana (e.g. やさしい日本語 input like 'あかちゃん うまれた')."""
    t = search_text(text).strip()
    return bool(t) and bool(_KANA.match(t))


def has_spaced_kana(text: str) -> bool:
    """True for やさしい日本語 with kanji: phrases spaced (at least three gaps) and among them a kana-only word of
    three or more kana ('豊島区で 土曜日に しゅっしょうとどけを 出せますか'), whose kana words can be read like a
    kana-only query's."""
    parts = search_text(text).split()
    return len(parts) >= 4 and any(len(x) >= 3 and is_kana_only(x) for x in parts)


def rewrite_kana_query(text: str) -> str:
    """Replace kana words by their Sudachi normalised form when that form has kanji (for the dense encoder).

    Queries that already contain kanji or Latin letters are returned unchanged (NFKC-normalised).
    """
    t = search_text(text)
    if not is_kana_only(t):
        return t
    parts = []
    for surface, form, pos in _morphemes(t):
        if not surface.strip():
            parts.append(" ")
        elif pos == "助動詞":
            continue  # うまれた -> 生まれる, not 生まれるた
        elif pos not in _SKIP_POS and len(surface) >= 2 and has_kanji(form):
            parts.append(form)
        else:
            parts.append(surface)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


# Kana sequences that are grammar far more often than words in a question (しました, ください, ...).
_KANA_GRAMMAR = frozenset(
    [
        "した",
        "して",
        "しない",
        "ない",
        "ます",
        "です",
        "ました",
        "から",
        "まで",
        "ので",
        "たい",
        "いる",
        "ある",
        "なる",
        "する",
        "こと",
        "もの",
        "とき",
        "ください",
        "どう",
        "なに",
        "なん",
        "どこ",
        "いつ",
        "いい",
        "よい",
        "ほしい",
    ]
)


# Question words, function words and verb endings that a kana question writes in kana and the index's readings
# would misread as kanji content words (いくら -> 行くら, もっていきますか -> 持っ定期ますか, いますか -> 今すか):
# at a position where one of them is at least as long as the longest index reading, it is kept as written.
_KANA_KEEP_WORDS = """
    いくら いくつ いつ いつまで いつから どこ どこで どこに どこへ どちら どれ どの どんな どう どうやって
    どうすれば どうしたら どのくらい どれくらい なに なにを なにが なん なんじ なんにち なんさい なんで なんの
    なんか どなた わたし ください くださいますか てください できます できますか できる できない できません
    もらえます もらえますか もらえる もらえない もらう もらいたい ありますか あります ありません いますか います
    いました いません ですか でしょうか ますか ません ましょう ました します しますか しました すれば したら
    ていきます ていきますか ていく ていけば ていった ている ています ていますか ていました ていた てから
    てもいい てもいいですか いいですか いい よい ほしい たい たいです とき ときは ときの ので から まで までに
    あいて あいている あいていますか あいています さいご さいごの
"""
_KANA_KEEP = frozenset(_KANA_KEEP_WORDS.split())
_KEEP_LONGEST = max(len(w) for w in _KANA_KEEP)

# Readings Sudachi gives one way that residents also write another way (the usual reading -> the other one).
_OTHER_READINGS = {"しゅっしょう": "しゅっせい"}


def reading_counts(texts: list[str]) -> dict[str, dict[str, int]]:
    """Hiragana reading -> {surface written with kanji: count} for the content words of ``texts``."""
    counts: dict[str, dict[str, int]] = {}

    def add(reading: str, surface: str) -> None:
        if len(reading) >= 2 and _KANA.match(reading):
            by_surface = counts.setdefault(reading, {})
            by_surface[surface] = by_surface.get(surface, 0) + 1

    tok = _tokenizer()
    with _LOCK:
        for text in texts:
            t = search_text(text)
            for start in range(0, len(t), 16_000):
                # adjacent kanji words are also read as one compound: 保育+園, 児童+手当
                run: list[tuple[str, str]] = []
                for m in tok.tokenize(t[start : start + 16_000]):
                    surface = m.surface()
                    if m.part_of_speech()[0] in _SKIP_POS or not has_kanji(surface):
                        run = []
                        continue
                    reading = to_hiragana(m.reading_form())
                    add(reading, surface)
                    run = [*run[-2:], (reading, surface)]
                    for n in (2, 3):
                        if len(run) >= n:
                            add("".join(r for r, _ in run[-n:]), "".join(s for _, s in run[-n:]))
    return counts


def reading_pairs(text: str) -> list[tuple[str, str]]:
    """(surface, hiragana reading) for each morpheme of ``text`` (Sudachi split mode A), in order.

    >>> reading_pairs("戸籍謄本")
    [('戸籍', 'こせき'), ('謄本', 'とうほん')]
    """
    if not text:
        return []
    tok = _tokenizer()
    with _LOCK:
        pairs = [(m.surface(), to_hiragana(m.reading_form())) for m in tok.tokenize(text[:16_000])]
        return _known_compounds(tok, pairs)


def _known_compounds(tok: Any, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join two one-kanji morphemes when the dictionary knows the two kanji as one word.

    In context Sudachi may read a lone kanji as a word of its own: 偶数月 comes out 偶(たま)/数/月, while 偶数 alone
    is one word, ぐうすう. Caller holds ``_LOCK``.
    """
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pairs):
        pair = pairs[i]
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        if len(pair[0]) == 1 == len(nxt) and KANJI_CHAR.match(pair[0]) and KANJI_CHAR.match(nxt):
            joined = list(tok.tokenize(pair[0] + nxt))
            if len(joined) == 1:
                out.append((joined[0].surface(), to_hiragana(joined[0].reading_form())))
                i += 2
                continue
        out.append(pair)
        i += 1
    return out


class KanaReadings:
    """Write a kana-only query with the kanji words the indexed pages use (reading -> most frequent surface).

    Sudachi segments pure-hiragana text poorly (おや -> お/や), so a query like 'じどうてあて もらいたい' is matched
    greedily, longest reading first, against the readings of the words in the index: '児童手当 もらいたい'.
    """

    def __init__(self, counts: dict[str, dict[str, int]], min_count: int = 2) -> None:
        self.best: dict[str, str] = {}
        for reading, by_surface in counts.items():
            surface, n = max(by_surface.items(), key=lambda kv: (kv[1], -len(kv[0])))
            if n >= min_count and reading not in _KANA_GRAMMAR:
                self.best[reading] = surface
        for reading, surface in list(self.best.items()):  # 出生届 is read しゅっせいとどけ by many residents
            for usual, other in _OTHER_READINGS.items():
                if usual in reading:
                    self.best.setdefault(reading.replace(usual, other), surface)
        self.longest = max((len(r) for r in self.best), default=0)

    def rewrite(self, query: str) -> str:
        """The query with known readings replaced by kanji; queries with kanji or Latin letters are unchanged."""
        t = search_text(query)
        if not is_kana_only(t) or not self.best:
            return t
        return self._read(t)

    def rewrite_around(self, text: str) -> str:
        """``rewrite`` applied to each kana run of a query whose places were already written in kanji
        ('府中市で じどうてあて' -> '府中市で 児童手当'). Callers use it for queries that were kana-only before
        ``PlaceNames.read_kana``."""
        t = search_text(text)
        if not self.best:
            return t
        parts = _NON_KANA_RUN.split(
            t
        )  # the pattern captures: odd parts are the non-kana runs, kept as written
        last = len(parts) - 1
        return "".join(
            part
            if n % 2
            else self._read_between(
                part,
                glued_left=n > 0 and parts[n - 1][-1:].isalnum(),
                glued_right=n < last and parts[n + 1][:1].isalnum(),
            )
            for n, part in enumerate(parts)
        )

    def _read_between(self, run: str, glued_left: bool, glued_right: bool) -> str:
        """One kana run of a mixed query: a piece written inside a word (土よう日, 出せます) stays as written."""
        pieces = re.split(r"(\s+)", run)
        if len(pieces) == 1 and glued_left and glued_right:
            return run
        return "".join(self._read(piece) if piece.strip() else piece for piece in pieces)

    def _read(self, t: str) -> str:
        out: list[str] = []
        text = to_hiragana(t)
        i = 0
        mid_word = False  # right after a kana that matched nothing: only a longer reading may start here
        while i < len(text):
            shortest = 3 if mid_word else 2
            for j in range(min(len(text), i + self.longest), i + shortest - 1, -1):
                word = self.best.get(text[i:j])
                if word:
                    kept = _kept_at(text, i)
                    if kept >= j - i:  # a question word or ending at least as long: never a content word
                        out.append(t[i : i + kept])
                        i, mid_word = i + kept, False
                    else:
                        out.append(word)
                        i, mid_word = j, False
                    break
            else:
                out.append(t[i])
                mid_word = not t[i].isspace()
                i += 1
        return "".join(out)


def _kept_at(text: str, i: int) -> int:
    """Length of the longest ``_KANA_KEEP`` word starting at ``i`` of hiragana ``text`` (0 for none)."""
    for j in range(min(len(text), i + _KEEP_LONGEST), i, -1):
        if text[i:j] in _KANA_KEEP:
            return j - i
    return 0


# ---------------------------------------------------------------------------------------------------------------
# places named in a query
# ---------------------------------------------------------------------------------------------------------------

# Short forms (the name without 区/市/町/村) that are also everyday words or parts of other names: only the full name
# counts for them (中央図書館, 国立病院, 多摩地域, 'かぞくのなかの', 'みたかった', 'こうとうがっこう').
_AMBIGUOUS_SHORT = frozenset(
    [
        "中央",
        "国立",
        "多摩",
        "日の出",
        "ちゅうおう",
        "なかの",
        "としま",
        "みたか",
        "こうとう",
        "たいとう",
        "みなと",
        "ひので",
        "おおた",
        "たま",
        "きた",
        "ひの",
        "こまえ",
        "おおしま",
    ]
)
_KANA_SUFFIXES = ("まち", "ちょう", "むら", "そん", "く", "し")
_KANJI_SUFFIXES = ("区", "市", "町", "村")


class PlaceNames:
    """Municipality names as residents write them: 品川区 / 品川 / しながわく / しながわ / Shinagawa.

    ``find`` gives the one municipality a query names (None for none or for two different ones, e.g. a move);
    ``read_kana`` writes kana place names with their kanji names before any kana rewrite, so 'ふちゅうしで' reads as
    '府中市で' and not as 'ふ中し' (the reading rewriter would otherwise match ちゅう to 中).
    """

    def __init__(self, places: list[tuple[str, str, str, str]]) -> None:
        """``places``: (code, kanji name, kana reading, English name) per municipality."""
        names: dict[str, str] = {}
        kana: dict[str, str] = {}
        for code, name, reading, en in places:
            reading = to_hiragana(reading)
            names[name] = code
            kana[reading] = name
            short = name[:-1] if name.endswith(_KANJI_SUFFIXES) else name
            if len(short) >= 2 and short not in _AMBIGUOUS_SHORT:
                names.setdefault(short, code)
            for suffix in _KANA_SUFFIXES:
                if reading.endswith(suffix):
                    stem = reading[: -len(suffix)]
                    if len(stem) >= 3 and stem not in _AMBIGUOUS_SHORT:
                        kana.setdefault(stem, name)
                    break
            for word in {en.lower(), re.sub(r" (city|ward|town|village)$", "", en.lower())}:
                if len(word) >= 3:
                    names.setdefault(word, code)
        self.codes = names
        self.kana = kana
        self.names_by_code = {code: name for code, name, _, _ in places}
        self._kana_re = re.compile("|".join(re.escape(k) for k in sorted(kana, key=len, reverse=True)))
        alts = sorted((n for n in names if not n.isascii()), key=len, reverse=True)
        self._ja_re = re.compile("|".join(re.escape(n) for n in alts))
        en_alts = sorted((n for n in names if n.isascii()), key=len, reverse=True)
        self._en_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in en_alts) + r")\b", re.I)

    def read_kana(self, text: str) -> str:
        """Kana place names replaced by their kanji names ('ふちゅうしで じどうてあて' -> '府中市で じどうてあて')."""
        s = search_text(text)
        if not self.kana:
            return s
        out, last = [], 0
        for m in self._kana_re.finditer(to_hiragana(s)):  # one character for one: offsets hold in ``s``
            out += [s[last : m.start()], self.kana[m.group(0)]]
            last = m.end()
        return "".join(out) + s[last:]

    def find_all(self, text: str) -> list[str]:
        """Codes of the municipalities ``text`` names, in order, without repeats."""
        t = self.read_kana(search_text(text))
        found: list[tuple[int, str]] = []
        if self._ja_re.pattern:
            found += [(m.start(), self.codes[m.group(0)]) for m in self._ja_re.finditer(t)]
        if self._en_re.pattern != r"\b()\b":
            found += [(m.start(), self.codes[m.group(0).lower()]) for m in self._en_re.finditer(t)]
        out: list[str] = []
        for _, code in sorted(found):
            if code not in out:
                out.append(code)
        return out

    def without(self, text: str) -> str:
        """``text`` without the (kanji) place names it writes: '豊島区で出生届' -> 'で出生届'."""
        return self._ja_re.sub(" ", text) if self._ja_re.pattern else text

    def find(self, text: str) -> str | None:
        """The one municipality ``text`` names; None when it names none or several."""
        codes = self.find_all(text)
        return codes[0] if len(codes) == 1 else None


# ---------------------------------------------------------------------------------------------------------------
# English questions searched with Japanese terms
# ---------------------------------------------------------------------------------------------------------------

_EN_FILLER = frozenset(
    {"a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "my", "your", "at", "by"}
)


def _glossary(catalog: Any) -> list[tuple[frozenset[str], str]]:
    """(English words, Japanese name) of procedures, documents, offices and life events, most specific first:
    the bilingual names English questions are searched with (funeral benefit -> 葬祭費)."""
    pairs: dict[frozenset[str], str] = {}

    def add(en: str | None, ja: str) -> None:
        words = en_words((en or "").split("(")[0]) - _EN_FILLER
        ja = ja.split("（")[0].strip()
        if en and len(words) >= 2 and ja and words not in pairs:
            pairs[words] = ja

    # the municipalities' own programs too (出産費用の助成 / childbirth cost subsidy)
    for p in [*catalog.procedures.values(), *(q for ov in catalog.overrides.values() for q in ov.programs)]:
        add(p.title.en, p.title.ja)
        for a in p.amounts:
            add(a.label.en, a.label.ja)
    for d in catalog.documents.values():
        add(d.name.en, d.name.ja)
    for o in catalog.offices.values():
        add(o.name.en, o.name.ja)
    for e in catalog.events.values():
        add(e.name.en, e.name.ja)
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def _catalog_words(catalog: Any) -> frozenset[str]:
    """The English words of the catalog's names (procedures and programs, amounts, documents, offices, events)."""
    programs = [q for ov in catalog.overrides.values() for q in ov.programs]
    names = [p.title.en for p in [*catalog.procedures.values(), *programs]]
    names += [a.label.en for p in catalog.procedures.values() for a in p.amounts]
    names += [d.name.en for d in catalog.documents.values()] + [o.name.en for o in catalog.offices.values()]
    names += [e.name.en for e in catalog.events.values()]
    return frozenset(w for n in names if n for w in re.findall(r"[a-z]+", n.lower()))


@lru_cache(maxsize=4096)
def en_words(text: str) -> frozenset[str]:
    """Lower-case English words with a light stem (plural s, -ed, -ing; as ``tokens`` does) for matching."""
    return frozenset(_en_stem(w) for w in _EN_WORD.findall(text.lower()))


def is_english_query(text: str) -> bool:
    """Latin letters and no Japanese at all (a query already carrying Japanese terms is not read again)."""
    return any(c.isascii() and c.isalpha() for c in text) and not has_japanese(text)


class EnglishTerms:
    """English questions are searched with the Japanese names of the catalog terms they use (procedures, amounts,
    documents, offices, life events: 'funeral benefit' -> 葬祭費), then the words of the general civic vocabulary
    (knowledge/vocabulary-en-ja.yaml: the kind asked, 'hours' -> 時間 曜日, and everyday words, 'by mail' -> 郵送),
    and the place they name: Japanese pages then score as they do for a Japanese question."""

    def __init__(
        self, pairs: list[tuple[frozenset[str], str]], lexicon: frozenset[str] = frozenset()
    ) -> None:
        self.pairs = pairs
        # the English words of the names and the vocabulary: a word one letter off one of them is read as it
        self.lexicon = lexicon | vocabulary().lexicon

    @classmethod
    def from_catalog(cls, catalog: Any) -> EnglishTerms:
        return cls(_glossary(catalog), _catalog_words(catalog))

    def terms(self, query: str) -> list[str]:
        query = corrected(query, self.lexicon)  # 'birth registation', 'child alowance'
        words = en_words(query)
        # a name of five or more words is used when all its words but one are asked ('child support allowance for
        # single parents' names 'Child support allowance for single-parent families')
        vocab = vocabulary().search_japanese(query)
        terms = [
            ja if en <= words else self._sibling(ja, vocab)
            for en, ja in self.pairs
            if en and (en <= words or (len(en & words) >= 4 and len(en - words) <= 1))
        ]
        terms += vocab
        return list(dict.fromkeys(t for t in terms if not any(t != o and t in o for o in terms)))

    def _sibling(self, name: str, vocab: list[str]) -> str:
        """A name matched with one word missing yields to the catalog name of the same thing (its head after the last
        の) that the question's own words name: 'late elderly health insurance … funeral benefit' misses only
        'national' of 'National Health Insurance funeral benefit', but says 後期高齢者医療, so 後期高齢者医療の葬祭費."""
        head = name.rsplit("の", 1)[-1]
        for other in sorted({ja for _, ja in self.pairs}):
            if other != name and other.endswith(head) and any(v in other and v not in name for v in vocab):
                return other
        return name

    def augment(self, query: str, places: PlaceNames | None = None) -> str:
        """``query`` + its Japanese terms (at most four) and the Japanese name of the place it names."""
        if not is_english_query(query):
            return query
        terms = self.terms(query)[:4]
        code = places.find(query) if places else None
        if code:
            terms.append(places.names_by_code[code])  # type: ignore[union-attr]
        return f"{query} {' '.join(terms)}" if terms else query
