"""The declared vocabulary (``synonyms.toml``) and the one normalisation every text goes through.

Secretaries write the same header as 簽到情況, 签到情况 or "签 到"; names padded as "王  芳" or in
full-width characters; marks pasted from a chat app as emoji ("✔️" is ✔ and the emoji variation
selector U+FE0F, "✅", "❌"). :func:`simplified` is the one normaliser of every text a sheet holds
(headers, marks, names, branch names): NFKC for full-width forms, the invisible characters of
:data:`INVISIBLE` removed, each emoji of ``synonyms.toml``'s ``[emoji]`` table folded to the plain mark
it stands for, Traditional -> Simplified with opencc. :func:`norm` adds whitespace removed and lower
case; the tables of ``synonyms.toml`` are folded the same way, so matching is a dictionary look-up.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from opencc import OpenCC

SYNONYMS_PATH = Path(__file__).with_name("synonyms.toml")
_SPACE = re.compile(r"\s+")
_CC = OpenCC("t2s")
# Characters that change nothing a reader sees: variation selectors (U+FE00-FE0F, U+E0100-E01EF: "✔️" is
# ✔ + U+FE0F), zero-width spaces and joiners, word joiner and invisible operators, direction marks, the
# byte order mark, the Mongolian vowel separator, emoji skin tones (🙋🏻). Chat apps and web pages leave them
# in pasted text; they are removed from every text before it is compared or stored.
INVISIBLE = frozenset([*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x200B, 0x2010),
                       *range(0x2060, 0x2065), 0xFEFF, 0x180E, 0x00AD, *range(0x1F3FB, 0x1F400)])


@cache
def _folding() -> dict[int, str | None]:
    """The ``str.translate`` table of :func:`simplified`: invisible characters dropped, each emoji of the
    ``[emoji]`` table replaced by its plain mark."""
    fold: dict[int, str | None] = dict.fromkeys(INVISIBLE)
    for plain, emoji in table()["emoji"].items():
        for e in emoji:
            for ch in str(e):
                if ord(ch) not in INVISIBLE:
                    fold[ord(ch)] = plain
    return fold


@cache
def _keys_by_first_char() -> dict[str, tuple[str, ...]]:
    """The keys of the dictionaries ``_CC`` converts with, by first character: opencc replaces only these,
    so a text that contains none of them is already Simplified (most are, and converting is slow)."""
    _CC.convert("")  # loads the dictionaries
    keys: dict[str, list[str]] = {}
    for group in _CC._dict_chain_data:
        for _longest, _shortest, mapping in group:
            for key in mapping:
                keys.setdefault(key[0], []).append(key)
    return {first: tuple(found) for first, found in keys.items()}


@lru_cache(maxsize=200_000)
def simplified(text: str) -> str:
    """``text`` in Simplified characters, full-width forms folded (NFKC), invisible characters removed,
    emoji marks folded to their plain marks, outer spaces stripped."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = text.translate(_folding())
    text = text.strip()
    if text.isascii():
        return text
    keys = _keys_by_first_char()
    if not any(key in text for ch in set(text) for key in keys.get(ch, ())):
        return text
    return str(_CC.convert(text))


@lru_cache(maxsize=200_000)
def norm(text: str) -> str:
    """The matching key of ``text``: Simplified, half-width, no whitespace at all, lower case."""
    return _SPACE.sub("", simplified(text)).lower()


def clean_name(text: str) -> str:
    """A person's or branch's name as stored: Simplified, half-width, inner padding removed.

    Chinese names are padded to align columns ("王  芳"); Latin names keep one space between words.
    """
    s = simplified(text)
    if s.isascii():
        return _SPACE.sub(" ", s)
    return _SPACE.sub("", s)


@cache
def table() -> dict[str, Any]:
    """The raw contents of ``synonyms.toml``."""
    with SYNONYMS_PATH.open("rb") as fh:
        return tomllib.load(fh)


def _lookup(section: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, words in section.items():
        if isinstance(words, list):
            for w in words:
                out.setdefault(norm(str(w)), canonical)
    return out


@cache
def lookup(section: str) -> dict[str, str]:
    """``{normalised word: canonical}`` for one section (``headers``, ``status``, ``record``, ...)."""
    part: Any = table()
    for key in section.split("."):
        part = part[key]
    return _lookup(part)


@cache
def month_labels() -> dict[str, int]:
    """``{normalised month label: month number}`` for the columns of a year table."""
    out: dict[str, int] = {}
    for i, words in enumerate(table()["months"]["labels"], start=1):
        for w in words:
            out[norm(w)] = i
    return out


@cache
def words(section: str, key: str) -> tuple[str, ...]:
    """The normalised words of one list, e.g. ``words("status", "leave_words")``."""
    part: Any = table()[section]
    return tuple(norm(str(w)) for w in part[key])


def canonical(section: str, text: str) -> str | None:
    """The canonical name of ``text`` in ``section``, or None."""
    return lookup(section).get(norm(text))


# Words that name an evaluation item inside a longer label ("主题鲜明、特色突出"), most specific first.
_ITEM_WORDS = (("overall", ("总体", "综合", "整体", "overall")), ("theme", ("主题", "theme")),
               ("content", ("内容", "content")), ("format", ("方式", "形式", "format")),
               ("effect", ("效果", "effect")))


def item_of(text: str) -> str | None:
    """The evaluation item a label names: the declared synonyms, else the word it contains."""
    found = canonical("evaluation", text)
    if found or not text:
        return found
    key = norm(text)
    if len(key) > 16:
        return None
    for item, hints in _ITEM_WORDS:
        if any(h in key for h in hints):
            return item
    return None
