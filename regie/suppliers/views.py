"""Contract management's pages: the supplier page, the agreement page with its versions, targets and
obligations, the workflow of a version (edit the draft, submit, approve, send back, start a new one) and
the obligation page. Every write goes through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.core import permissions
from regie.core.generic import attach_errors, parse_id, posted_version
from regie.core.services import StaleWrite
from regie.suppliers import selectors, services
from regie.suppliers.choices import VersionStatus
from regie.suppliers.forms import AgreementForm, CloseForm, DeliverForm, ObligationForm, TargetForm, VersionForm
from regie.suppliers.models import Agreement, AgreementVersion, Obligation, Organisation
from regie.suppliers.ui import AGREEMENTS, OBLIGATIONS, ORGANISATIONS


def _errors(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _posted_revision(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except (TypeError, ValueError):
        return None


# --- the supplier page ----------------------------------------------------------------------------


def organisation_detail(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """An external organisation's data, contacts, the contracts it holds, the services it supports, the
    projects it works on, and how it meets its obligations (late and missed ones flagged)."""
    ui = ORGANISATIONS
    context = ui._context(
        request,
        object=organisation,
        tab="details",
        can_change=permissions.may(request.user, ui.action("change"), organisation) and not organisation.is_archived,
        can_archive=permissions.may(request.user, ui.action("archive"), organisation),
        page=selectors.supplier_page(request.user, organisation),
        can_add_contact=permissions.may(request.user, "suppliers.add_contact", scope=organisation.scope),
        red_flags=selectors.RED_FLAGS,
    )
    return render(request, "suppliers/organisation_detail.html", context)


# --- agreements -----------------------------------------------------------------------------------


def agreement_detail(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    """Parties, the terms in force and their targets, the version being prepared with its workflow
    buttons, the version history and the obligations."""
    ui = AGREEMENTS
    user = request.user
    versions = list(selectors.versions_visible(user, agreement))
    current = agreement.current_version if agreement.current_version_id else None
    external = selectors.is_external_viewer(user, agreement)
    pending = next((v for v in versions if v.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)), None)
    keeps = services.may_keep(user, agreement) and not agreement.is_archived
    obligations = list(
        selectors.with_flags(selectors.obligations_visible(user).filter(agreement=agreement))
        .select_related("owner")
        .order_by("due_date", "pk")[:200]
    )
    context = ui._context(
        request,
        object=agreement,
        agreement=agreement,
        tab="details",
        can_change=keeps,
        can_archive=permissions.may(user, "suppliers.archive_agreement", scope=agreement.domain.scope),
        versions=versions,
        current=current,
        current_targets=list(current.targets.select_related("offering__service")) if current else [],
        current_services=list(current.services.all()) if current else [],
        current_offerings=list(current.offerings.select_related("service")) if current else [],
        pending=pending,
        pending_people=_pending_people(pending) if pending else None,
        workflow=_workflow(user, agreement, pending) if not external else {},
        obligations=obligations,
        can_add_obligation=not external
        and permissions.may(user, "suppliers.add_obligation", scope=agreement.domain.scope)
        and not agreement.is_archived,
        projects=list(agreement.projects.active().visible_to(user).order_by("code")),
        external=external,
        red_flags=selectors.RED_FLAGS,
    )
    return render(request, "suppliers/agreement_detail.html", context)


def _pending_people(version: AgreementVersion) -> dict[str, Any]:
    return {"specified_by": version.specified_by, "edited_by": list(version.edited_by.all())}


def _workflow(user: Any, agreement: Agreement, pending: AgreementVersion | None) -> dict[str, Any]:
    """The buttons the user may press on the agreement's version being prepared."""
    keeps = services.may_keep(user, agreement) and not agreement.is_archived
    approver = services.may_approve(user, agreement)
    person = services.person_of(user)
    shaped = pending is not None and person is not None and person.pk in services.specifiers(pending)
    return {
        "new_version": keeps and pending is None,
        "edit": keeps and pending is not None and pending.status == VersionStatus.DRAFT,
        "submit": keeps and pending is not None and pending.status == VersionStatus.DRAFT,
        "approve": approver and pending is not None and pending.status == VersionStatus.IN_REVIEW,
        "send_back": (keeps or approver) and pending is not None and pending.status == VersionStatus.IN_REVIEW,
        "specifier": shaped,
    }


