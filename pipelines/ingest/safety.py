"""Refuse what is not a safe spreadsheet before any parser sees it, and say what format it is.

The format is told by the bytes, never by the file's name (a CSV renamed ``.xlsx``, an ``.xls`` renamed
``.xlsx`` are read as what they are). Checks, in order, on the bytes alone:

- size limit; an empty file;
- an OLE compound file (``.xls``): its directory parsed (olefile) with a cap on the streams' total size;
  an encrypted package (a password-protected ``.xlsx``/``.xlsb``) or an ``.xls`` with a password
  (BIFF ``FILEPASS`` record) is refused as encrypted; a compound file without a workbook stream (a Word
  ``.doc``) is not a spreadsheet;
- a zip (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.ods``): too many parts, uncompressed sizes and compression
  ratio above the ``[limits]`` of the rules (a zip bomb); each part actually inflated in chunks with a
  hard cap so a lying directory cannot make us use that memory; CRC and truncation errors; DTDs and
  entities in any XML part; the sheet count from the workbook part (defusedxml). VBA projects
  (``vbaProject.bin``) are counted in the sizes but never inflated, parsed or run: a macro workbook is
  read for its values only. A zip holding none of the workbook parts (a ``.docx``) is not a spreadsheet;
- text: ``.csv``/``.txt`` exports, and web pages holding a table (the ``.xls`` files many web systems
  export are HTML), read as one sheet by ``read.py``; a web page or XML file without a table is named as
  such;
- anything else (a PDF, a picture) is not a spreadsheet.

Only then does the reader open the file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from struct import error as struct_error
from typing import Any

import olefile
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from pipelines.errors import Issue, error

# The names the upload page offers in its file dialog (what the bytes are decides how a file is read).
UPLOAD_SUFFIXES = ("xlsx", "xltx", "xlsm", "xltm", "xls", "xlt", "et", "xlsb", "ods", "csv", "txt")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
CHUNK = 1 << 20
MB = 1024 * 1024
BIFF_BOF, BIFF_FILEPASS, BIFF_EOF = 0x0809, 0x002F, 0x000A
VBA_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
WORD_PARTS = ("word/document.xml", "ppt/presentation.xml")


@dataclass(frozen=True)
class Limits:
    """The ``[limits]`` section of the rules, in bytes and counts."""

    max_file_bytes: int
    max_uncompressed_bytes: int
    max_ratio: float
    max_sheets: int
    max_rows: int
    max_cells: int
    file_mb: float = 0.0          # the limits as the rules state them (for messages)
    uncompressed_mb: float = 0.0

    @classmethod
    def from_rules(cls, rules: Any) -> Limits:
        """Read the limits from a :class:`pipelines.config.Rules`."""
        return cls(int(rules.get("limits.max_file_mb") * MB), int(rules.get("limits.max_uncompressed_mb") * MB),
                   float(rules.get("limits.max_compression_ratio")), int(rules.get("limits.max_sheets")),
                   int(rules.get("limits.max_rows_per_sheet")), int(rules.get("limits.max_cells")),
                   float(rules.get("limits.max_file_mb")), float(rules.get("limits.max_uncompressed_mb")))


def sniff(data: bytes) -> str:
    """The container the bytes are, whatever the name says: ``ole``, ``zip``, ``text`` or ``other``."""
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(ZIP_MAGIC):
        return "zip"
    return "text" if looks_like_text(data) else "other"


def check(file: str, data: bytes, limits: Limits) -> list[Issue]:
    """The reasons to refuse ``data`` (named ``file``) unread; empty when it is a spreadsheet safe to read."""
    if len(data) > limits.max_file_bytes:
        return [error("ingest.too_big", file=file, size=_mb(len(data)), limit=f"{limits.file_mb:g}")]
    if len(data) == 0:
        return [error("ingest.empty_file", file=file)]
    if data.startswith(b"%PDF"):
        return [error("ingest.pdf", file=file)]
    kind = sniff(data)
    if kind == "ole":
        return _check_ole(file, data, limits)
    if kind == "zip":
        return _check_zip(file, data, limits)
    if kind == "text":
        if is_markup(data) and not (is_html(data) and has_table(data)):
            return [error("ingest.web_page", file=file)]
        return []
    return [error("ingest.not_spreadsheet", file=file)]


def _check_ole(file: str, data: bytes, limits: Limits) -> list[Issue]:
    """An ``.xls`` workbook, an encrypted OOXML package, or another compound file."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, IndexError, struct_error, RecursionError):
        return [error("ingest.corrupt", file=file)]
    try:
        streams = {"/".join(p).lower(): p for p in ole.listdir(streams=True, storages=False)}
        if len(streams) > 20 * limits.max_sheets + 100:
            return [error("ingest.corrupt", file=file)]
        total = sum(ole.get_size(p) for p in streams.values())
        if total > limits.max_uncompressed_bytes:
            return [error("ingest.ole_too_big", file=file, size=round(total / MB),
                          limit=round(limits.max_uncompressed_bytes / MB))]
        if "encryptioninfo" in streams or "encryptedpackage" in streams:
            return [error("ingest.encrypted", file=file)]
        book = streams.get("workbook") or streams.get("book")
        if book is None:
            if "worddocument" in streams:
                return [error("ingest.word", file=file)]
            return [error("ingest.not_spreadsheet", file=file)]
        if _biff_has_password(ole.openstream(book).read(64 * 1024)):
            return [error("ingest.encrypted", file=file)]
    except (OSError, ValueError, IndexError, struct_error, RecursionError):
        return [error("ingest.corrupt", file=file)]
    finally:
        ole.close()
    return []


