"""The portfolio's own pages: status reports, gate reviews and decisions, gate conditions, the
portfolio overview with its exports, and the project import. Portfolios, programmes and projects
themselves are generic record pages (``ui.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from regie.core import permissions
from regie.core.forms import ImportForm
from regie.core.generic import attach_errors, posted_version, style_widgets
from regie.core.models import Domain, Person
from regie.core.services import StaleWrite
from regie.portfolio import reporting, selectors, services, tasks
from regie.portfolio.choices import DIMENSIONS, ActionStatus, Assessment, GateOutcome, Rag
from regie.portfolio.models import GateCondition, Phase, Portfolio, Programme, Project, StatusReport

# --- gates ----------------------------------------------------------------------------------------


class ConditionForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Condition"), required=False, max_length=2000)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=Person.objects.none(), required=False)
    due_date = forms.DateField(
        label=gettext_lazy("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.active().order_by("family_name", "given_name")  # type: ignore[attr-defined]
        style_widgets(self)


ConditionFormSet = forms.formset_factory(ConditionForm, extra=3, max_num=20)


class GateDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=GateOutcome.choices)
    rationale = forms.CharField(label=gettext_lazy("Rationale"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _project(request: HttpRequest, pk: int) -> Project:
    """The project, if the user may see it, with what the parts a user plays are read from."""
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404(_("No such record, or you may not see it."))
    return project


def gate_decision(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not services.parts(request.user, project).decide_gate:
        raise PermissionDenied
    form = GateDecisionForm(request.POST or None, initial={"version": project.version})
    conditions = ConditionFormSet(request.POST or None, prefix="conditions")
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        rows = [
            {"description": c["description"], "owner": c["owner"].pk if c.get("owner") else None, "due_date": c["due_date"]}
            for c in (f.cleaned_data for f in conditions.forms)
            if c and (c.get("description") or c.get("owner") or c.get("due_date"))
        ]
        try:
            services.gate_decide(
                actor=request.user,
                project=project,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                conditions=rows,
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, _("Gate decision recorded."))
            return HttpResponseRedirect(project.get_absolute_url())
        except ValidationError as error:
            _attach_condition_errors(conditions, error)
            attach_errors(form, _without_condition_rows(error))
        except StaleWrite as stale:
            form.add_error(None, str(stale))
    context = {
        "project": project,
        "form": form,
        "conditions": conditions,
        "review": services.open_review(project),
        "missing": services.missing_fields(project),
    }
    return render(request, "portfolio/gate_decision.html", context, status=400 if request.method == "POST" else 200)


def _attach_condition_errors(formset: Any, error: ValidationError) -> None:
    for key, messages_ in getattr(error, "message_dict", {}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "conditions" and parts[1].isdigit() and int(parts[1]) < len(formset.forms):
            for message in messages_:
                formset.forms[int(parts[1])].add_error(parts[2] if parts[2] in formset.forms[0].fields else None, message)


def _without_condition_rows(error: ValidationError) -> ValidationError:
    if not hasattr(error, "message_dict"):
        return error
    kept = {k: v for k, v in error.message_dict.items() if not k.startswith("conditions.")}
    return ValidationError(kept) if kept else ValidationError([])


class GateReviewForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"), choices=[("", "—"), *GateOutcome.choices], required=False
    )
    summary = forms.CharField(label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, criteria: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for index, criterion in enumerate(criteria):
            self.fields[f"assessment_{index}"] = forms.ChoiceField(
                label=criterion, choices=[("", "—"), *Assessment.choices], required=False
            )
            self.fields[f"evidence_{index}"] = forms.CharField(
                label=gettext_lazy("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
            )
        style_widgets(self)

    def rows(self) -> list[tuple[str, Any, Any]]:
        return [(c, self[f"assessment_{i}"], self[f"evidence_{i}"]) for i, c in enumerate(self.criteria)]


def gate_review(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not services.parts(request.user, project).prepare_gate:
        raise PermissionDenied
    review = services.open_review(project)
    assert project.current_phase is not None
    items = list(review.items.all()) if review else []
    criteria = [i.criterion for i in items] if review else project.current_phase.criteria()
    initial: dict[str, Any] = {"version": review.version if review else None}
    if review:
        initial.update(recommendation=review.recommendation, summary=review.summary)
        for index, item in enumerate(items):
            initial[f"assessment_{index}"] = item.assessment
            initial[f"evidence_{index}"] = item.evidence
    form = GateReviewForm(request.POST or None, initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_prepare(
                actor=request.user,
                project=project,
                items=[{"assessment": data[f"assessment_{i}"], "evidence": data[f"evidence_{i}"]} for i in range(len(criteria))],
                recommendation=data["recommendation"],
                summary=data["summary"],
                expected_version=data.get("version"),
            )
            messages.success(request, _("Gate review saved."))
            return HttpResponseRedirect(project.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
    context = {"project": project, "form": form, "review": review, "missing": services.missing_fields(project)}
    return render(request, "portfolio/gate_review.html", context, status=400 if form.errors else 200)


@require_POST
def condition_update(request: HttpRequest, pk: int) -> HttpResponse:
    condition = GateCondition.objects.visible_to(request.user).filter(pk=pk).select_related("project").first()
    if condition is None:
        raise Http404
    status = ActionStatus.DONE if request.POST.get("status") == ActionStatus.DONE else ActionStatus.OPEN
    try:
        services.condition_update(
            actor=request.user,
            condition=condition,
            status=status,
            note=request.POST.get("note", ""),
            expected_version=posted_version(request),
        )
        messages.success(request, _("Condition updated."))
    except (StaleWrite, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return HttpResponseRedirect(condition.get_absolute_url())


# --- status reports -------------------------------------------------------------------------------


class StatusReportForm(forms.ModelForm):
    class Meta:
        model = StatusReport
        fields = ["period_start", "period_end", *reporting.CONTENT_FIELDS]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{f"{name}_rationale": forms.Textarea(attrs={"rows": 2}) for name in ["overall", *(d for d, _l in DIMENSIONS)]},
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ("summary", "achievements", "plans", "decisions_needed", "top_risks")
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.supersedes_id:
            for name in ("period_start", "period_end"):
                self.fields[name].disabled = True
        style_widgets(self)

    def rating_rows(self) -> list[tuple[Any, Any]]:
        return [(self[name], self[f"{name}_rationale"]) for name in ["overall", *(d for d, _l in DIMENSIONS)]]

    def text_fields(self) -> list[Any]:
        return [self[name] for name in ("summary", "achievements", "plans", "decisions_needed", "top_risks")]


def _report(request: HttpRequest, pk: int) -> StatusReport:
    report = (
        StatusReport.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("project", "project__latest_report", "supersedes", "drafted_by", "submitted_by")
        .prefetch_related("project__pmo_officers", "project__steering_committee")
        .first()
    )
    if report is None:
        raise Http404(_("No such report, or you may not see it."))
    return report


@require_POST
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    try:
        report = reporting.report_start(actor=request.user, project=project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(project.get_absolute_url())
    messages.success(request, _("Draft started, pre-filled from the latest report."))
    return HttpResponseRedirect(reverse("portfolio:report_edit", args=[report.pk]))


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    user_parts = services.parts(request.user, report.project)
    person = services.person_of(request.user)
    acknowledgements = list(report.acknowledgements.select_related("person"))
    context = {
        "report": report,
        "project": report.project,
        "parts": user_parts,
        "ratings": report.ratings(),
        "comments": report.comments.select_related("author"),
        "acknowledgements": acknowledgements,
        "acknowledged": person is not None and any(a.person_id == person.pk for a in acknowledgements),
        "revisions": report.project.status_reports.filter(period_start=report.period_start).order_by("-revision"),
    }
    return render(request, "portfolio/report_detail.html", context)


def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not services.parts(request.user, report.project).draft_report:
        raise PermissionDenied
    if not report.is_draft:
        messages.error(request, _("A submitted report is never changed: correct it with a new revision."))
        return HttpResponseRedirect(report.get_absolute_url())
    form = StatusReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if not form.fields[name].disabled}
        report.refresh_from_db()
        try:
            reporting.report_update(actor=request.user, report=report, data=data, expected_version=posted_version(request))
            if request.POST.get("then") == "submit":
                reporting.report_submit(actor=request.user, report=report, expected_version=report.version)
                messages.success(request, _("Report submitted."))
            else:
                messages.success(request, _("Draft saved."))
            return HttpResponseRedirect(report.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
    context = {
        "report": report,
        "project": report.project,
        "form": form,
        "parts": services.parts(request.user, report.project),
        "suggestion": reporting.schedule_suggestion(report.project),
    }
    return render(request, "portfolio/report_form.html", context, status=400 if form.errors else 200)


def _report_action(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    report = _report(request, pk)
    try:
        result = act(report)
        messages.success(request, done)
        if isinstance(result, StatusReport) and result.pk != report.pk:
            return HttpResponseRedirect(reverse("portfolio:report_edit", args=[result.pk]))
    except (ValidationError, StaleWrite) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return HttpResponseRedirect(report.get_absolute_url())


@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_action(
        request,
        pk,
        lambda r: reporting.report_submit(actor=request.user, report=r, expected_version=posted_version(request)),
        _("Report submitted."),
    )


@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_action(
        request, pk, lambda r: reporting.report_correct(actor=request.user, report=r), _("Correction started as a new revision.")
    )


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_action(
        request,
        pk,
        lambda r: reporting.report_comment(actor=request.user, report=r, text=request.POST.get("text", "")),
        _("Comment added."),
    )


@require_POST
def report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_action(
        request, pk, lambda r: reporting.report_acknowledge(actor=request.user, report=r), _("Report acknowledged.")
    )


# --- portfolio overview ---------------------------------------------------------------------------


class OverviewForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    domain = forms.ModelChoiceField(label=gettext_lazy("Domain"), queryset=Domain.objects.none(), required=False)
    portfolio = forms.ModelChoiceField(label=gettext_lazy("Portfolio"), queryset=Portfolio.objects.none(), required=False)
    programme = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none(), required=False)
    phase = forms.ChoiceField(label=gettext_lazy("Phase"), required=False)
    rag = forms.ChoiceField(
        label=gettext_lazy("RAG"),
        required=False,
        choices=[("", "—"), *Rag.choices, ("none", gettext_lazy("no report yet"))],
    )
    dimension = forms.ChoiceField(
        label=gettext_lazy("Dimension"),
        required=False,
        choices=[("overall", gettext_lazy("Overall")), *DIMENSIONS],
    )
    manager = forms.ModelChoiceField(label=gettext_lazy("Project manager"), queryset=Person.objects.none(), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Report overdue"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(s, s) for key in selectors.SORTS for s in (key, f"-{key}")], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.active().visible_to(user)  # type: ignore[attr-defined]
        self.fields["portfolio"].queryset = Portfolio.objects.active().visible_to(user)  # type: ignore[attr-defined]
        self.fields["programme"].queryset = Programme.objects.active().visible_to(user)  # type: ignore[attr-defined]
        self.fields["manager"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            # The managers' ids first: a few hundred at most, and a plain lookup after.
            pk__in=list(
                selectors.visible_projects(user)
                .exclude(project_manager=None)
                .values_list("project_manager", flat=True)
                .distinct()
            )
        ).order_by("family_name", "given_name")
        self.fields["phase"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (name, name) for name in Phase.objects.order_by("order", "name").values_list("name", flat=True).distinct()
        ]
        style_widgets(self)

    def filters(self) -> selectors.OverviewFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.OverviewFilters(
            q=data.get("q") or "",
            domain=data["domain"].pk if data.get("domain") else None,
            portfolio=data["portfolio"].pk if data.get("portfolio") else None,
            programme=data["programme"].pk if data.get("programme") else None,
            phase=data.get("phase") or "",
            rag=data.get("rag") or "",
            dimension=data.get("dimension") or "overall",
            manager=data["manager"].pk if data.get("manager") else None,
            overdue=bool(data.get("overdue")),
            sort=data.get("sort") or "code",
        )


def overview(request: HttpRequest) -> HttpResponse:
    if (
        not permissions.holds_anywhere(request.user, "portfolio.view_project")
        and not selectors.visible_projects(request.user).exists()
    ):
        raise PermissionDenied
    form = OverviewForm(request.GET or None, user=request.user)
    filters = form.filters()
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            job = tasks.enqueue_export(request.user, kind, filters.__dict__)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])) or _("You may not export the portfolio."))
            return HttpResponseRedirect(request.get_full_path())
        return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
    projects = selectors.overview(request.user, filters)
    page = Paginator(projects.values_list("pk", flat=True), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    tally = selectors.counts(projects)
    context = {
        "form": form,
        "page": page,
        "rows": [selectors.row(p) for p in selectors.load(list(page.object_list))],
        "tally": tally,
        "sort": filters.sort,
        "query": params.urlencode(),
        "query_without_sort": "&".join(f"{k}={v}" for k, v in params.items() if k != "sort"),
        "dimensions": [("overall", _("Overall")), *DIMENSIONS],
        "funnel": [{"name": p["name"] or _("No life cycle"), "value": p["count"]} for p in tally["phases"]],
        "can_export": permissions.holds_anywhere(request.user, "portfolio.export_portfolio"),
    }
    return render(request, "portfolio/overview.html", context)


# --- import ---------------------------------------------------------------------------------------


def project_import(request: HttpRequest) -> HttpResponse:
    if not permissions.holds_anywhere(request.user, "portfolio.import_project"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = tasks.enqueue_import(request.user, form.cleaned_data["file"])
            return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
        except ValidationError as error:
            attach_errors(form, error)
    return render(request, "portfolio/project_import.html", {"form": form}, status=400 if form.errors else 200)
