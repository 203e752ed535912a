"""Planning pages: a project's plan with its Gantt chart, task and link editing, baselines, MS Project
import and export, the milestone feed, and the cross-project dependencies of the portfolio."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from regie.core import permissions
from regie.core.generic import attach_errors
from regie.core.models import Person
from regie.core.services import StaleWrite
from regie.planning import exchange, selectors, services, tasks
from regie.planning.models import Baseline, Constraint, DurationUnit, LagKind, Link, LinkType, Task, WorkCalendar
from regie.portfolio import selectors as portfolio_selectors
from regie.portfolio.models import Portfolio, Project


def _project(request: HttpRequest, pk: int) -> Project:
    project = portfolio_selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


class TaskForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    parent = forms.ModelChoiceField(label=gettext_lazy("Summary task"), queryset=Task.objects.none(), required=False)
    milestone = forms.BooleanField(label=gettext_lazy("Milestone"), required=False)
    duration = forms.DecimalField(label=gettext_lazy("Duration"), min_value=0, max_digits=10, decimal_places=2, initial=1)
    duration_unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=DurationUnit.choices, initial="d")
    elapsed = forms.BooleanField(label=gettext_lazy("Elapsed (runs through nights and weekends)"), required=False)
    calendar = forms.ModelChoiceField(
        label=gettext_lazy("Calendar"), queryset=WorkCalendar.objects.active(), required=False,
        empty_label=gettext_lazy("the plan's calendar"),
    )  # fmt: skip
    constraint = forms.ChoiceField(label=gettext_lazy("Constraint"), choices=Constraint.choices, initial="ASAP")
    constraint_date = forms.DateTimeField(
        label=gettext_lazy("Constraint date"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    deadline = forms.DateTimeField(
        label=gettext_lazy("Deadline"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    actual_start = forms.DateTimeField(
        label=gettext_lazy("Actual start"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    actual_finish = forms.DateTimeField(
        label=gettext_lazy("Actual finish"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    percent_complete = forms.IntegerField(label=gettext_lazy("Complete (%)"), min_value=0, max_value=100, initial=0)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=Person.objects.none(), required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, plan: Any, task: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        parents = Task.objects.filter(plan=plan).order_by("position")
        if task is not None:
            parents = parents.exclude(pk=task.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["owner"].queryset = Person.objects.active()  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["duration"] = services.to_minutes(data["duration"] or 0, data["duration_unit"], self.plan, data["elapsed"])
        if data["milestone"] and not self.data.get("duration"):
            data["duration"] = 0
        return data


def _initial(task: Task, plan: Any) -> dict[str, Any]:
    initial = {name: getattr(task, name) for name in services.EDITABLE if name not in ("duration",)}
    initial["duration"] = round(task.duration / services.unit_minutes(task.duration_unit, plan, task.elapsed), 2)
    for name in ("constraint_date", "deadline", "actual_start", "actual_finish"):
        if initial.get(name):
            initial[name] = timezone.localtime(initial[name]).strftime("%Y-%m-%dT%H:%M")
    return initial


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    plan = services.plan_for(project)
    editable = services.may_edit(request.user, project)
    if plan.scheduled_at is None and plan.tasks.exists() and not services.large(plan):
        try:
            services.reschedule(plan)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    data = selectors.gantt_data(plan, request.user)
    context = {
        "project": project,
        "plan": plan,
        "editable": editable,
        "gantt": data,
        "rows": selectors.task_rows(plan),
        "baselines": list(Baseline.objects.filter(plan=plan)),
        "form": TaskForm(plan=plan) if editable else None,
        "link_types": LinkType.choices,
        "lag_kinds": LagKind.choices,
        "units": DurationUnit.choices,
        "suggestion": services.schedule_suggestion(project),
        "external": selectors.external_links(plan),
        "labels": selectors.gantt_labels(),
    }
    return render(request, "planning/plan.html", context)


def plan_data(request: HttpRequest, pk: int) -> JsonResponse:
    project = _project(request, pk)
    return JsonResponse(selectors.gantt_data(services.plan_for(project), request.user))


def _error_response(request: HttpRequest, error: Exception, status: int = 400) -> JsonResponse:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error) or _("You may not do this.")
    return JsonResponse({"error": text}, status=status)


@require_POST
def gantt_edit(request: HttpRequest, pk: int) -> JsonResponse:
    """The Gantt chart's edits: move a task, change its duration, add or remove a link."""
    project = _project(request, pk)
    plan = services.plan_for(project)
    try:
        body = json.loads(request.body or b"{}")
        action = body.get("action")
        if action == "task":
            task = get_object_or_404(Task, pk=int(body["task"]), plan=plan)
            start = datetime.fromisoformat(str(body["start"])[:16]) if "start" in body else None
            days = float(body["duration_days"]) if "duration_days" in body else None
            services.move(request.user, task, start=start, duration_days=days)
        elif action == "link":
            predecessor = get_object_or_404(Task, pk=int(body["predecessor"]))
            successor = get_object_or_404(Task, pk=int(body["successor"]), plan=plan)
            services.link_create(request.user, predecessor, successor, str(body.get("type", "FS")))
        elif action == "unlink":
            link = get_object_or_404(Link, pk=int(body["link"]), successor__plan=plan)
            services.link_delete(request.user, link)
        else:
            raise ValidationError(_("Unknown change."))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The change could not be read.")}, status=400)
    except PermissionDenied as exc:
        return _error_response(request, exc, 403)
    except ValidationError as exc:
        return _error_response(request, exc)
    return JsonResponse(selectors.gantt_data(services.plan_for(project), request.user))


