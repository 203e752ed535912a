"""Reading an import of configuration items (and their relations) and writing its templates.

An import is a workbook whose first sheet (or the sheet named "items") lists items and whose sheet named
"relations" lists relations, or a CSV file of items with an optional second CSV file of relations. The
rules are ``services.items_import``'s; this module only turns files into rows, in openpyxl's read-only
mode so that a large workbook is streamed rather than loaded whole.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from regie.configuration.choices import AttributeKind, ItemStatus, RelationKind
from regie.configuration.models import ItemType
from regie.configuration.services import RELATION_COLUMNS, RELATIONS
from regie.core.sheets import SheetError, read_sheet

ITEMS_SHEET = "items"
ITEM_HEADER = ["type", "identifier", "name", "domain", "status", "owner_team", "owner_person", "description"]
RELATION_HEADER = list(RELATION_COLUMNS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: list[list[str]], sheet: str) -> list[dict[str, str]]:
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    if len(rows) - 1 > settings.REGIE_IMPORT_MAX_ROWS:
        raise SheetError(
            _("The sheet “%(sheet)s” has more than %(limit)s rows.") % {"sheet": sheet, "limit": settings.REGIE_IMPORT_MAX_ROWS}
        )
    header = [h.strip().lower() for h in rows[0]]
    return [{header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]} for row in rows[1:]]


def read_items(data: bytes, filename: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The item rows and the relation rows of an uploaded items file (a CSV file has no relations)."""
    if not (filename or "").lower().endswith(".xlsx"):
        _header, rows = read_sheet(data, filename)
        return rows, []
    if len(data) > settings.REGIE_IMPORT_MAX_BYTES:
        raise SheetError(_("The file is larger than %(limit)s MB.") % {"limit": settings.REGIE_IMPORT_MAX_BYTES // (1024 * 1024)})
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise SheetError(_("The file is not a valid Excel workbook (.xlsx).")) from None
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        first = workbook[names[ITEMS_SHEET]] if ITEMS_SHEET in names else workbook.worksheets[0]
        items = _table([[_cell(c) for c in row] for row in first.iter_rows(values_only=True)], first.title)
        relations: list[dict[str, str]] = []
        if RELATIONS in names and workbook[names[RELATIONS]] is not first:
            sheet = workbook[names[RELATIONS]]
            relations = _table([[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)], sheet.title)
    except (KeyError, ValueError, OSError):
        raise SheetError(_("The file is not a valid Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()
    if not items:
        raise SheetError(_("The items sheet is empty."))
    return items, relations


def read_relations(data: bytes, filename: str) -> list[dict[str, str]]:
    """The relation rows of a separate relations file (CSV, or a workbook's "relations" or first sheet)."""
    if (filename or "").lower().endswith(".xlsx"):
        items, relations = read_items(data, filename)
        return relations or items
    _header, rows = read_sheet(data, filename)
    return rows


def template(item_type: ItemType, kind: str) -> tuple[str, bytes]:
    """An empty import sheet for one type: its columns (the item's own, then the type's attributes), and
    in the workbook a "relations" sheet and a sheet explaining every column."""
    header = ITEM_HEADER + [d["name"] for d in item_type.definitions]
    stem = f"configuration-items-{item_type.code}"
    if kind == "csv":
        from regie.core.sheets import write_csv

        buffer = io.StringIO()
        write_csv(buffer, header, [])
        return f"{stem}.csv", buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    items = workbook.active
    items.title = ITEMS_SHEET
    items.append(header)
    relations = workbook.create_sheet(RELATIONS)
    relations.append(RELATION_HEADER)
    help_sheet = workbook.create_sheet(_("columns")[:31])
    help_sheet.append([_("column"), _("what to write"), _("required")])
    kinds = dict(AttributeKind.choices)
    statuses = ", ".join(value for value, _label in ItemStatus.choices)
    rows = [
        ("type", _("The type's code: %s") % item_type.code, _("yes")),
        ("identifier", _("Unique within the type: host name, asset tag …; an existing item with it is updated"), _("yes")),
        ("name", _("The item's name"), _("yes")),
        ("domain", _("The domain's code (IT, HR, FAC …)"), _("yes")),
        ("status", _("One of: %s (in_use when empty)") % statuses, ""),
        ("owner_team", _("The owner team's code"), ""),
        ("owner_person", _("The owner's email address"), ""),
        ("description", _("Free text"), ""),
    ]
    for d in item_type.definitions:
        what = f"{d['label']} — {kinds.get(d['kind'], d['kind'])}"
        if d.get("choices"):
            what += ": " + ", ".join(d["choices"])
        if d["kind"] == AttributeKind.DATE:
            what += " (YYYY-MM-DD)"
        rows.append((d["name"], what, _("yes") if d.get("required") else ""))
    kinds_text = ", ".join(value for value, _label in RelationKind.choices)
    rows += [
        ("relations: source_type", _("The type code of the item that runs on, depends on or is connected to"), _("yes")),
        ("relations: source_identifier", _("Its identifier"), _("yes")),
        ("relations: kind", _("One of: %s") % kinds_text, _("yes")),
        ("relations: target_type", _("The type code of the item it runs on, depends on or is connected to"), _("yes")),
        ("relations: target_identifier", _("Its identifier"), _("yes")),
    ]
    for row in rows:
        help_sheet.append([str(c) for c in row])
    for sheet in (items, relations, help_sheet):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for column, width in (("A", 28), ("B", 80), ("C", 10)):
        help_sheet.column_dimensions[column].width = width
    data = io.BytesIO()
    workbook.save(data)
    return f"{stem}.xlsx", data.getvalue()
