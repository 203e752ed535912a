"""What the document register adds to stage gates: a phase may require approved documents of some kinds
(its ``required_documents``); the gate does not open on "go" while one is missing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from regie.engagement.choices import DocumentKind, DocumentStatus
from regie.engagement.models import Document


def missing_documents(project: Any, phase: Any) -> list[str]:
    """ "an approved business case" for every required kind of which the project's register holds no
    document with an approved version (a superseded or archived one does not count)."""
    kinds = phase.required_document_kinds()
    if not kinds:
        return []
    approved = set(
        Document.objects.filter(
            scope_id=project.scope_id, kind__in=kinds, approved_version__isnull=False, archived_at__isnull=True
        )
        .exclude(status=DocumentStatus.SUPERSEDED)
        .values_list("kind", flat=True)
    )
    labels = dict(DocumentKind.choices)
    return [_("an approved %(kind)s") % {"kind": labels.get(kind, kind)} for kind in kinds if kind not in approved]
