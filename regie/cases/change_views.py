"""The change management pages: the change calendar of a month with its freeze windows and conflicts; a
change's section (the decisions so far against the approval rule, what its planned window runs into, its
realisation tasks), shown on the case's page through ``change_section`` and on a page of its own; deciding
on a change, adding a realisation task and marking one done. Every write goes through ``changes``."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from regie.cases import changes, workflows
from regie.cases.choices import CaseKind
from regie.cases.models import Case, CaseTask
from regie.cases.roles import HANDLE
from regie.cases.views import visible_cases
from regie.core import permissions
from regie.core.models import Person, Team

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    note = forms.CharField(label=gettext_lazy("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none())
    assignee = forms.ModelChoiceField(label=gettext_lazy("Assignee"), queryset=Person.objects.none(), required=False)
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.active()
        self.fields["team"].queryset = teams.order_by("name")  # type: ignore[attr-defined]
        members = Person.objects.active().filter(teams__in=teams).distinct()
        self.fields["assignee"].queryset = members.order_by("family_name", "given_name")  # type: ignore[attr-defined]


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _change(request: HttpRequest, pk: int) -> Case:
    changes_seen = visible_cases(request.user).filter(kind=CaseKind.CHANGE)
    return get_object_or_404(changes_seen.select_related("service__scope", "workflow_version", "configuration_item"), pk=pk)


def _rule_text(status: changes.ApprovalStatus) -> str:
    if status.needed > 1:
        return _(
            "A high-risk change needs the approval of %(count)d members of the change advisory board or change "
            "managers; any rejection rejects it."
        ) % {"count": status.needed}
    return _("One approval is enough: the change manager may approve alone. Any rejection rejects the change.")


def change_section(
    request: HttpRequest, case: Case, *, decide_form: forms.Form | None = None, task_form: forms.Form | None = None
) -> dict[str, Any]:
    """The context of ``cases/change_section.html`` for a change (an empty dict for any other case): the
    decisions so far against the approval rule and the form to decide, the other changes and freeze windows
    its planned window runs into, and its realisation tasks with the forms to add one and mark one done."""
    if case.kind != CaseKind.CHANGE:
        return {}
    user = request.user
    approvals = list(case.approvals.select_related("approver").order_by("decided_at", "pk"))
    status = changes.approval_status(case)
    deciding = case.state in changes.decision_states(case)
    refusal = changes.decide_refusal(user, case) if deciding else None
    conflicts = changes.conflicts(case)
    seen = set(visible_cases(user).filter(pk__in=[c.pk for c in conflicts.changes]).values_list("pk", flat=True))
    involved = changes.people_involved(case)
    tasks = list(
        CaseTask.objects.active().filter(case=case).select_related("team", "assignee", "done_by").order_by("due_at", "pk")
    )
    planning = case.is_open and case.state in changes.realisation_states(case)
    may_add = planning and permissions.may(user, HANDLE, case)
    return {
        "change_section": {
            "case": case,
            "approvals": approvals,
            "status": status,
            "status_text": status.describe(),
            "rule_text": _rule_text(status),
            "deciding": deciding,
            "decide_form": (decide_form or DecideForm()) if deciding and refusal is None else None,
            "decide_refusal": refusal if deciding and refusal and changes.is_approver(user, case) else None,
            "conflicting_changes": [
                {"case": other, "visible": other.pk in seen, "state": _state_label(other)} for other in conflicts.changes
            ],
            "freeze_windows": conflicts.freeze_windows,
            "planned_window_invalid": bool(case.planned_start and case.planned_end and case.planned_end <= case.planned_start),
            "tasks": [
                {
                    "task": task,
                    "may_mark_done": planning
                    and task.done_at is None
                    and changes.task_done_refusal(user, task, involved) is None,
                }
                for task in tasks
            ],
            "open_tasks": sum(1 for task in tasks if task.done_at is None),
            "task_form": (task_form or TaskForm()) if may_add else None,
        }
    }


def _state_label(case: Case) -> str:
    return workflows.display_label(case.current_state().label)


def _section_page(request: HttpRequest, case: Case, **forms_bound: Any) -> HttpResponse:
    context = {"case": case, "state_label": _state_label(case), **change_section(request, case, **forms_bound)}
    return render(request, "cases/change_detail.html", context)


@require_http_methods(["GET", "POST"])
def change_approvals(request: HttpRequest, pk: int) -> HttpResponse:
    """A change's decisions, conflicts and realisation tasks; a POST records the person's decision."""
    case = _change(request, pk)
    if request.method != "POST":
        return _section_page(request, case)
    form = DecideForm(request.POST)
    if form.is_valid():
        approved = form.cleaned_data["decision"] == "approve"
        try:
            changes.change_decide(actor=request.user, case=case, approved=approved, note=form.cleaned_data["note"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            text = _("%(case)s: you approved it.") if approved else _("%(case)s: you rejected it.")
            messages.success(request, text % {"case": case.number})
            return redirect(case)
    else:
        try:
            changes.check_may_decide(request.user, case)
        except ValidationError as error:
            _add_errors(form, error)
    case.refresh_from_db()
    return _section_page(request, case, decide_form=form)


@require_POST
def change_task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _change(request, pk)
    if not permissions.may(request.user, HANDLE, case):
        raise PermissionDenied
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changes.task_add(
                actor=request.user,
                case=case,
                title=data["title"],
                team=data["team"],
                assignee=data["assignee"],
                due_at=data["due_at"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(case)s: the task is added.") % {"case": case.number})
            return redirect(case)
    return _section_page(request, case, task_form=form)


@require_POST
def change_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a realisation task done; those who cannot see the change but work on the task may too."""
    task = get_object_or_404(
        CaseTask.objects.active().select_related("case__service__scope", "case__workflow_version", "team"), pk=pk
    )
    sees_case = visible_cases(request.user).filter(pk=task.case_id, kind=CaseKind.CHANGE).exists()
    person = getattr(request.user, "person", None)
    works_on = person is not None and (task.assignee_id == person.pk or task.team.members.filter(pk=person.pk).exists())
    if not (sees_case or works_on):
        raise Http404
    try:
        changes.task_done(actor=request.user, task=task)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(task)s” is done.") % {"task": task.title})
    return redirect(task.case if sees_case else "core:my_work")


