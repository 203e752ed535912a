"""Core's own pages: home, My work, search, profile and tokens, roles, people import and invitations,
and background-job progress. Generic record pages are in ``generic.py``."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.core import jobs, navigation, permissions, selectors, services
from regie.core.forms import ImportForm, RoleAssignmentForm, TokenForm
from regie.core.generic import attach_errors
from regie.core.models import ApiToken, Person, RoleAssignment
from regie.core.ui import PEOPLE


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"counts": selectors.organisation_counts(request.user)})


def my_work(request: HttpRequest) -> HttpResponse:
    sections = [s for s in (section(request.user) for section in navigation.MY_WORK) if s]
    return render(request, "core/my_work.html", {"sections": sections})


def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    groups = selectors.search(request.user, query) if len(query) >= 2 else []
    return render(request, "core/search.html", {"query": query, "search_query": query, "groups": groups})


# --- profile and API tokens -----------------------------------------------------------------------


def profile(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data.get("expires_at")
        expires_at = timezone.make_aware(datetime.combine(expires, time(23, 59))) if expires else None
        try:
            _token, new_token = services.token_create(user=request.user, name=form.cleaned_data["name"], expires_at=expires_at)
            form = TokenForm()
        except ValidationError as error:
            attach_errors(form, error)
    person = Person.objects.filter(user_id=_uid(request)).select_related("org_unit", "job_profile").first()
    assignments = RoleAssignment.objects.filter(person__user_id=_uid(request)).select_related("scope").order_by("scope__path")
    return render(
        request,
        "core/profile.html",
        {
            "person": person,
            "assignments": assignments,
            "tokens": ApiToken.objects.filter(user_id=_uid(request)),
            "form": form,
            "new_token": new_token,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%s” revoked.") % token.name)
    return HttpResponseRedirect(reverse("core:profile"))


# --- roles ----------------------------------------------------------------------------------------


def roles(request: HttpRequest) -> HttpResponse:
    if not permissions.holds_anywhere(request.user, "core.manage_roles"):
        raise PermissionDenied
    form = RoleAssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Role assigned."))
            return HttpResponseRedirect(reverse("core:roles"))
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied:
            form.add_error("scope", _("You may not assign roles on this scope."))
    assignments = (
        selectors.manageable_assignments(request.user)
        .select_related("person")
        .order_by("scope__path", "role", "person__family_name")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        assignments = assignments.filter(
            Q(person__family_name__icontains=query) | Q(person__given_name__icontains=query) | Q(scope__name__icontains=query)
        )
    return render(
        request,
        "core/roles.html",
        {
            "form": form,
            "assignments": assignments[:500],
            "roles": list(permissions.ROLES.values()),
            "actions": permissions.ACTIONS,
            "query": query,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def role_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(RoleAssignment.objects.select_related("scope", "person"), pk=pk)
    services.role_withdraw(actor=request.user, assignment=assignment)
    messages.success(request, _("Role withdrawn."))
    return HttpResponseRedirect(reverse("core:roles"))


# --- people: import and invitation ---------------------------------------------------------------


def people_import(request: HttpRequest) -> HttpResponse:
    if not permissions.holds_anywhere(request.user, "core.import_person"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)
        job = jobs.enqueue(
            "core.import_people",
            label=_("Import people from %s") % upload.name[:100],
            requested_by=request.user,
            path=stored,
            filename=upload.name,
        )
        return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
    return render(request, "core/people_import.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def person_invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = PEOPLE.get_object(request, pk)
    try:
        services.person_invite(actor=request.user, person=person)
        messages.success(request, _("Invitation sent to %s.") % person.email)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(person.get_absolute_url())


# --- jobs -----------------------------------------------------------------------------------------


def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/jobs.html", {"jobs": selectors.visible_jobs(request.user).select_related("requested_by")[:200]})


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such job, or you may not see it."))
    if request.GET.get("format") == "json":
        return JsonResponse(selectors.job_state(job))
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such job, or you may not see it."))
    return selectors.job_file_response(job)


def _uid(request: HttpRequest) -> int:
    """The signed-in user's id (0, which matches nothing, for anyone else)."""
    return int(request.user.pk or 0)