def _biff_has_password(head: bytes) -> bool:
    """A FILEPASS record in the workbook globals (before their EOF): the ``.xls`` has an opening password."""
    pos = 0
    while pos + 4 <= len(head):
        kind = int.from_bytes(head[pos:pos + 2], "little")
        size = int.from_bytes(head[pos + 2:pos + 4], "little")
        if kind == BIFF_FILEPASS:
            return True
        if kind == BIFF_EOF:
            return False
        pos += 4 + size
    return False


def _check_zip(file: str, data: bytes, limits: Limits) -> list[Issue]:
    """``.xlsx``/``.xlsm``/``.xlsb``/``.ods``: bombs, damage and XML attacks, then the sheet count."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError):
        return [error("ingest.corrupt", file=file)]
    names = {i.filename for i in infos}
    book = next((n for n in ("xl/workbook.xml", "xl/workbook.bin", "content.xml") if n in names), None)
    if book is None:
        if any(p in names for p in WORD_PARTS):
            return [error("ingest.word", file=file)]
        return [error("ingest.not_spreadsheet", file=file)]
    if len(infos) > 20 * limits.max_sheets + 100:
        return [error("ingest.zip_bomb", file=file, size=len(infos), limit=round(limits.max_uncompressed_bytes / MB))]
    declared = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if declared > limits.max_uncompressed_bytes:
        return [error("ingest.zip_bomb", file=file, size=round(declared / MB), limit=round(limits.max_uncompressed_bytes / MB))]
    if declared > MB and declared / packed > limits.max_ratio:
        return [error("ingest.zip_ratio", file=file, ratio=round(declared / packed), limit=round(limits.max_ratio))]
    # Inflate every part with a cap: the directory may lie about sizes; CRC errors mean a damaged file.
    total = 0
    try:
        for info in infos:
            if info.filename.rsplit("/", 1)[-1].lower() in VBA_PARTS:
                continue  # macros are never read: their declared size is counted above
            seen = 0
            head = b""
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    if not head:
                        head = chunk[:4096]
                    seen += len(chunk)
                    total += len(chunk)
                    if seen > info.file_size or total > limits.max_uncompressed_bytes:
                        return [error("ingest.zip_bomb", file=file, size=round(total / MB),
                                      limit=round(limits.max_uncompressed_bytes / MB))]
            if info.filename.endswith((".xml", ".rels")) and (b"<!DOCTYPE" in head or b"<!ENTITY" in head):
                return [error("ingest.xml_attack", file=file, part=info.filename)]
        if book == "content.xml":
            manifest = zf.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                return [error("ingest.encrypted", file=file)]
        if book == "xl/workbook.bin":
            return []  # the binary workbook's sheets are counted by the reader
        root = SafeET.fromstring(zf.read(book))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, NotImplementedError,
            RuntimeError):
        return [error("ingest.corrupt", file=file)]
    except DefusedXmlException:
        return [error("ingest.xml_attack", file=file, part=book)]
    except SafeET.ParseError:
        return [error("ingest.corrupt", file=file)]
    tag = "}table" if book == "content.xml" else "}sheet"
    sheets = sum(1 for el in root.iter() if el.tag.endswith(tag) or el.tag == tag[1:])
    if sheets > limits.max_sheets:
        return [error("ingest.too_many_sheets", file=file, sheets=sheets, limit=limits.max_sheets)]
    return []


def _mb(n: int) -> str:
    """Bytes as MB for a message: one decimal, two below 0.1 MB."""
    mb = n / MB
    return f"{mb:.1f}" if mb >= 0.1 else f"{mb:.2f}"


def text_encoding(data: bytes) -> str | None:
    """The encoding of a text export, told by its byte order mark or by what decodes strictly (UTF-8 first,
    then GB18030, the superset of GBK and GB2312); None when the bytes are not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:65536]
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return enc
        except UnicodeDecodeError as exc:
            if len(data) > len(head) and exc.start >= len(head) - 4:
                return enc  # a character cut at the end of the sample
            continue
    return None


def _head(data: bytes) -> str:
    """The first characters of a text file, lower case, without a byte order mark or leading blanks."""
    enc = text_encoding(data) or "latin-1"
    return data[:4096].decode(enc, errors="ignore").lstrip("\ufeff \t\r\n").lower()


def is_markup(data: bytes) -> bool:
    """A web page or an XML file rather than a CSV."""
    return _head(data).startswith(("<!doctype", "<html", "<table", "<?xml", "<meta", "<head", "<body", "<style"))


def is_html(data: bytes) -> bool:
    """A web page (as web systems export their "Excel" files), not another XML."""
    head = _head(data)
    return is_markup(data) and (not head.startswith("<?xml") or "<html" in head)


def has_table(data: bytes) -> bool:
    """Whether the page holds a table (read as a sheet); a page without one is refused."""
    enc = text_encoding(data) or "latin-1"
    return "<table" in data.decode(enc, errors="ignore").lower()


def looks_like_text(data: bytes) -> bool:
    """Whether the bytes are a text file in one of the encodings we read."""
    return text_encoding(data) is not None
