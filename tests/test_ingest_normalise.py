"""One normaliser for every text a sheet holds: each word and mark of the declared vocabulary, decorated
with every invisible character a chat app or a web page leaves in pasted text, reads the same; each emoji
of the table reads as its plain mark; names and headers lose what cannot be seen."""

from __future__ import annotations

import random

import pytest

from pipelines.ingest import vocab

# One of each kind of invisible character vocab.INVISIBLE removes (every member is checked below).
DECORATIONS = ["\ufe0f", "\ufe0e", "\U000e0100", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060",
               "\ufeff", "\u180e", "\u00ad", "\U0001f3fb", "\U0001f3ff"]
SECTIONS = ("status", "headers")


def _words(section: str) -> list[tuple[str, str]]:
    return [(str(word), canonical) for canonical, words in vocab.table()[section].items() if isinstance(words, list)
            for word in words]


def _decorated(word: str, mark: str, rng: random.Random) -> list[str]:
    """``word`` with ``mark`` before it, after it, after each of its characters, and at a random place twice."""
    out = [mark + word, word + mark] + [word[:i] + mark + word[i:] for i in range(1, len(word))]
    for _ in range(2):
        i, j = sorted(rng.randrange(len(word) + 1) for _ in range(2))
        out.append(word[:i] + mark + word[i:j] + mark + word[j:])
    return out


@pytest.mark.parametrize("section", SECTIONS)
def test_every_word_decorated_with_every_invisible_character_reads_the_same(section: str) -> None:
    rng = random.Random(20261123)
    looked_up = vocab.lookup(section)
    checked = 0
    for word, _canonical in _words(section):
        expected = looked_up[vocab.norm(word)]
        for mark in DECORATIONS:
            for text in _decorated(word, mark, rng):
                assert vocab.canonical(section, text) == expected, (section, word, repr(text))
                checked += 1
    assert checked > 1000


def test_every_invisible_character_is_removed() -> None:
    for code in vocab.INVISIBLE:
        assert vocab.simplified(f"王{chr(code)}芳") == "王芳", hex(code)
        assert vocab.clean_name(f"{chr(code)}后勤服务党支部{chr(code)}") == "后勤服务党支部", hex(code)


@pytest.mark.parametrize(("emoji", "status"), [("✔️", "present"), ("✅", "present"), ("☑️", "present"),
                                               ("⭕", "present"), ("🙋", "present"), ("🙋🏽", "present"),
                                               ("❌", "unexcused"), ("✖️", "unexcused")])
def test_emoji_marks_read_as_their_plain_marks(emoji: str, status: str) -> None:
    assert vocab.canonical("status", emoji) == status
    for mark in DECORATIONS:
        assert vocab.canonical("status", emoji + mark) == status
        assert vocab.canonical("status", mark + emoji) == status


def test_every_emoji_of_the_table_folds_to_a_mark_of_the_vocabulary() -> None:
    known = set(vocab.lookup("status"))
    for plain, emoji in vocab.table()["emoji"].items():
        assert vocab.norm(plain) in known, plain
        for e in emoji:
            assert vocab.simplified(e) == plain, e
            assert vocab.simplified(e + "\ufe0f") == plain, e


def test_visible_text_is_kept() -> None:
    # Chinese names, Latin names with their one space, ordinary punctuation: nothing visible is dropped.
    assert vocab.clean_name("王  芳") == "王芳"
    assert vocab.clean_name("Li  Ming") == "Li Ming"
    assert vocab.simplified("张伟(1990)") == "张伟(1990)"
    assert vocab.simplified("簽到情況") == "签到情况"
