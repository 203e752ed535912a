"""Meeting pages: preparing a meeting from the project's data, the agenda and the minutes on one page,
recording decisions and actions into the RAID log, the Word export and the printable page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.generic import attach_errors, bound_model_choices, parse_id, posted_version, style_widgets
from regie.core.models import Person
from regie.core.services import StaleWrite
from regie.engagement import meetings
from regie.engagement.choices import AgendaKind, MeetingKind, MeetingState
from regie.engagement.minutes import build_docx
from regie.engagement.models import AgendaItem, Meeting
from regie.portfolio.models import Project
from regie.raid.models import RiskScale

PEOPLE = Person.objects.filter(archived_at__isnull=True).order_by("family_name", "given_name")


class PrepareForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_model_choices(self)

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=gettext_lazy("Location"), max_length=200, required=False)
    chair = forms.ModelChoiceField(label=gettext_lazy("Chair"), queryset=PEOPLE, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Attendees"), queryset=PEOPLE, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    risk_threshold = forms.IntegerField(
        label=gettext_lazy("Risks from exposure"),
        min_value=1,
        max_value=49,
        help_text=gettext_lazy("Open risks whose current exposure reaches this go on the agenda."),
    )


class DecisionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_model_choices(self)

    title = forms.CharField(label=gettext_lazy("Decision"), max_length=200, required=False)
    decided_by = forms.ModelChoiceField(label=gettext_lazy("Decided by"), queryset=PEOPLE)
    basis = forms.CharField(label=gettext_lazy("Basis"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_model_choices(self)

    title = forms.CharField(label=gettext_lazy("Action"), max_length=200)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=PEOPLE)
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _project(request: HttpRequest, pk: int) -> Project:
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such record, or you may not see it."))
    return project


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = Meeting.objects.visible_to(request.user).filter(pk=pk).select_related("project", "chair", "secretary").first()
    if meeting is None:
        raise Http404(_("No such record, or you may not see it."))
    return meeting


def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Prepare a meeting of the project; the agenda is assembled on saving."""
    project = _project(request, pk)
    if not meetings.may_manage(request.user, project):
        raise PermissionDenied
    next_week = timezone.localdate() + timedelta(days=7)
    named = (
        [p for p in [project.sponsor, project.project_manager] if p]
        + list(project.steering_committee.all())
        + list(project.pmo_officers.all())
    )
    initial = {
        "kind": MeetingKind.STEERING_COMMITTEE,
        "title": _("Steering committee %(project)s") % {"project": project.code},
        "starts_at": timezone.make_aware(datetime.combine(next_week, time(10, 0))),
        "chair": project.sponsor,
        "attendees": list(dict.fromkeys(named)),
        "risk_threshold": RiskScale.current().red_from,
    }
    form = PrepareForm(request.POST or None, initial=initial)
    style_widgets(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.meeting_prepare(
                actor=request.user,
                project=project,
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                location=data["location"],
                chair=data["chair"],
                attendees=list(data["attendees"]),
                risk_threshold=data["risk_threshold"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Meeting prepared: the agenda was assembled from the project's data."))
            return HttpResponseRedirect(meeting.get_absolute_url())
    return render(request, "engagement/meeting_new.html", {"project": project, "form": form}, status=400 if form.errors else 200)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda and the minutes; those who may change the project take the minutes here."""
    meeting = _meeting(request, pk)
    may = meetings.may_manage(request.user, meeting.project) and meeting.state != MeetingState.CLOSED and not meeting.is_archived
    decision_form, action_form = (
        DecisionForm(prefix="decision"),
        ActionForm(prefix="action", initial={"due_date": timezone.localdate() + timedelta(days=14)}),
    )
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "minutes":
                per_item = {a.pk: request.POST.get(f"minutes-{a.pk}", a.minutes) for a in meeting.agenda.all()}
                meetings.minutes_save(
                    actor=request.user,
                    meeting=meeting,
                    notes=request.POST.get("notes", ""),
                    per_item=per_item,
                    expected_version=posted_version(request),
                )
                messages.success(request, _("Minutes saved."))
                return HttpResponseRedirect(meeting.get_absolute_url())
            if what == "decision":
                decision_form = DecisionForm(request.POST, prefix="decision")
                style_widgets(decision_form)
                if decision_form.is_valid():
                    data = decision_form.cleaned_data
                    item = meetings.record_decision(
                        actor=request.user,
                        meeting=meeting,
                        decided_by=data["decided_by"],
                        basis=data["basis"],
                        title=data["title"],
                        agenda_item=_point(meeting, request.POST.get("decision-agenda_item")),
                    )
                    messages.success(request, _("%(item)s recorded in the RAID log.") % {"item": item})
                    return HttpResponseRedirect(meeting.get_absolute_url() + "#outcomes")
            if what == "action":
                action_form = ActionForm(request.POST, prefix="action")
                style_widgets(action_form)
                if action_form.is_valid():
                    data = action_form.cleaned_data
                    item = meetings.record_action(
                        actor=request.user,
                        meeting=meeting,
                        title=data["title"],
                        owner=data["owner"],
                        due_date=data["due_date"],
                        agenda_item=_point(meeting, request.POST.get("action-agenda_item")),
                    )
                    messages.success(request, _("%(item)s recorded in the RAID log.") % {"item": item})
                    return HttpResponseRedirect(meeting.get_absolute_url() + "#outcomes")
            if what == "refresh":
                meetings.agenda_refresh(actor=request.user, meeting=meeting, expected_version=posted_version(request))
                messages.success(request, _("The agenda was assembled again from the project's data."))
                return HttpResponseRedirect(meeting.get_absolute_url())
            if what == "close":
                meetings.minutes_close(actor=request.user, meeting=meeting, expected_version=posted_version(request))
                messages.success(request, _("The minutes are final."))
                return HttpResponseRedirect(meeting.get_absolute_url())
        except StaleWrite as stale:
            messages.error(request, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            form = decision_form if what == "decision" else action_form
            attach_errors(form, error)
            if not form.errors:
                messages.error(request, " ".join(error.messages))
    style_widgets(decision_form)
    style_widgets(action_form)
    agenda = list(meeting.agenda.select_related("item").order_by("order"))
    outcomes = list(meeting.outcomes.select_related("item", "item__owner", "item__decided_by", "agenda_item"))
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "outcomes": outcomes,
        "may": may,
        "decision_form": decision_form,
        "action_form": action_form,
        "attendees": list(meeting.attendees.all()),
        "decision_points": [a for a in agenda if a.kind == AgendaKind.DECISION and a.item and a.item.status == "open"],
    }
    failed = decision_form.errors or action_form.errors
    return render(request, "engagement/meeting_detail.html", context, status=400 if failed else 200)


def _point(meeting: Meeting, value: str | None) -> AgendaItem | None:
    if not value:
        return None
    pk = parse_id(value)
    point = AgendaItem.objects.filter(pk=pk, meeting=meeting).first() if pk else None
    if point is None:
        raise ValidationError({"agenda_item": [_("This point is not on the meeting's agenda.")]})
    return point


def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda and the minutes on a page made for printing (and saving as PDF from the browser)."""
    meeting = _meeting(request, pk)
    return render(
        request,
        "engagement/meeting_print.html",
        {
            "meeting": meeting,
            "agenda": list(meeting.agenda.select_related("item").order_by("order")),
            "outcomes": list(meeting.outcomes.select_related("item", "item__owner", "item__decided_by")),
            "attendees": list(meeting.attendees.all()),
        },
    )


def meeting_docx(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    if part not in ("agenda", "minutes"):
        raise Http404
    data = build_docx(meeting, part)
    name = f"{slugify(meeting.title) or 'meeting'}-{timezone.localtime(meeting.starts_at):%Y%m%d}-{part}.docx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def meetings_section(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The project's meetings on its page: the coming ones and the last ones, and preparing a new one."""
    now = timezone.now()
    visible = Meeting.objects.active().visible_to(request.user).filter(project=project)
    return {
        "template": "engagement/_meetings_section.html",
        "project": project,
        "coming": list(visible.filter(starts_at__gte=now).order_by("starts_at")[:5]),
        "past": list(visible.filter(starts_at__lt=now).order_by("-starts_at")[:5]),
        "may": meetings.may_manage(request.user, project) and not project.is_archived,
    }
