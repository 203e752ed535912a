from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RISK = "risk", _("risk")
    ISSUE = "issue", _("issue")
    ACTION = "action", _("action")
    DECISION = "decision", _("decision")
    ASSUMPTION = "assumption", _("assumption")
    DEPENDENCY = "dependency", _("dependency")


#: The short prefix of an item's reference ("R-12").
PREFIX: dict[str, str] = {
    Kind.RISK: "R",
    Kind.ISSUE: "I",
    Kind.ACTION: "A",
    Kind.DECISION: "D",
    Kind.ASSUMPTION: "S",
    Kind.DEPENDENCY: "E",
}


class Status(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    OCCURRED = "occurred", _("occurred")
    DECIDED = "decided", _("decided")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CONFIRMED = "confirmed", _("confirmed")
    INVALID = "invalid", _("proved invalid")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


#: The statuses each kind of item may take; the first is where a new item starts.
STATUSES = {
    Kind.RISK: (Status.OPEN, Status.CLOSED, Status.OCCURRED),
    Kind.ISSUE: (Status.OPEN, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED),
    Kind.ACTION: (Status.OPEN, Status.IN_PROGRESS, Status.DONE, Status.CANCELLED),
    Kind.DECISION: (Status.OPEN, Status.DECIDED, Status.WITHDRAWN),
    Kind.ASSUMPTION: (Status.OPEN, Status.CONFIRMED, Status.INVALID),
    Kind.DEPENDENCY: (Status.OPEN, Status.MET, Status.MISSED),
}
#: Statuses in which an item still needs attention.
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class Strategy(models.TextChoices):
    AVOID = "avoid", _("avoid")
    REDUCE = "reduce", _("reduce")
    FALLBACK = "fallback", _("prepare a fallback")
    TRANSFER = "transfer", _("transfer")
    SHARE = "share", _("share")
    ACCEPT = "accept", _("accept")


class Origin(models.TextChoices):
    LOG = "log", _("RAID log")
    MEETING = "meeting", _("meeting")
    GATE_CONDITION = "gate_condition", _("gate condition")
    RISK_RESPONSE = "risk_response", _("risk response")
    ISSUE_RESOLUTION = "issue_resolution", _("issue resolution")