def agreement_edit(request: HttpRequest, agreement: Agreement | None) -> HttpResponse:
    """Add an agreement, or change its parties (until a version is approved), people and projects."""
    user = request.user
    if agreement is None:
        if not permissions.holds_anywhere(user, "suppliers.add_agreement"):
            raise PermissionDenied
    elif not services.may_keep(user, agreement):
        raise PermissionDenied
    form = AgreementForm(request.POST or None, instance=agreement, user=user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        try:
            if agreement is None:
                agreement = services.agreement_create(actor=user, data=data)
                messages.success(request, _("%(name)s created.") % {"name": agreement})
            else:
                services.agreement_update(actor=user, agreement=agreement, data=data, expected_version=posted_version(request))
                messages.success(request, _("%(name)s saved.") % {"name": agreement})
            return HttpResponseRedirect(agreement.get_absolute_url())
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied) or _("You may not save this record here."))
    if agreement is not None and agreement.pk:
        agreement.refresh_from_db()
    status = 400 if form.errors else 200
    context = AGREEMENTS._context(request, form=form, object=agreement if agreement and agreement.pk else None, status=status)
    return render(request, "core/generic/form.html", context, status=status)


@require_POST
def agreement_archive(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    restore = request.POST.get("restore") == "1"
    try:
        services.agreement_archive(
            actor=request.user, agreement=agreement, expected_version=posted_version(request), restore=restore
        )
    except StaleWrite as stale:
        messages.error(request, str(stale))
    else:
        messages.success(request, (_("%(name)s restored.") if restore else _("%(name)s archived.")) % {"name": agreement})
    return HttpResponseRedirect(agreement.get_absolute_url())


# --- versions -------------------------------------------------------------------------------------


def _version(request: HttpRequest, pk: int, number: int) -> tuple[Agreement, AgreementVersion]:
    agreement = AGREEMENTS.get_object(request, pk)
    version = selectors.versions_visible(request.user, agreement).filter(number=number).first()
    if version is None:
        raise Http404(_("No such record, or you may not see it."))
    version.agreement = agreement
    return agreement, version


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version's terms and targets, what changed since the version before, and its workflow."""
    agreement, version = _version(request, pk, number)
    previous = selectors.versions_visible(request.user, agreement).filter(number__lt=number).order_by("-number").first()
    external = selectors.is_external_viewer(request.user, agreement)
    pending = version if version.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW) else None
    workflow = _workflow(request.user, agreement, pending) if not external else {}
    context = {
        "agreement": agreement,
        "external": external,
        "version": version,
        "previous": previous,
        "diff": selectors.version_diff(previous, version),
        "targets": list(version.targets.select_related("offering__service")),
        "services": list(version.services.all()),
        "offerings": list(version.offerings.select_related("service")),
        "people": _pending_people(version),
        "workflow": workflow,
        "target_form": TargetForm(version=version) if workflow.get("edit") else None,
    }
    return render(request, "suppliers/version_detail.html", context)


def version_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Edit a draft's terms; whoever saves a change joins those who may not approve it."""
    agreement, version = _version(request, pk, number)
    if not services.may_keep(request.user, agreement):
        raise PermissionDenied
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("Only a draft is edited. Start a new version to change the terms."))
        return HttpResponseRedirect(version.get_absolute_url())
    form = VersionForm(request.POST or None, instance=version, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        try:
            _saved, warnings = services.version_update(
                actor=request.user, version=version, data=data, expected_version=posted_version(request)
            )
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            attach_errors(form, error)
        except (PermissionDenied, services.RuleBroken) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("%(name)s saved.") % {"name": version})
            for warning in warnings:
                messages.warning(request, warning + " " + _("It cannot be submitted until the periods no longer overlap."))
            return HttpResponseRedirect(version.get_absolute_url())
        version.refresh_from_db()
    status = 400 if form.errors else 200
    return render(
        request, "suppliers/version_form.html", {"agreement": agreement, "version": version, "form": form}, status=status
    )


def _workflow_post(request: HttpRequest, pk: int, number: int, action: Any, done: Any) -> HttpResponse:
    """Run a workflow step; ``done`` is the success message, or a function of the version that returns it."""
    agreement, version = _version(request, pk, number)
    try:
        action(version)
    except services.SegregationOfDuties as refused:
        messages.error(request, str(refused))
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not do this here."))
    except (ValidationError, services.RuleBroken, StaleWrite) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, done(version) if callable(done) else done % {"name": version})
    return HttpResponseRedirect(version.get_absolute_url())