def _month(request: HttpRequest) -> tuple[int, int, bool]:
    """The month asked for as (year, month, understood); this month when none or a wrong one is asked."""
    today = timezone.localdate()
    asked = request.GET.get("month", "").strip()
    found = _MONTH.fullmatch(asked)
    if found:
        year, month = int(found.group(1)), int(found.group(2))
        if 1 <= month <= 12 and 1900 <= year <= 9998:
            return year, month, True
    return today.year, today.month, not asked


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def change_calendar(request: HttpRequest) -> HttpResponse:
    """The changes planned in a month, by day, with the freeze windows; changes that run into another
    change on the same service or configuration item, or into a freeze window, are marked."""
    year, month, understood = _month(request)
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    calendar = changes.change_calendar(request.user, _midnight(first), _midnight(following))
    others = {other.pk for found in calendar.conflicting_changes.values() for other in found}
    seen = set(visible_cases(request.user).filter(pk__in=others).values_list("pk", flat=True))
    entries: list[dict[str, Any]] = []
    for case in calendar.changes:
        conflicts = calendar.conflicts_of(case)
        entries.append(
            {
                "case": case,
                "state": _state_label(case),
                "conflicting_changes": [{"case": other, "visible": other.pk in seen} for other in conflicts.changes],
                "freeze_windows": conflicts.freeze_windows,
                "conflict": bool(conflicts),
            }
        )
    weeks = []
    today = timezone.localdate()
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for day in week:
            start, end = _midnight(day), _midnight(day + dt.timedelta(days=1))
            days.append(
                {
                    "day": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "entries": [e for e in entries if e["case"].planned_start < end and e["case"].planned_end > start],
                    "freezes": [f for f in calendar.freeze_windows if f.start < end and f.end > start],
                }
            )
        weeks.append(days)
    return render(
        request,
        "cases/change_calendar.html",
        {
            "month": first,
            "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next": following.strftime("%Y-%m"),
            "understood": understood,
            "weeks": weeks,
            "weekdays": [first + dt.timedelta(days=(i - first.weekday()) % 7) for i in range(7)],
            "entries": entries,
            "freeze_windows": calendar.freeze_windows,
            "conflicts": sum(1 for e in entries if e["conflict"]),
        },
    )
