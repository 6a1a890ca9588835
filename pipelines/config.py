"""The rules configuration: every threshold of DOMAIN.md as a default, overridable by the committee.

Defaults live in ``rules.default.toml`` beside this file. Overrides are TOML text with any subset of
the keys; they come from the database (``rule_settings``, set on the Rules page or by
``python -m pipelines rules set``) and, for IT staff, from a file named by ``PARTYDAY_RULES``.
Every value is checked against :data:`SPEC`; a bad one is refused with a message naming the key.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.errors import PartydayError, error

DEFAULTS_PATH = Path(__file__).with_name("rules.default.toml")


@dataclass(frozen=True)
class Spec:
    """What one setting may hold."""

    kind: str  # number | integer | boolean | list | string
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None


# Ranges a committee may choose within. Keys are "section.name".
SPEC: dict[str, Spec] = {
    "attendance.quorum_threshold": Spec("number", 0.0, 1.0),
    "attendance.quorum_inclusive": Spec("boolean"),
    "schedule.notice_min_days": Spec("integer", 0, 60),
    "schedule.report_max_days": Spec("integer", 0, 60),
    "schedule.half_day_hours": Spec("number", 0.5, 12.0),
    "evaluation.satisfaction_threshold": Spec("number", 0.0, 1.0),
    "evaluation.satisfied_ratings": Spec("list", choices=("satisfied", "basic")),
    "evaluation.primary_item": Spec("string", choices=("overall", "pooled")),
    "evaluation.strikes_limit": Spec("integer", 1, 12),
    "warnings.unexcused_in_a_row": Spec("integer", 1, 12),
    "warnings.unexcused_per_year": Spec("integer", 1, 12),
    "ranking.weight_participation": Spec("number", 0.0, 1.0),
    "ranking.weight_satisfaction": Spec("number", 0.0, 1.0),
    "ranking.weight_compliance": Spec("number", 0.0, 1.0),
    "ranking.open_day_bonus": Spec("number", 0.0, 20.0),
    "ranking.min_activities_year": Spec("integer", 0, 12),
    "ranking.min_activities_quarter": Spec("integer", 0, 3),
    "ranking.recommend_count": Spec("integer", 0, 100000),
    "ranking.recommend_share": Spec("number", 0.0, 1.0),
    "ranking.best_case_count": Spec("integer", 0, 1000),
    "limits.max_file_mb": Spec("number", 0.01, 500),
    "limits.max_uncompressed_mb": Spec("number", 0.1, 4000),
    "limits.max_compression_ratio": Spec("number", 2, 10000),
    "limits.max_sheets": Spec("integer", 1, 1000),
    "limits.max_rows_per_sheet": Spec("integer", 10, 2_000_000),
    "limits.max_cells": Spec("integer", 100, 100_000_000),
    "access.session_minutes": Spec("integer", 5, 100_000),
    "access.lockout_failures": Spec("integer", 1, 100),
    "access.lockout_minutes": Spec("integer", 1, 100_000),
    "access.min_password_length": Spec("integer", 6, 128),
}


def _defaults() -> dict[str, dict[str, Any]]:
    with DEFAULTS_PATH.open("rb") as fh:
        return tomllib.load(fh)


def _flat(tree: dict[str, Any]) -> dict[str, Any]:
    return {f"{s}.{k}": v for s, table in tree.items() for k, v in table.items()}


def _check_value(key: str, value: Any) -> Any:
    spec = SPEC.get(key)
    if spec is None:
        raise PartydayError(error("config.unknown_key", key=key, known=", ".join(sorted(SPEC))))

    def bad_type() -> PartydayError:
        return PartydayError(error(f"config.bad_type.{spec.kind}", key=key,
                                   value=json.dumps(value, ensure_ascii=False)))

    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise bad_type()
        return value
    if spec.kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_type()
        if spec.kind == "integer" and not float(value).is_integer():
            raise bad_type()
        if spec.low is not None and spec.high is not None and not spec.low <= value <= spec.high:
            raise PartydayError(error("config.out_of_range", key=key, value=value, low=spec.low, high=spec.high))
        return int(value) if spec.kind == "integer" else float(value)
    if spec.kind == "list":
        if not isinstance(value, list) or not value:
            raise bad_type()
        for item in value:
            if spec.choices and item not in spec.choices:
                raise PartydayError(error("config.bad_choice", key=key, value=item, choices=", ".join(spec.choices)))
        return list(value)
    if not isinstance(value, str):
        raise bad_type()
    if spec.choices and value not in spec.choices:
        raise PartydayError(error("config.bad_choice", key=key, value=value, choices=", ".join(spec.choices)))
    return value


class Rules:
    """The configuration in force: ``rules.get("attendance.quorum_threshold")`` or ``rules.quorum_threshold``."""

    def __init__(self, tree: dict[str, dict[str, Any]], overrides: dict[str, Any] | None = None) -> None:
        self.tree = tree
        self.overrides = overrides or {}

    def get(self, key: str) -> Any:
        """The value of ``section.name``."""
        section, name = key.split(".", 1)
        return self.tree[section][name]

    def __getattr__(self, name: str) -> Any:
        for table in self.__dict__.get("tree", {}).values():
            if name in table:
                return table[name]
        raise AttributeError(name)

    def flat(self) -> dict[str, Any]:
        """Every setting as ``{"section.name": value}``."""
        return _flat(self.tree)

    def to_json(self) -> str:
        """A canonical JSON text of the configuration (sorted keys), as snapshots store it."""
        return json.dumps(self.tree, ensure_ascii=False, sort_keys=True)

    def to_toml(self) -> str:
        """The configuration as TOML text."""
        lines: list[str] = []
        for section, table in self.tree.items():
            lines.append(f"[{section}]")
            for key, value in table.items():
                lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
        return "\n".join(lines)

    def params(self) -> dict[str, Any]:
        """Scalar settings as bound SQL parameters, named ``section_name`` (lists joined as text)."""
        out: dict[str, Any] = {}
        for key, value in self.flat().items():
            out[key.replace(".", "_")] = value
        return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def parse_overrides(text: str, source: str = "rules") -> dict[str, Any]:
    """Parse override TOML text into checked ``{"section.name": value}``; raises PartydayError."""
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PartydayError(error("config.bad_toml", source=source, why=str(exc))) from exc
    flat: dict[str, Any] = {}
    for section, table in tree.items():
        if not isinstance(table, dict):
            raise PartydayError(error("config.unknown_key", key=section, known=", ".join(sorted(SPEC))))
        for name, value in table.items():
            key = f"{section}.{name}"
            flat[key] = _check_value(key, value)
    return flat


def build_rules(*override_layers: dict[str, Any]) -> Rules:
    """Defaults with each layer of checked overrides applied in order; checks cross-key rules."""
    tree = copy.deepcopy(_defaults())
    applied: dict[str, Any] = {}
    for layer in override_layers:
        for key, value in layer.items():
            value = _check_value(key, value)
            section, name = key.split(".", 1)
            tree[section][name] = value
            applied[key] = value
    rules = Rules(tree, applied)
    total = (rules.get("ranking.weight_participation") + rules.get("ranking.weight_satisfaction")
             + rules.get("ranking.weight_compliance"))
    if abs(total - 1.0) > 1e-9:
        raise PartydayError(error("config.weights_sum", total=round(total, 6)))
    return rules


def default_rules() -> Rules:
    """The defaults of DOMAIN.md, unchanged."""
    return build_rules()


def env_overrides() -> dict[str, Any]:
    """Overrides from the file named by PARTYDAY_RULES, if set."""
    path = os.environ.get("PARTYDAY_RULES")
    if not path:
        return {}
    return parse_overrides(Path(path).read_text(encoding="utf-8"), source=path)


def stored_overrides(con: Any) -> dict[str, Any]:
    """The committee's overrides saved in the database (newest row), checked."""
    row = con.execute("select rules_toml from rule_settings order by setting_id desc limit 1").fetchone()
    return parse_overrides(row[0], source="rule_settings") if row else {}


def load_rules(con: Any) -> Rules:
    """The configuration in force: defaults, then the database's overrides, then PARTYDAY_RULES."""
    return build_rules(stored_overrides(con), env_overrides())


def save_overrides(con: Any, overrides: dict[str, Any], actor: str | None) -> Rules:
    """Check and store a full set of overrides (inside a write transaction); returns the new rules."""
    rules = build_rules(overrides, env_overrides())
    tree: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        section, name = key.split(".", 1)
        tree.setdefault(section, {})[name] = _check_value(key, value)
    text = Rules(tree).to_toml()
    con.execute("insert into rule_settings (rules_toml, changed_by) values (?, ?)", [text, actor])
    return rules