def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    plan = services.plan_for(project)
    services.check_edit(request.user, project)
    form = TaskForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(request.user, plan, form.values())
            messages.success(request, _("Task added; the plan is rescheduled."))
            return HttpResponseRedirect(plan.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
    return render(request, "planning/task_form.html", {"form": form, "project": project, "plan": plan},
                  status=400 if form.errors else 200)  # fmt: skip


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan__project", "plan__calendar", "parent", "calendar", "owner"), pk=pk)
    project = _project(request, task.plan.project_id)
    plan = task.plan
    editable = services.may_edit(request.user, project)
    form = None
    if editable:
        form = TaskForm(request.POST or None, plan=plan, task=task, initial=_initial(task, plan))
        if request.method == "POST" and form.is_valid():
            try:
                version = int(request.POST.get("version", task.version))
                services.task_update(request.user, task, form.values(), version=version)
                messages.success(request, _("Task saved; the plan is rescheduled."))
                return HttpResponseRedirect(task.get_absolute_url())
            except StaleWrite as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                attach_errors(form, error)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "task": task,
        "project": project,
        "plan": plan,
        "form": form,
        "editable": editable,
        "predecessors": Link.objects.filter(successor=task).select_related("predecessor__plan__project"),
        "successors": Link.objects.filter(predecessor=task).select_related("successor__plan__project"),
        "candidates": selectors.link_candidates(task, request.user) if editable else [],
        "link_types": LinkType.choices,
        "lag_kinds": LagKind.choices,
        "units": DurationUnit.choices,
        "duration": services.label(task.duration, task.duration_unit, plan, task.elapsed),
        "slack": services.label(task.total_slack, "d", plan),
        "free_slack": services.label(task.free_slack, "d", plan),
    }
    return render(request, "planning/task_detail.html", context, status=400 if form is not None and form.errors else 200)


@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan__project"), pk=pk)
    _project(request, task.plan.project_id)
    try:
        services.task_delete(request.user, task)
        messages.success(request, _("Task deleted; the plan is rescheduled."))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return HttpResponseRedirect(task.get_absolute_url())
    return HttpResponseRedirect(task.plan.get_absolute_url())


@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan__project"), pk=pk)
    _project(request, task.plan.project_id)
    try:
        predecessor = Task.objects.filter(pk=int(request.POST.get("predecessor", "0"))).select_related("plan__project").first()
        if predecessor is None:
            raise ValidationError(_("Choose the predecessor."))
        unit = request.POST.get("lag_unit", "d")
        kind = request.POST.get("lag_kind", "work")
        if unit not in DurationUnit.values or kind not in LagKind.values:
            raise ValidationError(_("Choose a lag unit and kind."))
        lag = services.lag_value(float(request.POST.get("lag") or 0), unit, kind, task.plan)
        services.link_create(request.user, predecessor, task, request.POST.get("type", "FS"), lag, kind, unit)
        messages.success(request, _("Link added; the plan is rescheduled."))
    except ValueError:
        messages.error(request, _("The lag must be a number."))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return HttpResponseRedirect(task.get_absolute_url())


@require_POST
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(Link.objects.select_related("successor__plan__project"), pk=pk)
    _project(request, link.successor.plan.project_id)
    services.link_delete(request.user, link)
    messages.success(request, _("Link removed; the plan is rescheduled."))
    return HttpResponseRedirect(link.successor.get_absolute_url())


@require_POST
def baseline_save(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    plan = services.plan_for(project)
    try:
        baseline = services.baseline_save(request.user, plan, request.POST.get("name", ""))
        messages.success(request, _("Baseline “%(name)s” saved.") % {"name": baseline.name})
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    return HttpResponseRedirect(plan.get_absolute_url())


@require_POST
def baseline_choose(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    plan = services.plan_for(project)
    chosen = Baseline.objects.filter(plan=plan, pk=request.POST.get("baseline") or 0).first()
    services.plan_update(request.user, plan, {"baseline": chosen})
    return HttpResponseRedirect(plan.get_absolute_url())


@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    job = tasks.enqueue_export(request.user, project)
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


def milestones_ics(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    response = HttpResponse(exchange.milestones_ics(project), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{project.code}-milestones.ics"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("MS Project XML file"))
    portfolio = forms.ModelChoiceField(label=gettext_lazy("Portfolio"), queryset=Portfolio.objects.none())
    code = forms.CharField(label=gettext_lazy("Project code"), max_length=30, required=False,
                           help_text=gettext_lazy("Leave empty to make one from the plan's name."))  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = Portfolio.objects.active().visible_to(user, "planning.import_plan")  # type: ignore[attr-defined]


def plan_import(request: HttpRequest) -> HttpResponse:
    if not permissions.holds_anywhere(request.user, "planning.import_plan"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = tasks.enqueue_import(request.user, form.cleaned_data["file"], form.cleaned_data["portfolio"],
                                       form.cleaned_data["code"])  # fmt: skip
            return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
        except ValidationError as error:
            attach_errors(form, error)
    return render(request, "planning/import.html", {"form": form}, status=400 if form.errors else 200)


def dependencies(request: HttpRequest) -> HttpResponse:
    """Which projects hold up which, and the milestones whose predecessor in another project slipped."""
    return render(request, "planning/dependencies.html", selectors.cross_project(request.user))
