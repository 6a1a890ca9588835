"""The blank templates of the upload page: a header row, drop-downs for the status words, an example
row; each one, filled in as it comes, is recognised as its own kind."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from pipelines.ingest import preview_files
from pipelines.ingest.model import KINDS
from pipelines.templates import template, template_name


def test_every_kind_has_a_template_that_reads_back_as_that_kind() -> None:
    for kind in KINDS:
        data = template(kind)
        wb = load_workbook(io.BytesIO(data))
        ws = wb.worksheets[0]
        assert ws["A1"].value  # a title
        if kind != "record":
            assert ws["B2"].value in ("姓名", "党支部", "测评人类别") and ws["A3"].value is not None
        [result] = preview_files([(template_name(kind), data)], branch="运行一党支部")
        assert (result.status, result.kind) == ("loaded", kind), [i.message("en") for i in result.issues]


def test_status_words_come_from_drop_downs() -> None:
    ws = load_workbook(io.BytesIO(template("signin"))).active
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["D3:D203"] == '"√,请假,×"'
    ev = load_workbook(io.BytesIO(template("evaluation"))).active
    assert '"满意,基本满意,不满意"' in {dv.formula1 for dv in ev.data_validations.dataValidation}
