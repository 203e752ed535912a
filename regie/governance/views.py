"""Pages of the stakeholder registers, the power/interest grid, the RACI matrix, and "who does what"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.generic import ScopedModelForm, attach_errors, parse_id, posted_version, sheet_response
from regie.core.models import Person
from regie.core.services import StaleWrite
from regie.governance import services
from regie.governance.models import Letter, RaciRow, RowKind, Stakeholder
from regie.portfolio.models import Programme, Project
from regie.portfolio.services import person_of

QUADRANTS = [
    ("satisfy", gettext_lazy("Keep satisfied"), gettext_lazy("high influence, lower interest")),
    ("manage", gettext_lazy("Manage closely"), gettext_lazy("high influence, high interest")),
    ("monitor", gettext_lazy("Monitor"), gettext_lazy("lower influence, lower interest")),
    ("inform", gettext_lazy("Keep informed"), gettext_lazy("lower influence, high interest")),
]


class StakeholderForm(ScopedModelForm):
    class Meta:
        model = Stakeholder
        fields = list(services.STAKEHOLDER_FIELDS)
        widgets = {"engagement": forms.Textarea(attrs={"rows": 3})}


def _project(request: HttpRequest, pk: int) -> Project:
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such record, or you may not see it."))
    return project


def _register(request: HttpRequest, keeper: Project | Programme, back: str) -> HttpResponse:
    scope = keeper.scope
    may_keep = services.manages(request.user, scope)
    form = StakeholderForm(request.POST or None, user=request.user) if may_keep else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.stakeholder_create(actor=request.user, scope=scope, data=form.cleaned_data)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Stakeholder added."))
                return HttpResponseRedirect(request.path)
    items = list(
        Stakeholder.objects.active().visible_to(request.user).filter(scope=scope).select_related("person", "relationship_owner")
    )
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        quadrants = {code: str(title) for code, title, _hint in QUADRANTS}
        header = [
            _("Stakeholder"),
            _("Role"),
            _("Interest"),
            _("Influence"),
            _("Quadrant"),
            _("Attitude"),
            _("Desired attitude"),
            _("How we engage"),
            _("Relationship owner"),
        ]
        rows = (
            [
                s.name,
                s.role,
                s.interest,
                s.influence,
                quadrants[s.quadrant],
                s.get_attitude_display(),
                s.get_desired_attitude_display(),
                s.engagement,
                s.relationship_owner or "",
            ]
            for s in items
        )
        return sheet_response(export, f"stakeholders-{getattr(keeper, 'code', keeper.pk)}", header, rows, _("Stakeholders"))
    grid = [
        {"code": code, "title": title, "hint": hint, "items": [s for s in items if s.quadrant == code]}
        for code, title, hint in QUADRANTS
    ]
    context = {"keeper": keeper, "back": back, "items": items, "grid": grid, "form": form, "may_keep": may_keep}
    return render(request, "governance/stakeholders.html", context, status=400 if form is not None and form.errors else 200)


def stakeholders(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    return _register(request, project, project.get_absolute_url())


def programme_stakeholders(request: HttpRequest, pk: int) -> HttpResponse:
    programme = Programme.objects.visible_to(request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404(_("No such record, or you may not see it."))
    return _register(request, programme, programme.get_absolute_url())


def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = Stakeholder.objects.visible_to(request.user).filter(pk=pk).select_related("scope").first()
    if item is None:
        raise Http404(_("No such record, or you may not see it."))
    if not services.manages(request.user, item.scope):
        raise PermissionDenied
    keeper = services.keeper_of(item.scope)
    url = reverse(
        "governance:stakeholders" if isinstance(keeper, Project) else "governance:programme_stakeholders",
        args=[keeper.pk if keeper else 0],
    )
    form = StakeholderForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST":
        try:
            if request.POST.get("archive") == "1":
                services.stakeholder_archive(actor=request.user, item=item, expected_version=posted_version(request))
                messages.success(request, _("%(name)s archived.") % {"name": item})
                return HttpResponseRedirect(url)
            if form.is_valid():
                services.stakeholder_update(
                    actor=request.user, item=item, data=form.cleaned_data, expected_version=posted_version(request)
                )
                messages.success(request, _("%(name)s saved.") % {"name": item})
                return HttpResponseRedirect(url)
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            attach_errors(form, error)
    return render(
        request, "governance/stakeholder_form.html", {"form": form, "item": item, "back": url}, status=400 if form.errors else 200
    )


# --- RACI -----------------------------------------------------------------------------------------


def _columns(project: Project, rows: list[Any], extra: list[int]) -> list[Person]:
    """The matrix's people: those named on the project, those with a part, and those being added."""
    ids: list[int] = []
    for pid in [project.project_manager_id, project.sponsor_id]:
        if pid:
            ids.append(pid)
    ids += [p.pk for p in project.pmo_officers.all()] + [p.pk for p in project.steering_committee.all()]
    for row in rows:
        ids += list(row["cells"])
    ids += extra
    people = {p.pk: p for p in Person.objects.filter(pk__in=set(ids))}
    seen: list[Person] = []
    for pid in ids:
        if pid in people and people[pid] not in seen:
            seen.append(people[pid])
    return seen


