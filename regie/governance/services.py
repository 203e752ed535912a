"""Every write to the stakeholder registers and RACI matrices, and their rules.

Whoever may change a project (its project manager and named PMO officers, and PMO officers and
portfolio managers by role) keeps its stakeholder register and its RACI matrix; for a programme, whoever
may change the programme. A RACI matrix is saved as a whole: every row has exactly one accountable
person, or nothing is saved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Person, Scope
from regie.core.services import claim_version
from regie.governance.models import Letter, RaciCell, RaciRow, RowKind, Stakeholder
from regie.portfolio.models import Programme, Project
from regie.portfolio.services import project_of_scope

STAKEHOLDER_FIELDS = (
    "person",
    "organisation",
    "role",
    "interest",
    "influence",
    "attitude",
    "desired_attitude",
    "engagement",
    "relationship_owner",
)


def keeper_of(scope: Scope) -> Project | Programme | None:
    """The project or programme whose register this scope holds."""
    if scope.kind == "project":
        return project_of_scope(scope)
    if scope.kind == "programme":
        return Programme.objects.filter(scope=scope).first()
    return None


def manages(user: Any, scope: Scope) -> bool:
    """May the user keep the stakeholders (and, for a project, the RACI matrix) of this scope?"""
    keeper = keeper_of(scope)
    if keeper is None:
        return False
    action = "portfolio.change_project" if isinstance(keeper, Project) else "portfolio.change_programme"
    return not keeper.is_archived and permissions.may(user, action, keeper)


def _require(user: Any, scope: Scope) -> None:
    if not manages(user, scope):
        raise PermissionDenied(_("Only those who may change the project keep its stakeholders and RACI matrix."))


def _apply(item: Stakeholder, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(STAKEHOLDER_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    for name, value in data.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    for person_field in ("person", "relationship_owner"):
        person = getattr(item, person_field)
        if person is not None and person.is_archived:
            raise ValidationError({person_field: [_("An archived person cannot be named here.")]})


def stakeholder_create(*, actor: Any, scope: Scope, data: dict[str, Any]) -> Stakeholder:
    """Add a stakeholder to a project's or programme's register."""
    _require(actor, scope)
    item = Stakeholder(scope=scope)
    _apply(item, data)
    item.full_clean()
    item._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        item.save()
    return item


def stakeholder_update(*, actor: Any, item: Stakeholder, data: dict[str, Any], expected_version: int | None) -> Stakeholder:
    """Change a stakeholder: their role, interest, influence, attitude and how the project engages them."""
    _require(actor, item.scope)
    if item.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    _apply(item, data)
    item.full_clean()
    with transaction.atomic():
        claim_version(item, expected_version)
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
    return item


def stakeholder_archive(*, actor: Any, item: Stakeholder, expected_version: int | None, restore: bool = False) -> Stakeholder:
    _require(actor, item.scope)
    with transaction.atomic():
        claim_version(item, expected_version)
        item.archived_at = None if restore else timezone.now()
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
    return item


# --- RACI -----------------------------------------------------------------------------------------


@dataclass
class RowIn:
    """One row of a matrix as it is saved: ``id`` of an existing row (None for a new one)."""

    subject: str
    kind: str = RowKind.DELIVERABLE
    cells: dict[int, str] = field(default_factory=dict)  # person id -> letter
    id: int | None = None


def matrix_rows(project: Project) -> list[RaciRow]:
    return list(
        RaciRow.objects.filter(project=project, archived_at__isnull=True)
        .prefetch_related("cells__person")
        .order_by("order", "id")
    )


def matrix_etag(project: Project, rows: list[RaciRow] | None = None) -> str:
    """A tag of the matrix as it stands: it changes whenever a row is added, changed or removed."""
    rows = matrix_rows(project) if rows is None else rows
    digest = hashlib.sha256(",".join(f"{r.pk}:{r.version}" for r in rows).encode()).hexdigest()[:16]
    return f'"raci-{digest}"'


def raci_save(*, actor: Any, project: Project, rows: list[RowIn], expected_etag: str | None) -> list[RaciRow]:
    """Save a project's whole RACI matrix: the given rows in their order; existing rows left out are
    archived. Each row needs a subject and exactly one accountable person; a person has one part per
    row. Any error is named by row and nothing is saved."""
    _require(actor, project.scope)
    with transaction.atomic():
        # The project is locked while its matrix is compared and written: two saves of the same version
        # cannot both pass.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        return _raci_write(actor, project, rows, expected_etag)


def _raci_write(actor: Any, project: Project, rows: list[RowIn], expected_etag: str | None) -> list[RaciRow]:
    current = {r.pk: r for r in matrix_rows(project)}
    if expected_etag is not None and expected_etag != matrix_etag(project, list(current.values())):
        from regie.core.services import StaleWrite

        raise StaleWrite(0)
    errors: dict[str, list[str]] = {}
    seen: set[int | None] = set()
    people_ids = {pid for row in rows for pid in row.cells}
    people = {p.pk: p for p in Person.objects.filter(pk__in=people_ids)}
    for n, row in enumerate(rows, 1):
        key = f"rows[{n}]"
        label = row.subject.strip() or _("row %(n)d") % {"n": n}
        problems = []
        if not row.subject.strip():
            problems.append(_("Name the deliverable, decision or activity."))
        if len(row.subject.strip()) > 200:
            problems.append(_("At most 200 characters."))
        if row.kind not in RowKind.values:
            problems.append(_("Unknown kind: %(kind)s.") % {"kind": row.kind})
        if row.id is not None and row.id not in current:
            problems.append(_("No such row in this matrix: %(id)s.") % {"id": row.id})
        elif row.id is not None and row.id in seen:
            problems.append(_("The row %(id)s is given twice.") % {"id": row.id})
        seen.add(row.id)
        bad_letters = sorted({letter for letter in row.cells.values() if letter not in Letter.values})
        if bad_letters:
            problems.append(_("A part is R, A, C or I, not %(letters)s.") % {"letters": ", ".join(bad_letters)})
        missing = sorted(pid for pid in row.cells if pid not in people)
        if missing:
            problems.append(_("No such person: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        archived = sorted(str(people[pid]) for pid in row.cells if pid in people and people[pid].is_archived)
        if archived:
            problems.append(_("Archived people cannot take a part: %(names)s.") % {"names": ", ".join(archived)})
        accountable = [people[pid] for pid, letter in row.cells.items() if letter == "A" and pid in people]
        if len(accountable) == 0:
            problems.append(_("“%(row)s” has no accountable person: exactly one is.") % {"row": label})
        elif len(accountable) > 1:
            names = ", ".join(sorted(str(p) for p in accountable))
            problems.append(
                _("“%(row)s” has %(n)d accountable people (%(names)s): exactly one is.")
                % {"row": label, "n": len(accountable), "names": names}
            )
        if problems:
            errors[key] = problems
    if errors:
        raise ValidationError(errors)
    kept: list[RaciRow] = []
    with transaction.atomic():
        for order, row in enumerate(rows, 1):
            record = current.pop(row.id) if row.id is not None else RaciRow(project=project)
            changed = record.pk is None or (record.subject, record.kind, record.order) != (row.subject.strip(), row.kind, order)
            cells_before = {c.person_id: c.letter for c in record.cells.all()} if record.pk else {}
            record.subject, record.kind, record.order = row.subject.strip(), row.kind, order
            if changed or cells_before != row.cells:
                if record.pk:
                    record.version += 1
                record._history_user = actor  # type: ignore[attr-defined]
                record.save()
                if cells_before != row.cells:
                    record.cells.all().delete()
                    RaciCell.objects.bulk_create(
                        [RaciCell(row=record, person_id=pid, letter=letter) for pid, letter in row.cells.items()]
                    )
            kept.append(record)
        for removed in current.values():
            removed.archived_at = timezone.now()
            removed.version += 1
            removed._history_user = actor  # type: ignore[attr-defined]
            removed.save()
    return kept


def responsibilities(user: Any, person: Person) -> list[RaciCell]:
    """What a person is responsible, accountable, consulted or informed for, in the matrices the user may
    see: the answer to "who does what" for one person."""
    rows = RaciRow.objects.active().visible_to(user).filter(project__archived_at__isnull=True)
    return list(
        RaciCell.objects.filter(person=person, row__in=rows.values("pk"))
        .select_related("row", "row__project")
        .order_by("letter", "row__project__code", "row__order")[:1000]
    )
