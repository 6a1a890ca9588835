"""Messages and labels in Simplified Chinese (default) and English.

Texts live in ``pipelines/locales/*.toml``, one file per area (core, ingest, rules, ui, ...), each key a
table with ``zh`` and ``en``::

    [config.bad_value]
    zh = "规则配置 {key} 的值 {value} 无效：{why}"
    en = "Rule setting {key} has an invalid value {value}: {why}"

Placeholders use ``str.format``. A key missing in one language falls back to the other, then to the key.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_LOCALES = Path(__file__).with_name("locales")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message key with its texts, merged from all locale files."""
    merged: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, value in table.items():
            if isinstance(value, dict) and not (set(value) & set(LANGS)):
                walk(f"{prefix}{key}.", value)
            elif isinstance(value, dict):
                merged[f"{prefix}{key}"] = {k: str(v) for k, v in value.items()}

    for path in sorted(_LOCALES.glob("*.toml")):
        with path.open("rb") as fh:
            walk("", tomllib.load(fh))
    return merged


def normalise_lang(lang: str | None) -> str:
    """'zh', 'zh-CN', 'en-US', None -> one of LANGS."""
    if not lang:
        return DEFAULT_LANG
    lang = lang.lower()
    return "en" if lang.startswith("en") else "zh"


def t(key: str, lang: str | None = DEFAULT_LANG, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in."""
    lang = normalise_lang(lang)
    texts = catalogue().get(key)
    if texts is None:
        return key if not params else f"{key} {params}"
    text = texts.get(lang) or next(iter(texts.values()))
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
