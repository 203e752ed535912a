"""The register's list (filters, sorting, CSV and Excel export), history and the project page's section.
The document page itself, uploads and reviews are the app's own views (``views.py``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI
from regie.engagement import filters, forms
from regie.engagement.models import Document

SCOPE_KIND_LABELS = {
    "root": _("Organisation"),
    "domain": _("Domain"),
    "org_unit": _("Unit"),
    "portfolio": _("Portfolio"),
    "programme": _("Programme"),
    "project": _("Project"),
    "service": _("Service"),
    "supplier": _("Supplier"),
}


class DocumentUI(ModelUI):
    """The generic register pages, with "New document" offered also to project managers and PMO
    officers named on a project (who may add documents there without a role)."""

    def _context(self, request: Any, **extra: Any) -> dict[str, Any]:
        if "can_add" in extra:
            from regie.engagement import services

            extra["can_add"] = services.may_add_somewhere(request.user)
        return super()._context(request, **extra)


DOCUMENTS = DocumentUI(
    model=Document,
    form_class=forms.DocumentForm,
    filterset_class=filters.DocumentFilterSet,
    slug="documents",
    columns=[
        Column("reference", _("Reference")),
        Column("title", _("Title"), link=True),
        Column("kind", _("Kind"), accessor="get_kind_display", sort="kind"),
        Column("scope", _("Register"), sort="scope__name"),
        Column("status", _("Status"), accessor="get_status_display", sort="status"),
        Column("version_label", _("Version"), sort="latest_version"),
        Column("approved_label", _("Last approved version"), sort="approved_version"),
        Column("author", _("Author"), sort="author__family_name"),
    ],
    detail_fields=["scope", "project", "reference", "kind", "description", "author", "reviewers", "approvers", "status"],
    select_related=("scope", "author"),
    default_sort="title",
)


def project_section(request: Any, project: Any) -> dict[str, Any]:
    """The project's documents on its page: status and version of each, and the way to add one."""
    from regie.engagement import services

    documents = list(
        Document.objects.active()
        .visible_to(request.user)
        .filter(scope_id=project.scope_id)
        .select_related("author")
        .order_by("kind", "title")[:50]
    )
    register = reverse("engagement:document_list") + f"?scope={project.scope_id}"
    return {
        "template": "engagement/_project_section.html",
        "project": project,
        "documents": documents,
        "register_url": register,
        "add_url": reverse("engagement:document_add") + f"?scope={project.scope_id}"
        if services.may_add(request.user, project.scope)
        else "",
    }
