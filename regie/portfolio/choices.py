from django.db import models
from django.utils.translation import gettext_lazy as _


class Health(models.TextChoices):
    GREEN = "green", _("green")
    AMBER = "amber", _("amber")
    RED = "red", _("red")


class ReportingFrequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("fortnightly")
    MONTHLY = "monthly", _("monthly")


class GateOutcome(models.TextChoices):
    GO = "go", _("go")
    GO_WITH_CONDITIONS = "go_with_conditions", _("go with conditions")
    HOLD = "hold", _("hold")
    STOP = "stop", _("stop")
    REDO = "redo", _("redo the phase")


#: A RAG status: the same three colours as a project's health.
Rag = Health


class ReportState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    SUPERSEDED = "superseded", _("superseded")


class Assessment(models.TextChoices):
    MET = "met", _("met")
    PARTLY_MET = "partly_met", _("partly met")
    NOT_MET = "not_met", _("not met")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")


class ReviewState(models.TextChoices):
    OPEN = "open", _("in preparation")
    DECIDED = "decided", _("decided")


#: The dimensions a status report rates, in the order a steering committee reads them.
DIMENSIONS = (
    ("schedule", _("Schedule")),
    ("cost", _("Cost")),
    ("scope", _("Scope")),
    ("risks", _("Risks")),
    ("resources", _("Resources")),
    ("quality", _("Quality")),
)
