"""The page 年度快照 on the demo committee (Streamlit AppTest): take, list, open, check, compare, delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines import auth, db, snapshots
from pipelines.errors import PartydayError

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "snapshots.py")


def signed_in(path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PARTYDAY_DB", str(path))
    session = auth.login(path, name, auth.DEMO_PASSWORD)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["auth_session"] = (session.token, session.expires_at)
    return at


def texts(elements: object) -> list[str]:
    return [str(e.value) for e in elements]  # type: ignore[attr-defined]


def last_year(path: Path) -> int:
    with db.reading(path) as con:
        row = con.execute("select max(year(activity_month)) - 1 from activities").fetchone()
    assert row is not None
    return int(row[0])


def test_take_open_check_compare_delete(copy_demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    year = last_year(copy_demo_db)
    at = signed_in(copy_demo_db, "dangwei", monkeypatch)
    at.run()
    assert not at.exception
    assert at.title[0].value == "年度快照"
    assert texts(at.info) == ["还没有快照。党委账号可在“生成快照”中冻结某一年度或季度的排名。"]

    at.segmented_control(key="snap_section").set_value("take").run()
    at.number_input(key="snap_take_year").set_value(year)
    at.text_input(key="snap_take_name").set_value("=年终排名")
    at.text_area(key="snap_take_note").set_value("党委会审定")
    at.button[0].click().run()
    assert not at.exception
    [done] = texts(at.success)
    assert done.startswith("已生成快照 1：=年终排名（dangwei，")
    # back on the list with the new snapshot open: its ranking shown as stored
    assert at.selectbox(key="snap_pick").value == 1
    with db.reading(copy_demo_db) as con:
        stored = json.loads(con.execute("select rows_json from snapshot_parts where snapshot_id = 1 "
                                        "and part = 'ranking'").fetchone()[0])
    ranking = at.dataframe[1].value
    assert list(ranking["党支部"]) == [r["branch"] for r in stored]
    assert list(ranking["总名次"]) == [r["rank"] for r in stored]

    at.button(key="snap_check").click().run()
    assert not at.exception
    assert texts(at.success) == ["快照 1“=年终排名”可以复现：用其保存的规则配置对当前数据重新计算，排名完全一致。"]
    assert "- 数据指纹未变：快照之后没有新增、更正或撤销的上传。" in texts(at.markdown)

    at.segmented_control(key="snap_view").set_value("recommended").run()
    assert not at.exception
    assert "全委" in list(at.dataframe[1].value["范围"])

    at.segmented_control(key="snap_section").set_value("take").run()
    at.number_input(key="snap_take_year").set_value(year)
    at.button[0].click().run()
    assert texts(at.success)[0].startswith(f"已生成快照 2：{year} 年度排名（dangwei，")

    at.segmented_control(key="snap_section").set_value("compare").run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["各支部名次与得分变化", "各协作区变化"]
    moves = at.dataframe[0].value
    assert len(moves) == 15 and set(moves["原总名次"] - moves["现总名次"]) == {0}

    at.segmented_control(key="snap_section").set_value("list").run()
    at.selectbox(key="snap_pick").set_value(1).run()
    assert "已有更新的同期快照（编号 2），本快照仅供查阅。" in texts(at.info)
    at.button(key="snap_delete").click().run()
    assert not at.exception
    assert texts(at.success) == ["已删除快照 1：=年终排名（删除已记入审计日志）"]
    with db.reading(copy_demo_db) as con:
        assert con.execute("select snapshot_id from snapshots").fetchall() == [(2,)]
        assert con.execute("select actor from audit_log where action = 'snapshot.delete'").fetchall() == [("dangwei",)]


def test_other_roles_are_refused(copy_demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in(copy_demo_db, "viewer", monkeypatch)
    at.run()
    assert at.exception  # the page refuses before showing anything (the shell shows the message)
    assert not at.dataframe and not at.button
    with db.reading(copy_demo_db) as con:
        viewer = auth.get_user(con, "viewer")
    with pytest.raises(PartydayError) as caught:
        snapshots.list_snapshots(copy_demo_db, user=viewer)
    assert caught.value.message("en") == ("User viewer (role viewer) may not open the page snapshots. "
                                          "Ask the committee's administrator if you need it.")


def test_check_shows_what_moved(copy_demo_db: Path, demo_db: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    from test_snapshots import corrected_workbooks

    from pipelines.ingest import ingest_files

    year = last_year(copy_demo_db)
    head = snapshots.take(copy_demo_db, year=year, name="年终排名")
    top = snapshots.show(copy_demo_db, head["id"])["ranking"][0]["branch"]
    [result, *_] = ingest_files(copy_demo_db, corrected_workbooks(demo_db, top, year, tmp_path), actor="branch1")
    at = signed_in(copy_demo_db, "dangwei", monkeypatch)
    at.run()
    at.button(key="snap_check").click().run()
    assert not at.exception
    assert texts(at.error) == ["快照 1“年终排名”已无法复现：用其保存的规则配置对当前数据重新计算，以下支部的名次或得分会变化。"]
    notes = texts(at.markdown)
    assert "- 数据指纹已变：快照之后的上传变动如下。" in notes
    assert any(n.startswith(f"- 新增上传 {result.upload_id}：") for n in notes)
    moved = at.dataframe[1].value  # after the list of snapshots
    assert top in list(moved["党支部"])
    expected = snapshots.check(copy_demo_db, head["id"])["moved"]
    assert list(moved["党支部"]) == [m["branch"] for m in expected]
