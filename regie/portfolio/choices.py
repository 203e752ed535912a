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
