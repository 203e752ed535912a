"""The agenda and the minutes of a meeting as a Word document (.docx), built with python-docx."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document as WordDocument
from docx.shared import Pt

from regie.engagement.choices import MeetingState
from regie.engagement.models import Meeting


def build_docx(meeting: Meeting, part: str) -> bytes:
    """``part`` is "agenda" (the points with their briefs) or "minutes" (also what was said, decided and
    agreed under each point)."""
    minutes = part == "minutes"
    doc = WordDocument()
    doc.core_properties.title = f"{pgettext('the record of a meeting', 'Minutes') if minutes else _('Agenda')}: {meeting.title}"
    doc.core_properties.author = str(meeting.secretary or "Regie")
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    doc.add_heading(f"{pgettext('the record of a meeting', 'Minutes') if minutes else _('Agenda')}: {meeting.title}", level=0)
    if minutes and meeting.state != MeetingState.CLOSED:
        doc.add_paragraph().add_run(_("Draft: the minutes are not final yet.")).italic = True
    details = doc.add_table(rows=0, cols=2)
    details.style = "Light List"
    attendees = ", ".join(str(p) for p in meeting.attendees.all()) or "–"
    for label, value in (
        (_("Project"), str(meeting.project)),
        (_("Meeting"), meeting.get_kind_display()),
        (_("Date and time"), f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"),
        (_("Location"), meeting.location or "–"),
        (_("Chair"), str(meeting.chair or "–")),
        (_("Minutes taken by"), str(meeting.secretary or "–")),
        (_("Attendees"), attendees),
    ):
        cells = details.add_row().cells
        cells[0].text, cells[1].text = label, value
    outcomes = list(meeting.outcomes.select_related("item", "item__owner", "item__decided_by"))
    for number, point in enumerate(meeting.agenda.order_by("order"), 1):
        doc.add_heading(f"{number}. {point.title}", level=2)
        if point.brief:
            for line in point.brief.splitlines():
                doc.add_paragraph(line)
        if minutes:
            if point.minutes:
                doc.add_paragraph(point.minutes)
            for outcome in (o for o in outcomes if o.agenda_item_id == point.pk):
                doc.add_paragraph(_outcome_line(outcome), style="List Bullet")
    if minutes:
        loose = [o for o in outcomes if o.agenda_item_id is None]
        if meeting.notes or loose:
            doc.add_heading(_("General notes"), level=2)
            if meeting.notes:
                doc.add_paragraph(meeting.notes)
            for outcome in loose:
                doc.add_paragraph(_outcome_line(outcome), style="List Bullet")
        decisions = [o.item for o in outcomes if o.item.kind == "decision"]
        actions = [o.item for o in outcomes if o.item.kind == "action"]
        for heading, rows, columns in (
            (
                _("Decisions"),
                [(d.reference, d.title, str(d.decided_by or "–"), d.basis) for d in decisions],
                (_("Ref."), _("Decision"), _("Decided by"), _("Basis")),
            ),
            (
                _("Actions"),
                [(a.reference, a.title, str(a.owner or "–"), a.due_date.isoformat() if a.due_date else "–") for a in actions],
                (_("Ref."), _("Action"), _("Owner"), _("Due date")),
            ),
        ):
            if not rows:
                continue
            doc.add_heading(heading, level=1)
            table = doc.add_table(rows=1, cols=4)
            table.style = "Light Grid Accent 1"
            for cell, label in zip(table.rows[0].cells, columns, strict=True):
                cell.text = str(label)
            for row in rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _outcome_line(outcome) -> str:  # type: ignore[no-untyped-def]
    item = outcome.item
    if item.kind == "decision":
        return _("Decision %(ref)s: %(title)s — decided by %(person)s; basis: %(basis)s") % {
            "ref": item.reference,
            "title": item.title,
            "person": item.decided_by or "–",
            "basis": item.basis,
        }
    return _("Action %(ref)s: %(title)s — %(owner)s, due %(date)s") % {
        "ref": item.reference,
        "title": item.title,
        "owner": item.owner or "–",
        "date": item.due_date.isoformat() if item.due_date else "–",
    }
