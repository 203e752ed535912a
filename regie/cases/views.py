"""The case pages: the list, logging a case, a case with its work instruction, the steps the person may
take, its SLA clocks and its history; a team's queue. Every change goes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.cases import forms, services, workflows
from regie.cases.choices import CaseKind, LinkKind
from regie.cases.models import Case, SlaClock
from regie.cases.roles import HANDLE, VIEW_CASE
from regie.core import permissions
from regie.core.models import Team
from regie.core.services import StaleWrite


def visible_cases(user: Any) -> QuerySet:
    return Case.objects.active().visible_to(user, VIEW_CASE)


def _with_clocks(queryset: QuerySet) -> QuerySet:
    """The page's cases with their people, service and customer clocks, in a fixed number of queries."""
    customer_clocks = SlaClock.objects.filter(link__isnull=True).order_by("name")
    return queryset.select_related("service", "team", "assignee", "workflow_version").prefetch_related(
        Prefetch("clocks", queryset=customer_clocks, to_attr="customer_clocks")
    )


def _rows(cases: list[Case]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for case in cases:
        state = case.workflow_version.parsed().state(case.state)
        resolution = next((c for c in getattr(case, "customer_clocks", []) if c.name == "resolution"), None)
        warn = bool(resolution and resolution.status == "running" and resolution.warn_at and resolution.warn_at <= now)
        rows.append({"case": case, "state": workflows.display_label(state.label), "clock": resolution, "warn": warn})
    return rows


def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the person may see, open ones first by default, filtered by kind, state and team."""
    if not (permissions.holds_anywhere(request.user, VIEW_CASE) or request.user.is_authenticated):
        raise PermissionDenied
    cases = visible_cases(request.user)
    kind = request.GET.get("kind", "")
    if kind in CaseKind.values:
        cases = cases.filter(kind=kind)
    show = request.GET.get("show", "open")
    if show == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif show == "breached":
        cases = cases.filter(Exists(SlaClock.objects.filter(case=OuterRef("pk"), breached=True)))
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(Q(number__icontains=query) | Q(title__icontains=query))
    page = Paginator(_with_clocks(cases.order_by("priority", "opened_at", "pk")), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": _rows(list(page.object_list)),
            "kinds": CaseKind.choices,
            "kind": kind,
            "show": show,
            "q": query,
            "query": urlencode({"kind": kind, "show": show, "q": query}),
        },
    )


def case_new(request: HttpRequest) -> HttpResponse:
    """Log a case against a service."""
    form = forms.CaseForm(request.POST or None, user=request.user, initial={"kind": request.GET.get("kind", "incident")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_register(
                actor=request.user,
                kind=data["kind"],
                service=data["service"],
                title=data["title"],
                description=data["description"],
                impact=data["impact"],
                urgency=data["urgency"],
                offering=data["offering"],
            )
        except PermissionDenied:
            form.add_error("service", _("You may not log cases for this service."))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(case)s is logged.") % {"case": case.number})
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form})


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _case(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(visible_cases(request.user).select_related("service", "workflow_version"), pk=pk)
    return case


def case_detail(request: HttpRequest, pk: int, forms_by_step: dict[str, Any] | None = None, **bound: Any) -> HttpResponse:
    """A case: where it stands, what to do now (the state's work instruction and the steps the person may
    take), its SLA clocks and its history."""
    case = _case(request, pk)
    definition = case.workflow_version.parsed()
    state = definition.state(case.state)
    steps = []
    for step in services.steps_for(request.user, case):
        form = (forms_by_step or {}).get(step.code) or forms.StepForm(
            case=case, requires=step.requires, auto_id=f"id_{step.code}_%s"
        )
        steps.append({"step": step, "label": workflows.display_label(step.label), "form": form})
    handles = permissions.may(request.user, HANDLE, case)
    clocks = list(
        case.clocks.select_related("link__supporting_service", "link__supplier", "agreement").order_by("link_id", "name")
    )
    timelines = _timelines(case, definition)
    for clock in clocks:
        clock.timeline = timelines.get((clock.name, clock.link_id), [])  # type: ignore[attr-defined]
    events = list(case.events.select_related("actor__person", "team", "assignee", "supplier").order_by("-at", "-id")[:200])
    from regie.cases import change_views

    return render(
        request,
        "cases/case_detail.html",
        {
            **change_views.change_section(request, case),
            "case": case,
            "state": state,
            "state_label": workflows.display_label(state.label),
            "instruction": workflows.display_label(state.instruction),
            "steps": steps,
            "handles": handles,
            "assign_form": bound.get("assign_form")
            or (forms.AssignForm(case=case, auto_id="id_assign_%s") if handles and case.is_open else None),
            "priority_form": bound.get("priority_form")
            or (
                forms.PriorityForm(
                    initial={"impact": case.impact, "urgency": case.urgency, "version": case.version}, auto_id="id_priority_%s"
                )
                if handles and case.is_open
                else None
            ),
            "comment_form": bound.get("comment_form") or forms.CommentForm(auto_id="id_comment_%s"),
            "clocks": clocks,
            "events": events,
            "links": _links(request.user, case),
            "link_kinds": LinkKind.choices,
            "now": timezone.now(),
        },
    )


def _write(
    request: HttpRequest, case: Case, form: Any, write: Callable[[dict[str, Any]], Any], done: Callable[[], str], **bound: Any
) -> HttpResponse:
    """A case's form posted: the write (through ``services``) and back to the case with the outcome, or
    the case's page again with the form's errors. A stale form changes nothing and says so."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except StaleWrite:
            messages.error(request, _("Someone else changed this case meanwhile; here it is as it stands now."))
            return redirect(case)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done())
            return redirect(case)
    case.refresh_from_db()
    return case_detail(request, case.pk, **bound)


