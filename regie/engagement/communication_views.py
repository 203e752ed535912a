"""The communication plan's pages: the plan of a project with what was sent, adding and changing a line,
and the link that stops a line's announcements."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from regie.core.generic import ScopedModelForm, attach_errors, posted_version, sheet_response
from regie.core.services import StaleWrite
from regie.engagement import communication
from regie.engagement.models import CommunicationItem, CommunicationSend
from regie.governance.services import manages
from regie.portfolio.models import Project


class ItemForm(ScopedModelForm):
    class Meta:
        model = CommunicationItem
        fields = list(communication.ITEM_FIELDS)
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "next_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's communication plan: its lines, adding one, and the emails sent for the project."""
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404(_("No such record, or you may not see it."))
    may = manages(request.user, project.scope)
    form = ItemForm(request.POST or None, user=request.user) if may else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                communication.item_create(actor=request.user, project=project, data=form.cleaned_data)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("Added to the communication plan."))
                return HttpResponseRedirect(request.path)
    items = list(
        CommunicationItem.objects.active().filter(project=project).select_related("owner").prefetch_related("recipients")
    )
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        header = [
            _("Audience"),
            _("Message"),
            _("Channel"),
            _("Frequency"),
            _("Subject"),
            _("Recipients"),
            _("Next on"),
            _("Owner"),
            _("Active"),
        ]
        rows = (
            [
                i.audience,
                i.message,
                i.get_channel_display(),
                i.get_frequency_display(),
                i.subject,
                ", ".join(str(p) for p in i.recipients.all()),
                i.next_date or "",
                i.owner,
                _("yes") if i.active else _("no"),
            ]
            for i in items
        )
        return sheet_response(export, f"communication-{project.code}", header, rows, _("Communication plan"))
    sends = list(CommunicationSend.objects.filter(project=project).select_related("recipient")[:50])
    context = {"project": project, "items": items, "sends": sends, "form": form, "may": may}
    return render(request, "engagement/communication.html", context, status=400 if form is not None and form.errors else 200)


def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = CommunicationItem.objects.visible_to(request.user).filter(pk=pk).select_related("project").first()
    if item is None:
        raise Http404(_("No such record, or you may not see it."))
    if not manages(request.user, item.project.scope):
        raise PermissionDenied
    back = reverse("engagement:communication", args=[item.project_id])
    form = ItemForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            communication.item_update(
                actor=request.user, item=item, data=form.cleaned_data, expected_version=posted_version(request)
            )
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": item})
            return HttpResponseRedirect(back)
    return render(
        request,
        "engagement/communication_form.html",
        {"form": form, "item": item, "back": back},
        status=400 if form.errors else 200,
    )


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an announcement: after confirming, that line's announcements stop for this person."""
    if request.method == "POST":
        try:
            item = communication.unsubscribe(token=token, user=request.user)
        except ValidationError as error:
            return render(request, "engagement/unsubscribe.html", {"error": " ".join(error.messages)}, status=400)
        return render(request, "engagement/unsubscribe.html", {"done": item})
    return render(request, "engagement/unsubscribe.html", {"token": token})
