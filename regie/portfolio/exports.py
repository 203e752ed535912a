"""The portfolio as a steering-committee deck (.pptx) and as a workbook (.xlsx).

Both functions are pure: they turn a list of projects the caller has already filtered (and checked the
user may see) into the bytes of a file, rendered in the active language. They read only what the caller
loaded with the projects, so a deck of 500 projects costs no more queries than a deck of 5. The caller
passes projects loaded like this (``regie.portfolio.selectors.for_export`` does the prefetch)::

    Project.objects.select_related(
        "portfolio", "programme", "current_phase", "project_manager", "sponsor", "latest_report", "latest_report__previous"
    ).prefetch_related(
        Prefetch(
            "gate_conditions",
            queryset=GateCondition.objects.filter(status="open", archived_at__isnull=True).select_related("owner"),
            to_attr="open_conditions",
        )
    )

A project without the ``open_conditions`` attribute still works: its open conditions are then read
with one query for that project.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from regie.core.sheets import _guard
from regie.portfolio.choices import DIMENSIONS, ActionStatus, Rag

if TYPE_CHECKING:
    from regie.portfolio.models import GateCondition, Project, StatusReport

Progress = Callable[[int, int], None]

#: RAG colours (hex RGB), with white text on each.
RAG_COLOURS = {Rag.GREEN.value: "2FB344", Rag.AMBER.value: "F59F00", Rag.RED.value: "D63939"}
#: How a RAG compares: higher is better.

#: Projects in the summary table of one summary slide; more continue on further summary slides.
SUMMARY_ROWS_PER_SLIDE = 18
#: Longest texts on a project slide, in characters (longer texts end with an ellipsis).
SUMMARY_CHARS = 600
RATIONALE_CHARS = 140
BOX_CHARS = 350
#: Open gate conditions listed on a project slide; the rest are counted.
CONDITIONS_SHOWN = 3
MILESTONES_SHOWN = 3  # the coming milestones of the latest report on a project's slide

# Characters that XML (and so both file formats) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel refuses text longer than this in one cell.
_EXCEL_CELL_CHARS = 32_000

_DARK = "1F2937"
_MUTED = "6B7280"
_HEADER_FILL = "374151"
_BAND_FILL = "F3F4F6"
_NO_REPORT_FILL = "9CA3AF"


# Shared helpers ----------------------------------------------------------------------------------------


def _clean(text: Any) -> str:
    """Text as a file may hold it: no control characters, Windows line ends made plain."""
    if text is None:
        return ""
    return _ILLEGAL_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def clip(text: Any, limit: int, max_lines: int | None = None) -> str:
    """``text`` shortened to at most ``limit`` characters and ``max_lines`` non-empty lines, cut at a
    word boundary where there is one, ending with an ellipsis when anything was left out."""
    lines = [line.strip() for line in _clean(text).strip().split("\n") if line.strip()]
    cut = False
    if max_lines is not None and len(lines) > max_lines:
        lines, cut = lines[:max_lines], True
    result = "\n".join(lines)
    if len(result) > limit:
        result, cut = result[: limit - 1], True
        space = max(result.rfind(" "), result.rfind("\n"))
        if space > limit * 0.6:
            result = result[:space]
        result = result.rstrip(" ,;:.-\n")
    return result + "…" if cut else result


def _open_conditions(project: Project) -> list[GateCondition]:
    conditions = getattr(project, "open_conditions", None)
    if conditions is None:
        conditions = list(
            project.gate_conditions.filter(status=ActionStatus.OPEN, archived_at__isnull=True)
            .select_related("owner")
            .order_by("due_date", "id")
        )
    return list(conditions)


def _day(value: date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _rag_word(rag: str | None) -> str:
    return str(capfirst(Rag(rag).label)) if rag in RAG_COLOURS else ""


def _person(person: Any) -> str:
    return str(person) if person is not None else ""


def _phase_name(project: Project) -> str:
    return project.current_phase.name if project.current_phase_id and project.current_phase else ""


def _is_overdue(project: Project, today: date) -> bool:
    return project.report_due is not None and project.report_due < today


def _period(report: StatusReport | None) -> str:
    if report is None:
        return ""
    return f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d}"


def trend(report: StatusReport | None) -> str:
    """The overall RAG against the previous report's: "better", "worse" or "same" (translated), or an
    empty string without a previous report."""
    from regie.portfolio.selectors import trend as overall_trend

    words = {"better": _("better"), "worse": _("worse"), "same": _("same")}
    return words.get(overall_trend(report, "overall"), "") if report is not None and report.previous_id else ""


# The deck ----------------------------------------------------------------------------------------------


def build_deck(projects: Sequence[Project], *, title: str, progress: Progress | None = None) -> bytes:
    """A steering-committee deck (16:9): summary slide(s) of the whole list, then one slide per project
    with its latest status report. ``projects`` are loaded as the module's docstring describes.
    ``progress(done, total)`` is called after each project slide."""
    from pptx import Presentation
    from pptx.util import Inches

    projects = list(projects)
    deck = Presentation()
    deck.slide_width = Inches(13.333)
    deck.slide_height = Inches(7.5)
    today = timezone.localdate()

    _summary_slides(deck, projects, title=title, today=today)
    total = len(projects)
    for done, project in enumerate(projects, start=1):
        _project_slide(deck, project, today=today)
        if progress is not None:
            progress(done, total)

    properties = deck.core_properties
    now = datetime.now(UTC).replace(tzinfo=None)
    properties.title = clip(title, 250)
    properties.subject = _("Portfolio status")
    properties.author = "Regie"
    properties.last_modified_by = "Regie"
    properties.comments = ""
    properties.keywords = ""
    properties.language = get_language() or ""
    properties.created = now
    properties.modified = now
    properties.revision = 1
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


def _write(frame: Any, paragraphs: Sequence[tuple[str, float, bool, str]], *, align: Any = None) -> None:
    """Fill a text frame with (text, size in pt, bold, colour) paragraphs, wrapped, never auto-sized."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    frame.clear()
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for index, (text, size, bold, colour) in enumerate(paragraphs or [("", 10, False, _DARK)]):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = _clean(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = _rgb(colour)


def _title(slide: Any, text: str, subtitle: str = "") -> None:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(0.4), Inches(0.25), Inches(12.53), Inches(0.75)
    _write(shape.text_frame, [(clip(text, 110), 26, True, _DARK)], align=PP_ALIGN.LEFT)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    if subtitle:
        box = slide.shapes.add_textbox(Inches(0.4), Inches(1.0), Inches(12.53), Inches(0.35))
        _write(box.text_frame, [(clip(subtitle, 190, 1), 12, False, _MUTED)])


def _text_box(slide: Any, left: float, top: float, width: float, height: float, heading: str, lines: Sequence[str]) -> Any:
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    _write(box.text_frame, [(heading, 13, True, _DARK)] + [(line, 10, False, _DARK) for line in lines])
    return box


def _style_cell(
    cell: Any, text: str, *, size: float = 10, bold: bool = False, fill: str | None = None, colour: str = _DARK
) -> None:
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Inches

    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill)
    else:
        cell.fill.background()
    _write(cell.text_frame, [(text, size, bold, colour)])


