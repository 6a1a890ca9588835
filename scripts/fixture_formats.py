"""The same workbook in the other formats secretaries keep: ``.xls``, ``.xlsm``, ``.xlsb``, ``.ods``, CSV/text,
and the HTML "Excel" export of web systems.

Each writer takes an openpyxl workbook written by ``make_fixtures.py`` and returns the bytes of that
workbook in another format: its sheets, values and merged ranges (what the reader uses), no styles.
``.xls`` is written by xlwt; ``.xlsb`` (no open-source writer exists) and ``.ods`` are assembled here
from their published formats ([MS-XLSB] records, OpenDocument 1.2 ``content.xml``), the least each
format needs to be opened by Excel, LibreOffice and the readers.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

import xlwt
from openpyxl import Workbook

Grid = tuple[str, list[list[Any]], list[tuple[int, int, int, int]]]  # name, rows, merges (0-based r0,c0,r1,c1)


def grids(wb: Workbook) -> list[Grid]:
    """Every sheet's values and merged ranges."""
    out = []
    for ws in wb.worksheets:
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append((ws.title, values, merges))
    return out


def to_xls(wb: Workbook) -> bytes:
    """Excel 97-2003 (BIFF8), as old templates and WPS save it."""
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, values, merges in grids(wb):
        ws = book.add_sheet(name)
        tops = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
        covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if (i, j) in tops:
                    r1, c1 = tops[(i, j)]
                    ws.write_merge(i, r1, j, c1, v)
                elif (i, j) in covered or v is None:
                    continue
                elif isinstance(v, (datetime, date)):
                    ws.write(i, j, v, date_style)
                else:
                    ws.write(i, j, v)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_xlsm(wb: Workbook) -> bytes:
    """A macro-enabled workbook: the macro content type and a VBA project part (never to be run or read)."""
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                    b'vnd.ms-office.vbaProject"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            dst.writestr(info, data)
        # Not a real VBA project: a reader that tried to parse or run it would fail the test.
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub AutoOpen(): Shell \"calc\"" * 8)
    return out.getvalue()


# --- .xlsb: [MS-XLSB] records -------------------------------------------------------------------------

def _varint(n: int) -> bytes:
    """A BIFF12 record type or size: 7 bits per byte, the high bit set on all but the last."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: its type and size as 7-bit variable-length integers, then its data."""
    return _varint(kind) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    """An XLWideString: character count, then UTF-16LE."""
    raw = text.encode("utf-16-le")
    return struct.pack("<I", len(raw) // 2) + raw


def _cells(values: list[list[Any]]) -> Iterator[bytes]:
    for i, row in enumerate(values):
        cells = [(j, v) for j, v in enumerate(row) if v is not None]
        if not cells:
            continue
        # BrtRowHdr: row, style, height (15 pt), flags, no column spans.
        yield _record(0x0000, struct.pack("<IIHHBI", i, 0, 300, 0, 0, 0))
        for j, v in cells:
            cell = struct.pack("<II", j, 0)
            if isinstance(v, bool):
                yield _record(0x0004, cell + bytes([v]))                      # BrtCellBool
            elif isinstance(v, (int, float)):
                yield _record(0x0005, cell + struct.pack("<d", float(v)))     # BrtCellReal
            elif isinstance(v, (datetime, date)):
                yield _record(0x0006, cell + _wide(v.strftime("%Y-%m-%d")))  # BrtCellSt (as text)
            else:
                yield _record(0x0006, cell + _wide(str(v)))                  # BrtCellSt (inline string)


def _xlsb_sheet(values: list[list[Any]], merges: list[tuple[int, int, int, int]]) -> bytes:
    height = max(len(values), 1)
    width = max((len(r) for r in values), default=1)
    parts = [_record(0x0081),                                                   # BrtBeginSheet
             _record(0x0094, struct.pack("<IIII", 0, height - 1, 0, width - 1)),  # BrtWsDim
             _record(0x0091), *_cells(values), _record(0x0092)]                  # sheet data
    if merges:
        parts.append(_record(0x00B1, struct.pack("<I", len(merges))))            # BrtBeginMergeCells
        parts += [_record(0x00B0, struct.pack("<IIII", r0, r1, c0, c1)) for r0, c0, r1, c1 in merges]
        parts.append(_record(0x00B2))
    parts.append(_record(0x0082))                                               # BrtEndSheet
    return b"".join(parts)


def to_xlsb(wb: Workbook) -> bytes:
    """Excel binary workbook (.xlsb): a zip of BIFF12 record streams."""
    sheets = grids(wb)
    book = [_record(0x0083), _record(0x008F)]
    for n, (name, _, _) in enumerate(sheets, start=1):
        book.append(_record(0x009C, struct.pack("<II", 0, n) + _wide(f"rId{n}") + _wide(name)))  # BrtBundleSh
    book += [_record(0x0090), _record(0x0084)]
    ns = "http://schemas.openxmlformats.org"
    types = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
             f'<Types xmlns="{ns}/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
             + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.bin" ContentType="application/'
                       f'vnd.ms-excel.worksheet"/>' for n in range(1, len(sheets) + 1))
             + "</Types>")
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.bin"/></Relationships>')
    book_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                 + "".join(f'<Relationship Id="rId{n}" Type="{ns}/officeDocument/2006/relationships/worksheet" '
                           f'Target="worksheets/sheet{n}.bin"/>' for n in range(1, len(sheets) + 1))
                 + "</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.bin", b"".join(book))
        z.writestr("xl/_rels/workbook.bin.rels", book_rels)
        for n, (_, values, merges) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{n}.bin", _xlsb_sheet(values, merges))
    return out.getvalue()


