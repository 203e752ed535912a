from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PROJECT_PLAN = "project_plan", _("project plan")
    BUSINESS_CASE = "business_case", _("business case")
    CONTRACT = "contract", _("contract")
    DESIGN = "design", _("design")
    REPORT = "report", _("report")
    MINUTES = "minutes", _("minutes")
    OTHER = "other", _("other")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")


class Verdict(models.TextChoices):
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject (back to draft)")
    COMMENT = "comment", _("comment only")


class Capacity(models.TextChoices):
    REVIEWER = "reviewer", _("reviewer")
    APPROVER = "approver", _("approver")


#: The kinds of scope a document may belong to.
DOCUMENT_SCOPE_KINDS = ("root", "domain", "portfolio", "programme", "project", "service", "supplier")
