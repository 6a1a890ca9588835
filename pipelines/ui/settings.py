"""The Rules page's library side: the configuration in force as a table, and saving the committee's changes.

Saving goes through :func:`pipelines.config.save_overrides` inside one :func:`pipelines.db.writing`
transaction, with the audit record and the recomputation of the derived figures in the same
transaction, so a refused value changes nothing and an accepted one is seen by every page at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from pipelines import db
from pipelines.audit import record
from pipelines.config import SPEC, Rules, default_rules, env_overrides, parse_overrides, save_overrides
from pipelines.i18n import t
from pipelines.refresh import rejudge


def value_text(value: Any, lang: str) -> str:
    """A setting's value as the page shows it (lists joined, booleans in words)."""
    if isinstance(value, bool):
        return t("ui.rules.yes" if value else "ui.rules.no", lang)
    if isinstance(value, list):
        return ", ".join(t(f"ui.rules.choice.{v}", lang) for v in value)
    if isinstance(value, str):
        return t(f"ui.rules.choice.{value}", lang)
    return str(value)


def rules_table(rules: Rules, lang: str) -> pl.DataFrame:
    """One row per setting: section, key, meaning, value in force, default, where it comes from."""
    defaults = default_rules().flat()
    from_env = env_overrides()
    rows = []
    for key, value in rules.flat().items():
        section = key.split(".", 1)[0]
        source = "env" if key in from_env else ("committee" if key in rules.overrides else "default")
        rows.append({
            "rule_section": t(f"ui.rules.section.{section}", lang),
            "rule_key": key,
            "rule_meaning": t(f"ui.rules.label.{key}", lang),
            "rule_value": value_text(value, lang),
            "rule_default": value_text(defaults[key], lang),
            "rule_source": t(f"ui.rules.source.{source}", lang),
        })
    return pl.DataFrame(rows)


def changed_from_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` that differ from the defaults (what the committee overrides)."""
    defaults = default_rules().flat()
    out: dict[str, Any] = {}
    for key, value in values.items():
        default = defaults.get(key)
        if isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool):
            if abs(float(value) - default) < 1e-12:
                continue
        elif value == default:
            continue
        out[key] = value
    return out


def save_rules(path: Path | str, overrides: dict[str, Any], actor: str | None) -> Rules:
    """Store ``overrides`` (a full set: what is left out falls back to its default); raises PartydayError."""
    checked = {key: value for key, value in overrides.items()}
    with db.writing(path) as con:
        previous = con.execute("select rules_toml from rule_settings order by setting_id desc limit 1").fetchone()
        rules = save_overrides(con, checked, actor)
        record(con, actor, "rules.set", None, {"overrides": checked, "previous": previous[0] if previous else ""})
        rejudge(con, rules)  # the kept judgement follows the rules in force
    return rules


def save_rules_toml(path: Path | str, text: str, actor: str | None) -> Rules:
    """Parse TOML override text (messages name the bad key) and store it as the committee's overrides."""
    return save_rules(path, changed_from_defaults(parse_overrides(text, source="rules")), actor)


def spec_kind(key: str) -> str:
    """The kind of widget a setting needs: number, integer, boolean, list or string."""
    return SPEC[key].kind