@require_POST
def case_step(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    case = _case(request, pk)
    try:
        step = case.workflow_version.parsed().transition(code)
    except KeyError:
        raise Http404 from None
    form = forms.StepForm(request.POST, case=case, requires=step.requires, auto_id=f"id_{code}_%s")
    return _write(
        request,
        case,
        form,
        lambda data: services.case_transition(
            actor=request.user,
            case=case,
            transition=code,
            note=data["note"],
            fields=form.step_fields(),
            expected_version=_version(request),
        ),
        lambda: _("%(case)s: %(step)s.") % {"case": case.number, "step": workflows.display_label(step.label)},
        forms_by_step={code: form},
    )


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = forms.AssignForm(request.POST, case=case, auto_id="id_assign_%s")
    return _write(
        request,
        case,
        form,
        lambda data: services.case_assign(
            actor=request.user,
            case=case,
            team=data["team"],
            assignee=data["assignee"],
            supplier=data["supplier"],
            note=data["note"],
            expected_version=data["version"],
        ),
        lambda: _("%(case)s is assigned.") % {"case": case.number},
        assign_form=form,
    )


@require_POST
def case_priority(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = forms.PriorityForm(request.POST, auto_id="id_priority_%s")
    return _write(
        request,
        case,
        form,
        lambda data: services.case_prioritise(
            actor=request.user,
            case=case,
            impact=data["impact"],
            urgency=data["urgency"],
            note=data["note"],
            expected_version=data["version"],
        ),
        lambda: _("%(case)s now has priority %(priority)s.") % {"case": case.number, "priority": case.priority},
        priority_form=form,
    )


@require_POST
def case_comment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = forms.CommentForm(request.POST, auto_id="id_comment_%s")
    if form.is_valid():
        try:
            services.case_comment(actor=request.user, case=case, note=form.cleaned_data["note"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(case)
    return case_detail(request, pk, comment_form=form)


def queue(request: HttpRequest) -> HttpResponse:
    """A team's queue: its open cases, most urgent first, those about to breach and breached marked;
    the teams offered are the person's own, and for those who handle cases every team."""
    person = getattr(request.user, "person", None)
    teams = Team.objects.active().order_by("name")
    if not permissions.holds_anywhere(request.user, HANDLE):
        teams = teams.filter(members=person) if person is not None else teams.none()
    team_list = list(teams)
    if not team_list:
        raise PermissionDenied
    own = set(Team.objects.filter(members=person).values_list("pk", flat=True)) if person is not None else set()
    chosen = (
        next((t for t in team_list if str(t.pk) == request.GET.get("team")), None)
        or next((t for t in team_list if t.pk in own), None)
        or team_list[0]
    )
    cases = visible_cases(request.user).filter(team=chosen, closed_at__isnull=True).order_by("priority", "opened_at", "pk")
    page = Paginator(_with_clocks(cases), 50).get_page(request.GET.get("page"))
    rows = _rows(list(page.object_list))
    return render(
        request,
        "cases/queue.html",
        {
            "teams": team_list,
            "team": chosen,
            "query": urlencode({"team": chosen.pk}),
            "page": page,
            "rows": rows,
            "unassigned": sum(1 for r in rows if r["case"].assignee_id is None),
            "warned": sum(1 for r in rows if r["warn"]),
            "breached": sum(1 for r in rows if r["clock"] is not None and r["clock"].breached),
        },
    )


def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A workflow's current version: its states with their work instructions, and its steps with who
    may take them and what they need."""
    from regie.cases.models import Workflow

    workflow = get_object_or_404(Workflow.objects.visible_to(request.user), pk=pk)
    version = workflow.current_version()
    if version is None:
        raise Http404
    definition = version.parsed()
    return render(
        request,
        "cases/workflow_detail.html",
        {
            "workflow": workflow,
            "version": version,
            "states": [(s, workflows.display_label(s.label), workflows.display_label(s.instruction)) for s in definition.states],
            "steps": [(t, workflows.display_label(t.label)) for t in definition.transitions],
            "versions": list(workflow.versions.order_by("-number")),
            "can_change": permissions.may(request.user, permissions.action_for(Workflow, "change"), workflow),
        },
    )


def _links(user: Any, case: Case) -> list[tuple[str, Case]]:
    """The cases linked to this one that the person may see, as "(how) case"."""
    from regie.cases.models import CaseLink

    visible = visible_cases(user).values("pk")
    found = [
        (link.get_kind_display(), link.target)
        for link in CaseLink.objects.filter(source=case, target__in=visible).select_related("target")
    ]
    found += [
        (_("is linked from"), link.source)
        for link in CaseLink.objects.filter(target=case, source__in=visible).select_related("source")
    ]
    return found


@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    number = request.POST.get("number", "").strip().upper()
    target = visible_cases(request.user).filter(number=number).first()
    if target is None:
        messages.error(request, _("No case %(number)s that you may see.") % {"number": number or "–"})
        return redirect(case)
    try:
        services.case_link(actor=request.user, case=case, target=target, kind=request.POST.get("kind", ""))
    except (PermissionDenied, ValidationError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    return redirect(case)


def known_errors(request: HttpRequest) -> HttpResponse:
    """Problems whose cause is known and that have a workaround: where the desk looks first."""
    problems = visible_cases(request.user).filter(kind=CaseKind.PROBLEM).exclude(workaround="")
    query = request.GET.get("q", "").strip()
    if query:
        problems = problems.filter(Q(title__icontains=query) | Q(workaround__icontains=query) | Q(cause__icontains=query))
    page = Paginator(problems.select_related("service").order_by("-opened_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "cases/known_errors.html", {"page": page, "q": query})


def workflow_list(request: HttpRequest) -> HttpResponse:
    """The workflows: one per process and domain, or the organisation's default, with its current version."""
    from regie.cases.models import Workflow

    if not permissions.holds_anywhere(request.user, "cases.view_workflow"):
        raise PermissionDenied
    for kind in CaseKind.values:  # every process shows its standard workflow, even before its first case
        services.workflow_version_for(kind, None)
    rows = [(w, w.current_version()) for w in Workflow.objects.active().visible_to(request.user).select_related("domain")]
    may_add = permissions.holds_anywhere(request.user, permissions.action_for(Workflow, "add"))
    return render(request, "cases/workflow_list.html", {"rows": rows, "may_add": may_add})


def workflow_new(request: HttpRequest) -> HttpResponse:
    """A domain's own workflow for a process, starting as a copy of the organisation's."""
    from regie.cases.models import Workflow
    from regie.core.models import Domain

    action = permissions.action_for(Workflow, "add")
    if not permissions.holds_anywhere(request.user, action):
        raise PermissionDenied
    domains = [
        d
        for d in Domain.objects.active().select_related("scope").order_by("name")
        if permissions.may(request.user, action, scope=d.scope)
    ]
    values = {
        "kind": request.POST.get("kind", ""),
        "domain": request.POST.get("domain", ""),
        "name": request.POST.get("name", ""),
    }
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        domain = next((d for d in domains if str(d.pk) == values["domain"]), None)
        try:
            workflow = services.workflow_create(actor=request.user, kind=values["kind"], domain=domain, name=values["name"])
        except ValidationError as error:
            problems = error.message_dict
        else:
            messages.success(
                request,
                _("%(workflow)s is in use for the domain's new cases; change it with a new version.") % {"workflow": workflow},
            )
            return redirect("cases:workflow_detail", pk=workflow.pk)
    return render(
        request,
        "cases/workflow_new.html",
        {"kinds": CaseKind.choices, "domains": domains, "values": values, "problems": problems},
    )


def workflow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of a workflow: its definition as JSON, checked whole; running cases keep theirs."""
    import json

    from regie.cases.models import Workflow

    workflow = get_object_or_404(Workflow.objects.visible_to(request.user), pk=pk)
    if not permissions.may(request.user, permissions.action_for(Workflow, "change"), workflow):
        raise PermissionDenied
    current = workflow.current_version()
    text = json.dumps(current.definition if current else {}, indent=2, ensure_ascii=False)
    note = ""
    problems: list[str] = []
    if request.method == "POST":
        text, note = request.POST.get("definition", ""), request.POST.get("note", "").strip()[:300]
        try:
            definition = json.loads(text)
        except ValueError as error:
            problems = [_("This is not valid JSON: %(error)s") % {"error": error}]
        else:
            try:
                version = services.workflow_version_add(actor=request.user, workflow=workflow, definition=definition, note=note)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    _("Version %(number)s of %(workflow)s is in use for new cases.")
                    % {"number": version.number, "workflow": workflow},
                )
                return redirect("cases:workflow_detail", pk=workflow.pk)
    return render(
        request,
        "cases/workflow_edit.html",
        {"workflow": workflow, "current": current, "text": text, "note": note, "problems": problems},
    )


def _timelines(case: Case, definition: Any) -> dict[tuple[str, int | None], list[dict[str, Any]]]:
    """Each clock's timeline, computed now from the case's history: its stretches with their share of the
    whole (for the bar), mode, state and business minutes."""
    from regie.cases import clocks

    result: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    labels = {state.code: workflows.display_label(state.label) for state in definition.states}
    # A link's clock follows whether the link holds the case rather than the case's states.
    held = {
        "held": _("held by this link"),
        "acted": _("held by this link, responded"),
        "released": _("with someone else"),
        "stopped": _("resolved"),
    }
    for holder, computed in clocks.compute(case):
        names = labels if holder.link is None else held
        segments = list(computed.timeline)
        total = sum((s.end - s.start).total_seconds() for s in segments) or 1
        result[(computed.name, holder.link.pk if holder.link is not None else None)] = [
            {
                "start": s.start,
                "end": s.end,
                "mode": s.mode,
                "state": names.get(s.state, s.state),
                "minutes": s.business_minutes,
                "elapsed": s.elapsed_after,
                "share": max(0.5, 100 * (s.end - s.start).total_seconds() / total),
            }
            for s in segments
        ]
    return result