def _posted_rows(post: Any) -> tuple[list[services.RowIn], list[dict[str, Any]]]:
    """The rows of the matrix form: ``row-N-subject``, ``row-N-kind``, ``row-N-id``, ``row-N-remove`` and
    ``row-N-person-<id>`` (a letter or empty), N from 0; and the same rows to show again on an error."""
    rows, shown = [], []
    count = min(parse_id(post.get("rows")) or 0, 500)
    for n in range(count):
        prefix = f"row-{n}-"
        subject = post.get(prefix + "subject", "").strip()
        row_id = parse_id(post.get(prefix + "id"))
        cells = {}
        for key in post:
            person = parse_id(key.removeprefix(prefix + "person-")) if key.startswith(prefix + "person-") else None
            if person and post.get(key):
                cells[person] = post.get(key)
        if post.get(prefix + "remove") == "1" or not (subject or row_id or cells):
            continue  # a removed row, or the empty line for a new one
        row = services.RowIn(
            subject=subject,
            kind=post.get(prefix + "kind", RowKind.DELIVERABLE),
            cells=cells,
            id=row_id,
        )
        rows.append(row)
        shown.append({"id": row.id, "subject": row.subject, "kind": row.kind, "cells": row.cells})
    return rows, shown


def raci_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's RACI matrix: read by those who see the project, kept (as a whole) by those who may
    change it."""
    project = _project(request, pk)
    may_keep = services.manages(request.user, project.scope)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_keep:
            raise PermissionDenied
        rows_in, shown = _posted_rows(request.POST)
        if parse_id(request.POST.get("rows")) is None:
            # not the matrix form as the page sends it: save nothing rather than an empty matrix
            errors = {"rows": [_("The form is incomplete: reload the page and try again.")]}
        try:
            if errors:
                raise ValidationError(errors)
            services.raci_save(actor=request.user, project=project, rows=rows_in, expected_etag=request.POST.get("etag") or None)
        except StaleWrite:
            messages.error(request, _("The matrix was changed by someone else in the meantime. Reload the page to see it."))
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("RACI matrix saved."))
            return HttpResponseRedirect(request.path)
    else:
        shown = [
            {"id": r.pk, "subject": r.subject, "kind": r.kind, "cells": {c.person_id: c.letter for c in r.cells.all()}}
            for r in services.matrix_rows(project)
        ]
    extra = [pk for pk in (parse_id(v) for v in request.GET.getlist("add")) if pk]
    columns = _columns(project, shown, extra)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        kinds = dict(RowKind.choices)
        header = [_("Deliverable, decision or activity"), _("Kind"), *[str(p) for p in columns]]
        rows = (
            [row["subject"], kinds.get(row["kind"], row["kind"]), *[row["cells"].get(p.pk, "") for p in columns]] for row in shown
        )
        return sheet_response(export, f"raci-{project.code}", header, rows, _("RACI matrix"))
    grid = [
        {
            **row,
            "n": n,
            "errors": errors.get(f"rows[{n + 1}]", []),
            "parts": [(person, row["cells"].get(person.pk, "")) for person in columns],
        }
        for n, row in enumerate(shown)
    ]
    if may_keep:
        grid.append(
            {
                "id": None,
                "subject": "",
                "kind": RowKind.DELIVERABLE,
                "n": len(grid),
                "errors": [],
                "parts": [(p, "") for p in columns],
                "new": True,
            }
        )
    context = {
        "project": project,
        "columns": columns,
        "grid": grid,
        "may_keep": may_keep,
        "etag": services.matrix_etag(project),
        "letters": Letter.choices,
        "kinds": RowKind.choices,
        "errors": errors,
        "people": Person.objects.active().exclude(pk__in=[p.pk for p in columns]).order_by("family_name", "given_name")[:500]
        if may_keep
        else [],
    }
    return render(request, "governance/raci.html", context, status=400 if errors else 200)


def who_does_what(request: HttpRequest) -> HttpResponse:
    """For one person (by default: me), the rows of the RACI matrices they take a part in."""
    person = person_of(request.user)
    wanted = request.GET.get("person", "")
    if wanted:
        pk = parse_id(wanted)
        person = Person.objects.filter(pk=pk).first() if pk else None
        if person is None:
            raise Http404(_("No such person."))
    cells = services.responsibilities(request.user, person) if person else []
    groups = [(code, label, [c for c in cells if c.letter == code]) for code, label in Letter.choices]
    people = Person.objects.active().filter(raci_cells__isnull=False).distinct().order_by("family_name", "given_name")[:500]
    return render(request, "governance/who.html", {"person": person, "groups": groups, "people": people})


def project_section(request: HttpRequest, project: Project) -> dict[str, Any]:
    items = list(Stakeholder.objects.active().visible_to(request.user).filter(scope_id=project.scope_id).select_related("person"))
    counts = {code: sum(1 for s in items if s.quadrant == code) for code, _t, _h in QUADRANTS}
    rows = RaciRow.objects.active().filter(project=project).count()
    return {
        "template": "governance/_project_section.html",
        "project": project,
        "stakeholders": len(items),
        "quadrants": [(title, counts[code]) for code, title, _h in QUADRANTS],
        "gaps": [s for s in items if s.attitude_gap > 0][:5],
        "raci_rows": rows,
    }


def programme_section(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    count = Stakeholder.objects.active().visible_to(request.user).filter(scope_id=programme.scope_id).count()
    return {"template": "governance/_programme_section.html", "programme": programme, "stakeholders": count}
