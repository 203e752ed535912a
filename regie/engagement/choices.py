from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentKind(models.TextChoices):
    PROJECT_PLAN = "project_plan", _("project plan")
    BUSINESS_CASE = "business_case", _("business case")
    CONTRACT = "contract", _("contract")
    DESIGN = "design", _("design")
    REPORT = "report", _("report")
    MINUTES = "minutes", pgettext_lazy("document kind: the record of a meeting", "minutes")
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


class MeetingKind(models.TextChoices):
    STEERING_COMMITTEE = "steering_committee", _("steering committee")
    PROJECT_TEAM = "project_team", _("project team")
    OTHER = "other", _("other meeting")


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("minutes being taken")
    CLOSED = "closed", _("minutes final")


class AgendaKind(models.TextChoices):
    REPORT = "report", _("status report")
    DECISION = "decision", _("decision needed")
    RISK = "risk", _("risk above threshold")
    ACTION = "action", _("overdue action")
    OTHER = "other", _("other business")


class Channel(models.TextChoices):
    EMAIL = "email", _("email from Regie")
    MEETING = "meeting", _("meeting")
    INTRANET = "intranet", _("intranet")
    NEWSLETTER = "newsletter", _("newsletter")
    PRESENTATION = "presentation", _("presentation")
    OTHER = "other", _("other channel")


class Frequency(models.TextChoices):
    ONCE = "once", _("once")
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("fortnightly")
    MONTHLY = "monthly", _("monthly")
    MILESTONES = "milestones", _("when a milestone is reached")


class SendKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("announcement")
    MILESTONE = "milestone", _("milestone announcement")
    ACTION_DUE = "action_due", _("action reminder")
    ACTION_OVERDUE = "action_overdue", _("overdue action")
    MEETING_PACK = "meeting_pack", _("meeting pack")