def _table(slide: Any, top: float, widths: Sequence[float], header: Sequence[str], row_height: float, rows: int) -> Any:
    """An empty table of ``rows`` body rows under a dark header row, at the left margin."""
    from pptx.util import Inches

    shape = slide.shapes.add_table(
        rows + 1, len(widths), Inches(0.4), Inches(top), Inches(sum(widths)), Inches(0.32 + rows * row_height)
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = Inches(width)
    table.rows[0].height = Inches(0.32)
    for index in range(1, rows + 1):
        table.rows[index].height = Inches(row_height)
    for index, text in enumerate(header):
        _style_cell(table.cell(0, index), text, bold=True, fill=_HEADER_FILL, colour="FFFFFF")
    return table


def _rag_cell(cell: Any, rag: str | None, *, empty: str = "") -> None:
    if rag in RAG_COLOURS:
        _style_cell(cell, _rag_word(rag), bold=True, fill=RAG_COLOURS[rag], colour="FFFFFF")
    else:
        _style_cell(cell, empty, colour=_MUTED)


def _summary_slides(deck: Any, projects: list[Project], *, title: str, today: date) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    layout = deck.slide_layouts[5]  # "Title Only"
    rag_counts = dict.fromkeys(RAG_COLOURS, 0)
    without_report = 0
    phases: dict[str, list[int]] = {}
    for project in projects:
        report = project.latest_report
        if report is not None and report.overall in rag_counts:
            rag_counts[report.overall] += 1
        else:
            without_report += 1
        name = _phase_name(project) or _("No phase")
        order = project.current_phase.order if project.current_phase_id and project.current_phase else 10_000
        entry = phases.setdefault(name, [order, 0])
        entry[0], entry[1] = min(entry[0], order), entry[1] + 1

    pages = max(1, math.ceil(len(projects) / SUMMARY_ROWS_PER_SLIDE))
    for page in range(pages):
        slide = deck.slides.add_slide(layout)
        count = _("%(count)s projects") % {"count": len(projects)}
        heading = (
            title
            if page == 0
            else _("%(title)s (continued, %(page)s of %(pages)s)")
            % {
                "title": clip(title, 80),
                "page": page + 1,
                "pages": pages,
            }
        )
        _title(slide, heading, f"{date_format(today, 'DATE_FORMAT')} · {count}")
        if page == 0:
            boxes = [(_rag_word(rag), rag_counts[rag], colour) for rag, colour in RAG_COLOURS.items()]
            boxes.append((_("No report"), without_report, _NO_REPORT_FILL))
            for index, (label, number, colour) in enumerate(boxes):
                shape = slide.shapes.add_shape(
                    MSO_SHAPE.ROUNDED_RECTANGLE, Inches(0.4 + index * 1.55), Inches(1.45), Inches(1.4), Inches(0.85)
                )
                shape.fill.solid()
                shape.fill.fore_color.rgb = _rgb(colour)
                shape.line.fill.background()
                _write(
                    shape.text_frame,
                    [(str(number), 22, True, "FFFFFF"), (clip(label, 20, 1), 10, False, "FFFFFF")],
                    align=PP_ALIGN.CENTER,
                )
                shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            by_phase = sorted(phases.items(), key=lambda item: (item[1][0], item[0]))
            phase_text = " · ".join(f"{name}: {order_count[1]}" for name, order_count in by_phase)
            _text_box(slide, 6.7, 1.4, 6.23, 0.95, _("Projects per phase"), [clip(phase_text, 260, 3) or "—"])
        rows = projects[page * SUMMARY_ROWS_PER_SLIDE : (page + 1) * SUMMARY_ROWS_PER_SLIDE]
        top = 2.5 if page == 0 else 1.5
        header = [_("Code"), _("Name"), _("Phase"), _("Overall"), _("Next report due")]
        table = _table(slide, top, [1.4, 5.3, 2.5, 1.3, 2.03], header, 0.25, len(rows))
        for index, project in enumerate(rows, start=1):
            report = project.latest_report
            _style_cell(table.cell(index, 0), clip(project.code, 16), bold=True)
            _style_cell(table.cell(index, 1), clip(project.name, 70, 1))
            _style_cell(table.cell(index, 2), clip(_phase_name(project), 30, 1))
            _rag_cell(table.cell(index, 3), report.overall if report is not None else None, empty=_("No report"))
            due = _day(project.report_due)
            if _is_overdue(project, today):
                _style_cell(table.cell(index, 4), _("%(date)s (overdue)") % {"date": due}, bold=True, colour=RAG_COLOURS[Rag.RED])
            else:
                _style_cell(table.cell(index, 4), due if project.report_due else "")
            if index % 2 == 0:
                for column in (0, 1, 2, 4):
                    cell = table.cell(index, column)
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb(_BAND_FILL)


def _project_slide(deck: Any, project: Project, *, today: date) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    report = project.latest_report
    where = " / ".join(str(part) for part in (project.portfolio, project.programme) if part is not None)
    facts = [where]
    if project.project_manager_id:
        facts.append(_("Project manager: %(name)s") % {"name": _person(project.project_manager)})
    if project.sponsor_id:
        facts.append(_("Sponsor: %(name)s") % {"name": _person(project.sponsor)})
    if report is not None:
        facts.append(_("Report: %(period)s") % {"period": _period(report)})
    _title(slide, f"{project.code} {project.name}", " · ".join(fact for fact in facts if fact))

    if report is None:
        _text_box(slide, 0.4, 1.5, 7.6, 1.0, _("Status"), [_("No status report submitted yet.")])
    else:
        table = _table(slide, 1.5, [1.5, 1.1, 5.0], [_("Dimension"), _("Status"), _("Rationale")], 0.4, 1 + len(DIMENSIONS))
        for index, (_name, label, rag, rationale) in enumerate(report.ratings(), start=1):
            _style_cell(table.cell(index, 0), str(label), bold=index == 1)
            _rag_cell(table.cell(index, 1), rag)
            _style_cell(table.cell(index, 2), clip(rationale, RATIONALE_CHARS, 2), size=9)
        _text_box(slide, 0.4, 4.85, 7.6, 2.4, _("Summary"), clip(report.summary, SUMMARY_CHARS, 10).split("\n"))

    key_dates = [
        _("Planned start: %(date)s") % {"date": _day(project.planned_start)},
        _("Planned end: %(date)s") % {"date": _day(project.planned_end)},
        _("Current phase: %(phase)s") % {"phase": _phase_name(project) or "—"},
    ]
    if project.report_due:
        due = _day(project.report_due)
        key_dates.append(
            _("Next report due: %(date)s (overdue)") % {"date": due}
            if _is_overdue(project, today)
            else _("Next report due: %(date)s") % {"date": due}
        )
    coming = [m for m in (report.milestones if report is not None else []) if not m.get("done")][:MILESTONES_SHOWN]
    for milestone in coming:
        late = milestone.get("variance_days")
        key_dates.append(
            _("%(milestone)s: %(date)s (%(days)s working days late)")
            % {"milestone": clip(milestone["name"], 40, 1), "date": milestone["finish"], "days": f"{late:g}"}
            if late and late > 0
            else _("%(milestone)s: %(date)s") % {"milestone": clip(milestone["name"], 40, 1), "date": milestone["finish"]}
        )
    conditions = _open_conditions(project)
    if conditions:
        key_dates.append(_("Open gate conditions:"))
        for condition in conditions[:CONDITIONS_SHOWN]:
            key_dates.append(
                "• "
                + _("%(condition)s (%(owner)s, due %(date)s)")
                % {
                    "condition": clip(condition.description, 50, 1),
                    "owner": _person(condition.owner),
                    "date": _day(condition.due_date),
                }
            )
        if len(conditions) > CONDITIONS_SHOWN:
            key_dates.append(_("and %(count)s more") % {"count": len(conditions) - CONDITIONS_SHOWN})
    else:
        key_dates.append(_("Open gate conditions: none"))
    _text_box(slide, 8.3, 1.45, 4.63, 2.15, _("Key dates"), key_dates)

    if report is not None:
        risks = clip(report.top_risks, BOX_CHARS, 6) or "—"
        decisions = clip(report.decisions_needed, BOX_CHARS, 6) or "—"
        _text_box(slide, 8.3, 3.7, 4.63, 1.75, _("Top risks and issues"), risks.split("\n"))
        _text_box(slide, 8.3, 5.5, 4.63, 1.75, _("Decisions needed"), decisions.split("\n"))


# The workbook ------------------------------------------------------------------------------------------


def build_workbook(projects: Sequence[Project], *, progress: Progress | None = None) -> bytes:
    """A workbook with one row per project ("Portfolio") and the latest report's texts per project
    ("Status reports"). ``projects`` are loaded as the module's docstring describes; open gate
    conditions are not read. ``progress(done, total)`` is called after each project's row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    projects = list(projects)
    today = timezone.localdate()
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = _sheet_title(_("Portfolio"), "Portfolio")
    header = [
        _("Code"),
        _("Name"),
        _("Portfolio"),
        _("Programme"),
        _("Phase"),
        _("Project manager"),
        _("Sponsor"),
        _("Planned start"),
        _("Planned end"),
        _("Overall"),
        *[str(label) for _name, label in DIMENSIONS],
        _("Trend"),
        _("Period"),
        _("Report due"),
        _("Overdue"),
        _("Expected costs"),
        _("Currency"),
    ]
    rag_columns = range(10, 11 + len(DIMENSIONS))  # 1-based: overall and the dimensions
    date_columns = {8, 9, 10 + len(DIMENSIONS) + 3}
    costs_column = len(header) - 1
    sheet.append(header)
    fills = {rag: PatternFill("solid", fgColor=colour) for rag, colour in RAG_COLOURS.items()}
    white = Font(bold=True, color="FFFFFF")
    total = len(projects)
    for done, project in enumerate(projects, start=1):
        report = project.latest_report
        rags = [report.overall, *(getattr(report, name) for name, _label in DIMENSIONS)] if report is not None else []
        overdue = "" if project.report_due is None else (_("yes") if _is_overdue(project, today) else _("no"))
        row: list[Any] = [
            project.code,
            project.name,
            project.portfolio.name if project.portfolio_id else "",
            project.programme.name if project.programme_id and project.programme else "",
            _phase_name(project),
            _person(project.project_manager if project.project_manager_id else None),
            _person(project.sponsor if project.sponsor_id else None),
            project.planned_start,
            project.planned_end,
            *([_rag_word(rag) for rag in rags] or [""] * (1 + len(DIMENSIONS))),
            trend(report),
            _period(report),
            project.report_due,
            overdue,
            project.expected_costs,
            project.currency,
        ]
        sheet.append([_cell_value(value) for value in row])
        line = sheet.max_row
        for offset, rag in enumerate(rags):
            if rag in fills:
                cell = sheet.cell(row=line, column=rag_columns[offset])
                cell.fill, cell.font = fills[rag], white
        for column in date_columns:
            sheet.cell(row=line, column=column).number_format = "yyyy-mm-dd"
        sheet.cell(row=line, column=costs_column).number_format = "#,##0.00"
        if progress is not None:
            progress(done, total)
    _finish_sheet(sheet, header, wide={2: 40})

    texts = workbook.create_sheet(_sheet_title(_("Status reports"), "Status reports"))
    text_header = [
        _("Code"),
        _("Name"),
        _("Period"),
        _("Summary"),
        _("Achievements"),
        _("Plans"),
        _("Decisions needed"),
        _("Top risks and issues"),
    ]
    texts.append(text_header)
    for project in projects:
        report = project.latest_report
        fields = ("summary", "achievements", "plans", "decisions_needed", "top_risks")
        values = [getattr(report, name) for name in fields] if report is not None else [""] * len(fields)
        texts.append([_cell_value(value) for value in [project.code, project.name, _period(report), *values]])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_cells in texts.iter_rows(min_row=2, min_col=4, max_col=len(text_header)):
        for cell in row_cells:
            cell.alignment = wrap
    _finish_sheet(texts, text_header, wide=dict.fromkeys(range(4, len(text_header) + 1), 50))

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, fallback: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "", title)[:31].strip("' ")
    return title or fallback


def _cell_value(value: Any) -> Any:
    """A value as a cell holds it: text cleaned, cut to what Excel accepts and never a formula."""
    if isinstance(value, str):
        return _guard(_clean(value)[:_EXCEL_CELL_CHARS]) or None
    return value


def _finish_sheet(sheet: Any, header: Sequence[str], *, wide: dict[int, int]) -> None:
    """Bold frozen header with filters over the whole used range, columns sized to their contents."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="E5E7EB")
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, sheet.max_row)}"
    widths = [len(str(title)) for title in header]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(wide.get(index, 30), width) + 2


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, str):
        return max((len(line) for line in value.split("\n")), default=0)
    if isinstance(value, int | float | Decimal):
        return len(f"{value:,.2f}")
    return len(str(value))
