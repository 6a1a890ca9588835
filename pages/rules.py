"""规则设置 Rules: the configuration in force; the committee may change it (audited)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from pipelines.access import require_committee
from pipelines.config import SPEC
from pipelines.errors import PartydayError
from pipelines.i18n import t
from pipelines.ui import common, settings

common.page_header("ui.nav.rules", "ui.rules.caption")
rules = common.rules()
lang = common.lang()
table = settings.rules_table(rules, lang)
common.table(table, "rules", file_name="rules",
             columns=["rule_section", "rule_meaning", "rule_key", "rule_value", "rule_default", "rule_source"])

user = common.user()
if not user.is_committee:
    st.caption(common.tr("ui.rules.read_only"))
    st.stop()

notice = st.session_state.pop("rules_notice", None)
if notice:
    st.success(notice)


def _widget(key: str, value: Any) -> Any:
    spec = SPEC[key]
    label = f"{common.tr(f'ui.rules.label.{key}')} ({key})"
    wkey = f"rules_in_{key}"
    if spec.kind == "boolean":
        return st.checkbox(label, value=bool(value), key=wkey)
    if spec.kind == "integer":
        return st.number_input(label, min_value=int(spec.low or 0), max_value=int(spec.high or 10**9),
                               value=int(value), step=1, key=wkey)
    if spec.kind == "number":
        return st.number_input(label, value=float(value), step=0.05 if (spec.high or 0) <= 1 else 0.5,
                               format="%.2f", key=wkey)
    if spec.kind == "list":
        choices = list(spec.choices or ())
        return st.multiselect(label, choices, default=list(value),
                              format_func=lambda v: t(f"ui.rules.choice.{v}", lang), key=wkey)
    choices = list(spec.choices or (value,))
    return st.selectbox(label, choices, index=choices.index(value),
                        format_func=lambda v: t(f"ui.rules.choice.{v}", lang), key=wkey)


def _save(overrides: dict[str, Any]) -> None:
    try:
        require_committee(user, "rules")
        settings.save_rules(common.db_path(), overrides, user.name)
    except PartydayError as exc:
        common.show_issues(exc.issues)
        return
    common.clear_caches()
    st.session_state["rules_notice"] = common.tr("ui.rules.saved")
    st.rerun()


st.subheader(common.tr("ui.rules.change"))
sections: dict[str, list[str]] = {}
for key in rules.flat():
    sections.setdefault(key.split(".", 1)[0], []).append(key)
with st.form("rules_form"):
    values: dict[str, Any] = {}
    for section, keys in sections.items():
        with st.expander(common.tr(f"ui.rules.section.{section}"), expanded=section in ("attendance", "evaluation")):
            for key in keys:
                values[key] = _widget(key, rules.get(key))
    submitted = st.form_submit_button(common.tr("ui.rules.save"), type="primary")
if submitted:
    _save(settings.changed_from_defaults(values))

with st.expander(common.tr("ui.rules.toml_title")):
    text = st.text_area(common.tr("ui.rules.toml_label"), value=rules.to_toml(), height=300, key="rules_toml")
    cols = st.columns(2)
    if cols[0].button(common.tr("ui.rules.toml_save"), key="rules_toml_save"):
        try:
            require_committee(user, "rules")
            settings.save_rules_toml(common.db_path(), text, user.name)
        except PartydayError as exc:
            common.show_issues(exc.issues)
        else:
            common.clear_caches()
            st.session_state["rules_notice"] = common.tr("ui.rules.saved")
            st.rerun()
    if cols[1].button(common.tr("ui.rules.reset"), key="rules_reset"):
        _save({})
