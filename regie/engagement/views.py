"""The document register's own pages: a document with its versions, reviews and audit trail; registering
and changing a document; uploading a version; sending for review, reviewing and approving; superseding;
downloads. The register list, its exports and the field history are generic pages (``ui.py``)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.core import permissions
from regie.core.generic import _int_or_none, attach_errors, posted_version
from regie.core.models import Scope
from regie.core.services import StaleWrite
from regie.core.sheets import write_csv, write_xlsx
from regie.engagement import files, selectors, services
from regie.engagement.forms import DocumentForm, ReviewForm, SupersedeForm, VersionForm
from regie.engagement.models import Document, DocumentVersion
from regie.engagement.ui import DOCUMENTS


def _document(request: HttpRequest, pk: int) -> Document:
    document = selectors.document_for(request.user, pk)
    if document is None:
        raise Http404(_("No such document, or you may not see it."))
    return document


def _stale(error: StaleWrite) -> str:
    return str(error) + " " + _("Reload the page to see the current values.")


def _messages(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


# --- the document page ------------------------------------------------------------------------------


def document_detail(
    request: HttpRequest, pk: int, review_form: ReviewForm | None = None, upload_form: Any = None
) -> HttpResponse:
    document = _document(request, pk)
    user_parts = services.parts(request.user, document)
    person = services.person_of(request.user)
    given = services.verdict_given(document, person) if user_parts.review else None
    context = {
        **DOCUMENTS._context(request, object=document),
        "document": document,
        "parts": user_parts,
        "given": given,
        "versions": selectors.versions(document),
        "rounds": selectors.review_rounds(document),
        "named": selectors.named_with_verdicts(document),
        "events": selectors.trail(document)[:15],
        "review_form": review_form
        or ReviewForm(
            initial={"version_number": document.latest_version}, approve=user_parts.review and not user_parts.is_author
        ),
        "upload_form": upload_form or VersionForm(),
        "limit": files.human_size(files.max_bytes()),
        "tab": "details",
    }
    status = 400 if (review_form is not None and review_form.errors) or (upload_form is not None and upload_form.errors) else 200
    return render(request, "engagement/document_detail.html", context, status=status)


# --- registering and changing ----------------------------------------------------------------------


def document_add(request: HttpRequest) -> HttpResponse:
    if not services.may_add_somewhere(request.user):
        raise PermissionDenied
    scope = Scope.objects.filter(pk=_int_or_none(request.GET.get("scope")) or 0).first()
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                actor=request.user,
                scope=data["scope"],
                title=data["title"],
                kind=data["kind"],
                reference=data["reference"],
                description=data["description"],
                reviewers=data["reviewers"],
                approvers=data["approvers"],
                upload=data.get("file"),
                filename=data.get("filename") or "",
                note=data.get("note") or "",
            )
            messages.success(request, _("%(name)s registered.") % {"name": document})
            return HttpResponseRedirect(document.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("scope", str(denied))
    context = {**DOCUMENTS._context(request), "form": form, "object": None}
    return render(request, "engagement/document_form.html", context, status=400 if form.errors else 200)


def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    if not permissions.may(request.user, services.CHANGE, document):
        raise PermissionDenied
    if document.is_read_only:
        messages.error(request, _("This document is superseded or archived and can no longer be changed."))
        return HttpResponseRedirect(document.get_absolute_url())
    form = DocumentForm(request.POST or None, instance=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        try:
            document = services.document_update(
                actor=request.user,
                document=Document.objects.get(pk=document.pk),
                data=data,
                expected_version=posted_version(request),
            )
            messages.success(request, _("%(name)s saved.") % {"name": document})
            return HttpResponseRedirect(document.get_absolute_url())
        except StaleWrite as stale:
            form.add_error(None, _stale(stale))
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
    context = {**DOCUMENTS._context(request, object=document), "form": form}
    return render(request, "engagement/document_form.html", context, status=400 if form.errors else 200)


@require_POST
def document_archive(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    restore = request.POST.get("restore") == "1"
    try:
        services.document_archive(
            actor=request.user, document=document, expected_version=posted_version(request), restore=restore
        )
        messages.success(request, (_("%(name)s restored.") if restore else _("%(name)s archived.")) % {"name": document})
    except StaleWrite as stale:
        messages.error(request, _stale(stale))
    return HttpResponseRedirect(document.get_absolute_url())


# --- versions -------------------------------------------------------------------------------------


def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    if request.method != "POST":
        return HttpResponseRedirect(document.get_absolute_url() + "#upload")
    if not services.parts(request.user, document).change:
        raise PermissionDenied
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.version_upload(
                actor=request.user,
                document=document,
                upload=form.cleaned_data["file"],
                filename=form.cleaned_data.get("filename") or "",
                note=form.cleaned_data.get("note") or "",
                expected_version=posted_version(request),
            )
            messages.success(request, _("Version %(n)s uploaded.") % {"n": version.number})
            return HttpResponseRedirect(document.get_absolute_url())
        except StaleWrite as stale:
            form.add_error(None, _stale(stale))
        except ValidationError as error:
            attach_errors(form, error)
    return document_detail(request, pk, upload_form=form)


def version_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """The file of one version, as an attachment under its sanitised original name (never from MEDIA_URL)."""
    document = _document(request, pk)
    try:
        version, handle = services.version_open(actor=request.user, document=document, number=number)
    except DocumentVersion.DoesNotExist:
        raise Http404(_("No such version.")) from None
    except FileNotFoundError:
        raise Http404(_("The file of this version is missing from the storage.")) from None
    response = FileResponse(handle, as_attachment=True, filename=version.original_name, content_type=version.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- review and approval ------------------------------------------------------------------------------


def _act(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    document = _document(request, pk)
    try:
        act(document)
        messages.success(request, done)
    except StaleWrite as stale:
        messages.error(request, _stale(stale))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _messages(error) or _("You may not do this."))
    return HttpResponseRedirect(document.get_absolute_url())


@require_POST
def document_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d: services.document_submit(actor=request.user, document=d, expected_version=posted_version(request)),
        _("Sent for review."),
    )


@require_POST
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d: services.document_withdraw(actor=request.user, document=d, expected_version=posted_version(request)),
        _("Withdrawn from review; the document is a draft again."),
    )


@require_POST
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    user_parts = services.parts(request.user, document)
    if not user_parts.review:
        messages.error(request, _("Only the people named as reviewers or approvers review this document, while it is in review."))
        return HttpResponseRedirect(document.get_absolute_url())
    form = ReviewForm(request.POST, approve=True)
    if form.is_valid():
        try:
            services.document_review(
                actor=request.user,
                document=document,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                version_number=form.cleaned_data.get("version_number"),
            )
            document.refresh_from_db()
            if document.status == "approved":
                messages.success(
                    request, _("Approved: every approver has approved version %(n)s.") % {"n": document.latest_version}
                )
            else:
                messages.success(request, _("Your verdict is recorded."))
            return HttpResponseRedirect(document.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("verdict", str(denied))
    return document_detail(request, pk, review_form=form)


def document_supersede(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    if not services.parts(request.user, document).change:
        raise PermissionDenied
    form = SupersedeForm(request.POST or None, user=request.user, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_supersede(
                actor=request.user, document=document, by=form.cleaned_data["by"], expected_version=posted_version(request)
            )
            messages.success(request, _("%(name)s is superseded.") % {"name": document})
            return HttpResponseRedirect(document.get_absolute_url())
        except StaleWrite as stale:
            form.add_error(None, _stale(stale))
        except ValidationError as error:
            attach_errors(form, error)
    context = {**DOCUMENTS._context(request, object=document), "document": document, "form": form}
    return render(request, "engagement/document_supersede.html", context, status=400 if form.errors else 200)


# --- the audit trail ----------------------------------------------------------------------------------


def document_trail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's audit trail: every registration, upload, review, approval, change and download,
    as a page or exported (``?export=csv`` or ``xlsx``)."""
    document = _document(request, pk)
    events = selectors.trail(document)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        header = [_("At"), _("Who"), _("Event"), _("Version"), _("Detail")]
        rows = (
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.who,
                str(e.get_kind_display()),
                e.version_number or "",
                e.detail,
            ]
            for e in events[:50_000]
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"document-{document.pk}-trail-{stamp}.{export}"
        if export == "csv":
            buffer = io.StringIO()
            write_csv(buffer, header, rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                write_xlsx(header, rows, str(_("Audit trail"))),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context = {**DOCUMENTS._context(request, object=document), "document": document, "events": events[:500], "tab": "trail"}
    return render(request, "engagement/document_trail.html", context)
