"""The fixed vocabularies of cases: the five processes, impact and urgency, and the priority they make."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """USM's four kinds of customer request, and the problem the SMO raises itself."""

    INCIDENT = "incident", _("incident")
    SERVICE_REQUEST = "service_request", _("service request")
    CHANGE = "change", _("request for change")
    WISH = "wish", _("wish or complaint")
    PROBLEM = "problem", _("problem")


#: How a case's number starts, per kind: INC-000042.
PREFIX = {
    CaseKind.INCIDENT: "INC",
    CaseKind.SERVICE_REQUEST: "REQ",
    CaseKind.CHANGE: "RFC",
    CaseKind.WISH: "WSH",
    CaseKind.PROBLEM: "PRB",
}


class Level(models.IntegerChoices):
    HIGH = 1, _("high")
    MEDIUM = 2, _("medium")
    LOW = 3, _("low")


class Priority(models.IntegerChoices):
    """The priorities the agreements' targets are set for (P1 is the most urgent)."""

    P1 = 1, _("P1 critical")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 medium")
    P4 = 4, _("P4 low")


#: Priority from impact × urgency (rows: impact high, medium, low; columns: urgency high, medium, low).
PRIORITY_MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 4,
}  # fmt: skip


def priority_of(impact: int, urgency: int) -> int:
    return PRIORITY_MATRIX[(int(impact), int(urgency))]


class EventKind(models.TextChoices):
    """What a case's history records; the SLA clocks are computed from it."""

    CREATED = "created", _("logged")
    STATE = "state", _("state changed")
    PRIORITY = "priority", _("priority changed")
    ASSIGNED = "assigned", _("assigned")
    COMMENT = "comment", _("comment")
    FIELDS = "fields", _("fields changed")
    LINKED = "linked", _("linked")
    MAIL_IN = "mail_in", _("email received")
    MAIL_OUT = "mail_out", _("email sent")


class ClockName(models.TextChoices):
    RESPONSE = "response", _("response")
    RESOLUTION = "resolution", _("resolution")


class ClockStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    STOPPED = "stopped", _("stopped")


class LinkKind(models.TextChoices):
    CAUSED_BY = "caused_by", _("is caused by")
    RESOLVED_BY = "resolved_by", _("is resolved by")
    RELATED = "related", _("is related to")