def _approved_message(version: AgreementVersion) -> str:
    if version.comes_into_force_later:
        return _("%(name)s approved; it comes into force on %(date)s.") % {
            "name": version,
            "date": date_format(version.start, "j M Y"),
        }
    return _("%(name)s approved; it is now in force.") % {"name": version}


@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new draft from the version in force."""
    agreement = AGREEMENTS.get_object(request, pk)
    try:
        draft = services.version_new(
            actor=request.user, agreement=agreement, change_summary=request.POST.get("change_summary", "")
        )
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not do this here."))
    except (ValidationError, services.RuleBroken) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Version %(number)s started as a draft.") % {"number": draft.number})
        return HttpResponseRedirect(reverse("suppliers:version_edit", args=[agreement.pk, draft.number]))
    return HttpResponseRedirect(agreement.get_absolute_url())


@require_POST
def version_submit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _workflow_post(
        request,
        pk,
        number,
        lambda v: services.version_submit(actor=request.user, version=v, expected_version=posted_version(request)),
        _("%(name)s submitted for approval."),
    )


@require_POST
def version_approve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _workflow_post(
        request,
        pk,
        number,
        lambda v: services.version_approve(actor=request.user, version=v, expected_version=posted_version(request)),
        _approved_message,
    )


@require_POST
def version_return(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _workflow_post(
        request,
        pk,
        number,
        lambda v: services.version_return(
            actor=request.user, version=v, reason=request.POST.get("reason", ""), expected_version=posted_version(request)
        ),
        _("%(name)s sent back to draft."),
    )


@require_POST
def target_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    agreement, version = _version(request, pk, number)
    form = TargetForm(request.POST, version=version)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[n].label}: {' '.join(map(str, e))}" for n, e in form.errors.items()))
        return HttpResponseRedirect(version.get_absolute_url())
    data = {name: form.cleaned_data[name] for name in form.fields}
    try:
        services.target_add(actor=request.user, version=version, data=data, expected_version=posted_version(request))
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not do this here."))
    except ValidationError as error:
        messages.error(request, _field_errors(error))
    except (services.RuleBroken, StaleWrite) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Target added."))
    return HttpResponseRedirect(version.get_absolute_url())


def _field_errors(error: ValidationError) -> str:
    from regie.suppliers.models import ServiceLevelTarget

    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for name, errors in error.message_dict.items():
        try:
            label = str(getattr(ServiceLevelTarget._meta.get_field(name), "verbose_name", name)).capitalize()
        except Exception:  # noqa: BLE001 - a field of another model: show its name as it is
            label = name
        parts.append(f"{label}: {' '.join(errors)}")
    return "; ".join(parts)


@require_POST
def target_remove(request: HttpRequest, pk: int, number: int, target_pk: int) -> HttpResponse:
    agreement, version = _version(request, pk, number)
    target = version.targets.filter(pk=target_pk).first()
    if target is None:
        raise Http404
    try:
        services.target_remove(actor=request.user, target=target, expected_version=posted_version(request))
    except PermissionDenied as refused:
        messages.error(request, str(refused) or _("You may not do this here."))
    except (ValidationError, services.RuleBroken, StaleWrite) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Target removed."))
    return HttpResponseRedirect(version.get_absolute_url())


# --- obligations ----------------------------------------------------------------------------------


def obligation_detail(request: HttpRequest, obligation: Obligation) -> HttpResponse:
    user = request.user
    agreement = obligation.agreement
    changeable = not obligation.is_archived and not agreement.is_archived
    manages = services.manages_obligations(user, agreement) and changeable
    may_deliver = permissions.may(user, "suppliers.change_obligation", obligation) and changeable
    context = OBLIGATIONS._context(
        request,
        object=obligation,
        tab="details",
        can_change=manages,
        can_archive=permissions.may(user, "suppliers.archive_obligation", scope=agreement.domain.scope),
        deliver_form=DeliverForm(initial={"delivered_on": timezone.localdate()}) if may_deliver else None,
        close_form=CloseForm(
            initial={"penalty_amount": obligation.penalty_amount, "consequence_kind": obligation.consequence_kind}
        )
        if manages
        else None,
        red=obligation.is_red,
    )
    return render(request, "suppliers/obligation_detail.html", context)


def obligation_edit(request: HttpRequest, obligation: Obligation | None) -> HttpResponse:
    """Change an obligation, or add one to the agreement named by ``?agreement=``."""
    user = request.user
    if obligation is None:
        agreement_pk = parse_id(request.GET.get("agreement"))
        agreement = selectors.agreements_visible(user).filter(pk=agreement_pk).first() if agreement_pk else None
        if agreement is None:
            if not permissions.holds_anywhere(user, "suppliers.add_obligation"):
                raise PermissionDenied
            messages.info(request, _("Add an obligation from its agreement's page."))
            return HttpResponseRedirect(reverse("suppliers:agreement_list"))
        if not permissions.may(user, "suppliers.add_obligation", scope=agreement.domain.scope):
            raise PermissionDenied
    else:
        agreement = obligation.agreement
        if not services.manages_obligations(user, agreement):
            raise PermissionDenied
    form = ObligationForm(request.POST or None, instance=obligation, user=user, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        try:
            if obligation is None:
                obligation = services.obligation_create(actor=user, agreement=agreement, data=data)
                messages.success(request, _("Obligation added."))
            else:
                services.obligation_update(
                    actor=user, obligation=obligation, data=data, expected_revision=_posted_revision(request)
                )
                messages.success(request, _("Obligation saved."))
            return HttpResponseRedirect(obligation.get_absolute_url())
        except StaleWrite as stale:
            form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        if obligation is not None and obligation.pk:
            obligation.refresh_from_db()
    status = 400 if form.errors else 200
    context = {"form": form, "object": obligation if obligation and obligation.pk else None, "agreement": agreement}
    return render(request, "suppliers/obligation_form.html", context, status=status)


@require_POST
def obligation_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = OBLIGATIONS.get_object(request, pk)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Delivered on: %(error)s") % {"error": " ".join(map(str, form.errors.get("delivered_on", [])))})
        return HttpResponseRedirect(obligation.get_absolute_url())
    try:
        _done, following = services.obligation_deliver(
            actor=request.user,
            obligation=obligation,
            delivered_on=form.cleaned_data["delivered_on"],
            expected_revision=_posted_revision(request),
        )
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except (ValidationError, services.RuleBroken, StaleWrite) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Delivery recorded: %(state)s.") % {"state": obligation.flag_label})
        if following is not None:
            messages.info(request, _("The next occurrence is due on %(date)s.") % {"date": following.due_date})
    return HttpResponseRedirect(obligation.get_absolute_url())


@require_POST
def obligation_close(request: HttpRequest, pk: int) -> HttpResponse:
    obligation = OBLIGATIONS.get_object(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[n].label}: {' '.join(map(str, e))}" for n, e in form.errors.items()))
        return HttpResponseRedirect(obligation.get_absolute_url())
    try:
        services.obligation_close(
            actor=request.user,
            obligation=obligation,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            penalty_amount=form.cleaned_data["penalty_amount"],
            consequence_kind=form.cleaned_data["consequence_kind"] or None,
            expected_revision=_posted_revision(request),
        )
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except (ValidationError, services.RuleBroken, StaleWrite) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The obligation is now %(state)s.") % {"state": obligation.get_status_display()})
    return HttpResponseRedirect(obligation.get_absolute_url())


@require_POST
def obligation_archive(request: HttpRequest, obligation: Obligation) -> HttpResponse:
    restore = request.POST.get("restore") == "1"
    try:
        services.obligation_archive(
            actor=request.user, obligation=obligation, expected_revision=_posted_revision(request), restore=restore
        )
    except PermissionDenied:
        raise
    except StaleWrite as stale:
        messages.error(request, str(stale))
    else:
        messages.success(request, (_("%(name)s restored.") if restore else _("%(name)s archived.")) % {"name": obligation})
    return HttpResponseRedirect(obligation.get_absolute_url())


# --- the project page -----------------------------------------------------------------------------


def project_section(request: HttpRequest, project: Any) -> dict[str, Any]:
    """The supplier contracts a project references, and their open obligations, on the project's page."""
    agreements = list(
        selectors.agreements_visible(request.user)
        .filter(projects=project)
        .select_related("provider_organisation", "current_version")
        .order_by("code")
    )
    obligations = list(
        selectors.with_flags(selectors.obligations_visible(request.user))
        .filter(agreement__in=[a.pk for a in agreements], status="open")
        .select_related("agreement")
        .order_by("due_date", "pk")[:20]
    )
    return {
        "template": "suppliers/_project_section.html",
        "supplier_agreements": agreements,
        "supplier_obligations": obligations,
    }