# --- .ods: OpenDocument spreadsheet ---------------------------------------------------------------------

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods_cell(v: Any, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span:
        attrs = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if v is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(v, bool):
        return f'<table:table-cell{attrs} office:value-type="boolean" office:boolean-value="{str(v).lower()}"/>'
    if isinstance(v, (int, float)):
        return (f'<table:table-cell{attrs} office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    if isinstance(v, (datetime, date)):
        iso = v.strftime("%Y-%m-%d")
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>")
    return f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def to_ods(wb: Workbook) -> bytes:
    """OpenDocument spreadsheet (.ods), as LibreOffice and WPS save it."""
    tables = []
    for name, values, merges in grids(wb):
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
        covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0)}
        width = max((len(r) for r in values), default=0)
        rows = []
        for i, row in enumerate(values):
            row = list(row) + [None] * (width - len(row))
            cells = ["<table:covered-table-cell/>" if (i, j) in covered else _ods_cell(v, spans.get((i, j)))
                     for j, v in enumerate(row)]
            rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">' + "".join(rows) + "</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               "<office:body><office:spreadsheet>" + "".join(tables)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- text exports ------------------------------------------------------------------------------------------

def to_text(wb: Workbook, encoding: str, delimiter: str = ",") -> bytes:
    """The first sheet as Excel's text exports write it: CSV (UTF-8, UTF-8 with BOM, GBK) or "Unicode
    text" (UTF-16 with its byte order mark, tab-separated). Merged cells are written once, as Excel does."""
    _, values, _ = grids(wb)[0]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in values:
        w.writerow(["" if v is None else v.strftime("%Y/%m/%d") if isinstance(v, (datetime, date)) else v
                    for v in row])
    return buf.getvalue().encode(encoding)


def to_html(wb: Workbook, encoding: str = "utf-8") -> bytes:
    """The first sheet as web systems export their "Excel" files: an HTML table named ``.xls``, merged cells
    as ``rowspan``/``colspan``, the charset in a meta tag."""
    _, values, merges = grids(wb)[0]
    covered: dict[tuple[int, int], tuple[int, int] | None] = {}
    for r0, c0, r1, c1 in merges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(r, c)] = None
        covered[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
    out = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}"></head><body>'
           '<table border="1">']
    for r, row in enumerate(values):
        out.append("<tr>")
        for c, v in enumerate(row):
            if (r, c) in covered and covered[(r, c)] is None:
                continue
            span = covered.get((r, c))
            attrs = f' rowspan="{span[0]}" colspan="{span[1]}"' if span else ""
            text = "" if v is None else v.strftime("%Y-%m-%d") if isinstance(v, (datetime, date)) else str(v)
            out.append(f"<td{attrs}>{escape(text)}</td>")
        out.append("</tr>\n")
    out.append("</table></body></html>")
    return "".join(out).encode(encoding)


def encrypt(data: bytes, password: str) -> bytes:
    """The workbook protected with an opening password (ECMA-376 agile encryption, as Excel does it)."""
    import msoffcrypto.format.ooxml

    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()
