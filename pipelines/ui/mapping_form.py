"""The upload page's column mapping: taught for a sheet the reader does not recognise, and the committee's
list of the mappings stored, with editing and deleting.

The form asks which row is the header, which column holds the name, the mark and the remarks, and what
each mark the vocabulary does not know means; the preview below it shows the figures that mapping gives.
Confirming loads the file and stores the mapping for the branch loaded (``ingest_files(remember=True)``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from pipelines.access import User
from pipelines.errors import PartydayError
from pipelines.ingest import FileResult, ingest_files, mapping, mapping_store, preview_files
from pipelines.ingest.layout import HEADER_SCAN_ROWS
from pipelines.ingest.read import column_letter
from pipelines.ingest.safety import Limits
from pipelines.ui import common

SHOWN_ROWS = 12  # rows of the sheet shown above the form: the title, the header and the first people


def mappable(result: FileResult) -> bool:
    """A refused file whose refusal a column mapping can cure (no name column, unknown header or marks)."""
    return result.status == "rejected" and any(i.code in mapping.MAPPABLE_CODES for i in result.issues)


def _grid(sheet: Any) -> pl.DataFrame:
    rows = mapping.first_rows(sheet, SHOWN_ROWS)
    width = len(rows[0]) if rows else 0
    data: dict[str, list[Any]] = {common.tr("ingest.mapping.page.row"): list(range(1, len(rows) + 1))}
    for col in range(width):
        data[column_letter(col)] = [r[col] for r in rows]
    return pl.DataFrame(data)


def teach(item: tuple[str, bytes], key: str, show: Callable[[FileResult, str], None], *, path: Path,
          branch: str | None, allowed: set[int] | None, roster_date: Any, actor: str) -> None:
    """The mapping form for one refused file, its preview, and the button that loads it and remembers it."""
    file, data = item
    sheets = mapping.sheets(file, data, Limits.from_rules(common.rules()))
    if not sheets:
        return
    st.markdown(f"**{common.tr('ingest.mapping.page.title', file=file)}**")
    st.caption(common.tr("ingest.mapping.page.help"))
    names = [s.name for s in sheets]
    chosen = st.selectbox(common.tr("ingest.mapping.page.sheet"), names, key=f"{key}_sheet") if len(names) > 1 \
        else names[0]
    sheet = sheets[names.index(chosen)]
    st.dataframe(_grid(sheet), hide_index=True, key=f"{key}_grid")
    first = mapping.guess(sheet)
    kind = st.selectbox(common.tr("ingest.mapping.page.kind"), mapping.MAPPED_KINDS,
                        index=mapping.MAPPED_KINDS.index(first.kind),
                        format_func=lambda k: common.tr(f"ingest.kind.{k}"), key=f"{key}_kind")
    guess = mapping.guess(sheet, kind)
    rows = list(range(min(HEADER_SCAN_ROWS, sheet.n_rows)))
    header = st.selectbox(common.tr("ingest.mapping.page.header_row"), rows,
                          index=rows.index(guess.header_row) if guess.header_row in rows else 0,
                          format_func=lambda r: str(r + 1), key=f"{key}_header")
    labels = mapping.column_labels(sheet, header)
    cols = list(labels)

    def pick(field: str, optional: bool = False) -> int | None:
        options: list[int | None] = ([None] if optional else []) + list(cols)
        found = guess.columns.get(field)
        return st.selectbox(common.tr(f"ingest.mapping.page.field.{field}"), options,
                            index=options.index(found) if found in options else (0 if optional else None),
                            format_func=lambda c: common.tr("ingest.mapping.page.none") if c is None else labels[c],
                            placeholder=common.tr("ingest.mapping.page.choose"), key=f"{key}_col_{field}")

    fields = mapping.KIND_FIELDS[kind]
    name_col = pick("name")
    mark_col = pick("status") if "status" in fields else None
    remark_col = pick("remark", optional=True)
    if name_col is None or ("status" in fields and mark_col is None):
        st.info(common.tr(f"ingest.mapping.page.pick_columns.{kind}"))
        return
    columns = {"name": name_col, **({"status": mark_col} if mark_col is not None else {}),
               **({"remark": remark_col} if remark_col is not None else {})}
    words = mapping.unknown_words(sheet, header, columns, kind=kind)
    meanings: dict[str, str | None] = {}
    if words:
        st.caption(common.tr("ingest.mapping.page.words"))
    for word in words:  # keyed by the word, so an answer stays with its word when the columns change
        meanings[word] = st.selectbox(common.tr("ingest.mapping.page.word", word=word), mapping.KIND_MEANINGS[kind],
                                      index=None,
                                      format_func=lambda m: common.tr(f"ingest.mapping.meaning.{m}"),
                                      placeholder=common.tr("ingest.mapping.page.choose"), key=f"{key}_word_{hashlib.sha256(word.encode()).hexdigest()[:12]}")
    if any(m is None for m in meanings.values()):
        st.info(common.tr("ingest.mapping.page.answer_words"))
        return
    taught = mapping.taught(sheet, header, columns, {w: str(m) for w, m in meanings.items()}, kind)
    label = st.text_input(common.tr("ingest.mapping.page.name"), key=f"{key}_label",
                          placeholder=common.tr("ingest.mapping.page.name_auto"))
    taught = mapping.with_name(taught, label.strip() or None, None)
    # The preview is kept while the answers stay the same (every widget change reruns the page).
    asked = hashlib.sha256(data + json.dumps([taught.kind, taught.header_row, taught.spec(), taught.name, branch,
                                              str(roster_date)], ensure_ascii=False).encode()).hexdigest()
    if st.session_state.get(f"{key}_preview_key") != asked:
        st.session_state[f"{key}_preview"] = preview_files([item], branch=branch, db_path=path,
                                                           allowed_branch_ids=allowed, roster_date=roster_date,
                                                           mapping=taught)[0]
        st.session_state[f"{key}_preview_key"] = asked
    result: FileResult = st.session_state[f"{key}_preview"]
    st.markdown(f"**{common.tr('ingest.mapping.page.preview')}**")
    show(result, f"{key}_preview")
    if result.status == "loaded" and kind != "roster":
        st.caption(common.tr("ingest.mapping.page.figures", **result.summary.get("statuses", {})))
    if st.button(common.tr("ingest.mapping.page.confirm"), type="primary", disabled=result.status != "loaded",
                 key=f"{key}_confirm"):
        done = ingest_files(path, [item], branch=branch, actor=actor, allowed_branch_ids=allowed,
                            roster_date=roster_date, mapping=taught, remember=True)[0]
        common.clear_caches()
        if done.status == "loaded":
            st.session_state["up_mapping_done"] = common.tr("ingest.mapping.page.done", file=file,
                                                            name=(done.summary.get("mappings") or ["-"])[0])
            st.session_state.pop("up_preview_key", None)
            st.rerun()
        show(done, f"{key}_done")


def manage(path: Path, me: User) -> None:
    """The committee's list of stored mappings: edit one (name, header row, columns, words) or delete it."""
    st.subheader(common.tr("ingest.mapping.page.list"))
    if "up_mapping_changed" in st.session_state:
        st.success(st.session_state.pop("up_mapping_changed"))
    rows = mapping_store.list_mappings(path, me)
    if not rows:
        st.caption(common.tr("ingest.mapping.page.none_stored"))
        return
    shown = [{"name": r["name"], "branch": r["branch"], "kind": common.tr(f"ingest.kind.{r['kind']}"),
              "header_row": r["header_row"],
              "columns": ", ".join(f"{common.tr(f'ingest.mapping.page.field.{k}')}={v}"
                                   for k, v in sorted(r["columns"].items())),
              "words": ", ".join(f"{w}={common.tr(f'ingest.mapping.meaning.{m}')}" for w, m in sorted(r["words"].items())),
              "created_by": r["created_by"], "created_at": r["created_at"]} for r in rows]
    frame = pl.DataFrame(shown)
    st.dataframe(frame.rename({c: common.tr(f"ingest.mapping.page.col.{c}") for c in frame.columns}),
                 hide_index=True, key="up_mappings")
    pick = st.selectbox(common.tr("ingest.mapping.page.pick"), [r["name"] for r in rows], key="up_mapping_pick")
    row = next(r for r in rows if r["name"] == pick)
    with st.expander(common.tr("ingest.mapping.page.edit", name=pick)):
        new_name = st.text_input(common.tr("ingest.mapping.page.name"), value=row["name"], key=f"up_me_label_{row['id']}")
        header = st.number_input(common.tr("ingest.mapping.page.header_row"), min_value=1, max_value=HEADER_SCAN_ROWS,
                                 value=int(row["header_row"]), key=f"up_me_header_{row['id']}")
        letters = {f: st.text_input(common.tr(f"ingest.mapping.page.field.{f}"), value=row["columns"].get(f, ""),
                                    key=f"up_me_col_{f}_{row['id']}") for f in mapping.KIND_FIELDS[row["kind"]]}
        words = st.data_editor(
            pl.DataFrame({"word": list(row["words"]), "meaning": list(row["words"].values())},
                         schema={"word": pl.String, "meaning": pl.String}),
            num_rows="dynamic", hide_index=True, key=f"up_me_words_{row['id']}",
            column_config={"word": st.column_config.TextColumn(common.tr("ingest.mapping.page.col.word")),
                           "meaning": st.column_config.SelectboxColumn(common.tr("ingest.mapping.page.col.meaning"),
                                                                       options=list(mapping.KIND_MEANINGS[row["kind"]]))})
        left, right = st.columns(2)
        try:
            if left.button(common.tr("ingest.mapping.page.save"), key=f"up_me_save_{row['id']}"):
                cols = {f: mapping.column_index(v) for f, v in letters.items() if v.strip()}
                taught = {str(w): str(m) for w, m in zip(words["word"], words["meaning"], strict=True) if w and m}
                mapping_store.update(path, row["id"], me, name=new_name.strip(), header_row=int(header) - 1,
                                     columns=cols, words=taught)
                st.session_state["up_mapping_changed"] = common.tr("ingest.mapping.page.saved", name=new_name)
                st.rerun()
            if right.button(common.tr("ingest.mapping.page.delete"), key=f"up_me_delete_{row['id']}"):
                mapping_store.delete(path, pick, me)
                st.session_state["up_mapping_changed"] = common.tr("ingest.mapping.page.deleted", name=pick)
                st.rerun()
        except PartydayError as exc:
            common.show_issues(exc.issues)
