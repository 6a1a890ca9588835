"""Refuse what is not a safe ``.xlsx`` before any parser sees it.

Checks, in order, on the bytes alone: size limit; a CFB/OLE container (a password-protected workbook
or a legacy ``.xls``); not a zip at all (a renamed CSV or text file); a macro workbook; then the zip's
own directory: too many parts, uncompressed sizes and compression ratio above the ``[limits]`` of the
rules (a zip bomb), each part actually inflated in chunks with a hard cap so a lying directory cannot
make us use that memory; CRC and truncation errors; DTDs and entities in any XML part (defusedxml
parses the workbook part). Only then does the reader open the file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from pipelines.errors import Issue, error

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
CHUNK = 1 << 20
MB = 1024 * 1024


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


def check(file: str, data: bytes, limits: Limits) -> list[Issue]:
    """The reasons to refuse ``data`` (named ``file``) unread; empty when it is a safe ``.xlsx``."""
    lower = file.lower()
    if len(data) > limits.max_file_bytes:
        return [error("ingest.too_big", file=file, size=_mb(len(data)), limit=f"{limits.file_mb:g}")]
    if len(data) == 0:
        return [error("ingest.empty_file", file=file)]
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in data[:1_000_000] or lower.endswith((".xlsx", ".xlsm")):
            return [error("ingest.encrypted", file=file)]
        return [error("ingest.legacy_xls", file=file)]
    if not data.startswith(ZIP_MAGIC):
        if lower.endswith(".xls"):
            return [error("ingest.legacy_xls", file=file)]
        if _looks_like_text(data):
            return [error("ingest.text_file", file=file)]
        return [error("ingest.not_xlsx", file=file)]
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        return [error("ingest.macro", file=file)]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError):
        return [error("ingest.corrupt", file=file)]
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return [error("ingest.macro", file=file)]
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return [error("ingest.not_xlsx", file=file)]
    if "xl/workbook.bin" in names:
        return [error("ingest.xlsb", file=file)]
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
        content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        workbook = SafeET.fromstring(zf.read("xl/workbook.xml"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError, NotImplementedError,
            RuntimeError):
        return [error("ingest.corrupt", file=file)]
    except DefusedXmlException:
        return [error("ingest.xml_attack", file=file, part="xl/workbook.xml")]
    except SafeET.ParseError:
        return [error("ingest.corrupt", file=file)]
    if b"macroEnabled" in content_types:
        return [error("ingest.macro", file=file)]
    sheets = [el for el in workbook.iter() if el.tag.endswith("}sheet") or el.tag == "sheet"]
    if len(sheets) > limits.max_sheets:
        return [error("ingest.too_many_sheets", file=file, sheets=len(sheets), limit=limits.max_sheets)]
    return []


def _mb(n: int) -> str:
    """Bytes as MB for a message: one decimal, two below 0.1 MB."""
    mb = n / MB
    return f"{mb:.1f}" if mb >= 0.1 else f"{mb:.2f}"


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False
