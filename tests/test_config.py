"""The rules configuration: defaults of DOMAIN.md, overrides, and refusals that name the key."""

from __future__ import annotations

import pytest

from pipelines import db
from pipelines.config import build_rules, default_rules, load_rules, parse_overrides, save_overrides
from pipelines.errors import PartydayError


def test_defaults_are_domain_numbers() -> None:
    rules = default_rules()
    assert rules.get("attendance.quorum_threshold") == 0.80
    assert rules.get("attendance.quorum_inclusive") is True
    assert rules.get("evaluation.satisfaction_threshold") == 0.60
    assert rules.get("evaluation.strikes_limit") == 3
    assert rules.get("schedule.notice_min_days") == 5
    assert rules.get("schedule.report_max_days") == 2
    assert rules.get("schedule.half_day_hours") == 3.0
    assert rules.get("evaluation.satisfied_ratings") == ["satisfied", "basic"]
    assert rules.get("warnings.unexcused_in_a_row") == 2
    assert rules.get("warnings.unexcused_per_year") == 3


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("[attendance]\nquorum_threshold = 1.5",
         "规则配置 attendance.quorum_threshold 的值 1.5 超出范围：应在 0.0 到 1.0 之间。",
         "Rule setting attendance.quorum_threshold = 1.5 is out of range: it must lie between 0.0 and 1.0."),
        ('[attendance]\nquorum_threshold = "high"',
         '规则配置 attendance.quorum_threshold 应为数值，而不是 "high"。',
         'Rule setting attendance.quorum_threshold must be a number, not "high".'),
        ("[schedule]\nnotice_min_days = 2.5",
         "规则配置 schedule.notice_min_days 应为整数，而不是 2.5。",
         "Rule setting schedule.notice_min_days must be a whole number, not 2.5."),
        ('[evaluation]\nsatisfied_ratings = ["great"]',
         "规则配置 evaluation.satisfied_ratings 的值 great 无效：可选值为 satisfied, basic。",
         "Rule setting evaluation.satisfied_ratings = great is not allowed: choose from satisfied, basic."),
    ],
)
def test_bad_values_are_refused_with_the_key(text: str, zh: str, en: str) -> None:
    with pytest.raises(PartydayError) as caught:
        parse_overrides(text)
    assert caught.value.message("zh") == zh
    assert caught.value.message("en") == en


def test_unknown_key_is_named() -> None:
    with pytest.raises(PartydayError) as caught:
        parse_overrides("[attendance]\nquorum = 0.7")
    assert caught.value.message("en").startswith("There is no rule setting attendance.quorum.")


def test_weights_must_add_up() -> None:
    with pytest.raises(PartydayError) as caught:
        build_rules({"ranking.weight_compliance": 0.5})
    assert caught.value.message("en") == (
        "Rule settings ranking.weight_participation, ranking.weight_satisfaction and "
        "ranking.weight_compliance must add up to 1; they add up to 1.2."
    )


def test_stored_overrides_take_effect_and_survive_reopening(tmp_db) -> None:
    with db.writing(tmp_db) as con:
        save_overrides(con, {"attendance.quorum_threshold": 0.75}, "tester")
    with db.reading(tmp_db) as con:
        rules = load_rules(con)
    assert rules.get("attendance.quorum_threshold") == 0.75
    assert rules.overrides == {"attendance.quorum_threshold": 0.75}
    assert rules.get("evaluation.satisfaction_threshold") == 0.60


def test_a_refused_change_changes_nothing(tmp_db) -> None:
    with pytest.raises(PartydayError), db.writing(tmp_db) as con:
        save_overrides(con, {"ranking.weight_compliance": 0.9}, "tester")
    with db.reading(tmp_db) as con:
        assert load_rules(con).overrides == {}


def test_rules_set_changes_several_keys_of_one_section_at_once(tmp_db) -> None:
    from conftest import run_cli

    proc = run_cli("rules", "set", "ranking.weight_participation=0.5", "ranking.weight_satisfaction=0.3",
                   "ranking.weight_compliance=0.2", db=tmp_db)
    assert proc.returncode == 0, proc.stderr
    with db.reading(tmp_db) as con:
        rules = load_rules(con)
    assert (rules.get("ranking.weight_participation"), rules.get("ranking.weight_compliance")) == (0.5, 0.2)


def test_rules_set_refuses_a_bad_value_and_keeps_the_old_ones(tmp_db) -> None:
    from conftest import run_cli

    proc = run_cli("--lang", "en", "rules", "set", "attendance.quorum_threshold=80", db=tmp_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Rule setting attendance.quorum_threshold = 80 is out of range: it must lie between 0.0 and 1.0."
    )
    with db.reading(tmp_db) as con:
        assert load_rules(con).overrides == {}
