"""Reading and writing sheets (CSV and Excel) for imports and list exports.

Imports are all-or-nothing: ``read_sheet`` only parses; the importing service validates every row and
writes nothing unless every row is right. Errors name the row (as the user sees it in their sheet,
header = row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, too large, no header ...)."""


@dataclass
class ImportRejected(Exception):
    """Some rows are wrong; nothing was written."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return _("%(count)s problem(s) in the sheet; nothing was imported.") % {"count": len(self.errors)}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(data: bytes, filename: str) -> tuple[list[str], list[dict[str, str]]]:
    """Parse a .csv or .xlsx file into its header (lower-cased) and rows of text cells."""
    if len(data) > settings.REGIE_IMPORT_MAX_BYTES:
        raise SheetError(_("The file is larger than %(limit)s MB.") % {"limit": settings.REGIE_IMPORT_MAX_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _read_csv(data)
    else:
        raise SheetError(_("Upload a .csv or .xlsx file."))
    table = [row for row in table if any(c for c in row)]
    if not table:
        raise SheetError(_("The file is empty."))
    header = [h.strip().lower() for h in table[0]]
    if len(table) - 1 > settings.REGIE_IMPORT_MAX_ROWS:
        raise SheetError(_("The file has more than %(limit)s rows.") % {"limit": settings.REGIE_IMPORT_MAX_ROWS})
    rows = [{header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]} for row in table[1:]]
    return header, rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SheetError(_("The file is not text in UTF-8 or Windows-1252.")) from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as error:
        raise SheetError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise SheetError(_("The file is not a valid Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _guard(str(v)) for v in row])


def _guard(text: str) -> str:
    # A cell that starts like a formula would run in Excel; prefix it so it stays text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    """An .xlsx with a bold frozen header row and filters, columns sized to their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31] or "Export"
    sheet.append(list(header))
    widths = [len(str(h)) for h in header]
    for row in rows:
        values = ["" if v is None else (_guard(v) if isinstance(v, str) else v) for v in row]
        sheet.append(values)
        for i, v in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(v))))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, sheet.max_row)}"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
