"""The fixed vocabularies of the configuration register: an item's status, the kinds of relation between
items, and the kinds of value an attribute of an item type holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_USE = "in_use", _("in use")
    MAINTENANCE = "maintenance", _("maintenance")
    RETIRED = "retired", _("retired")


class RelationKind(models.TextChoices):
    """Read as "source <kind> target": the application *runs on* the virtual machine."""

    RUNS_ON = "runs_on", _("runs on")
    DEPENDS_ON = "depends_on", _("depends on")
    CONNECTED_TO = "connected_to", _("is connected to")


#: The kinds along which a failure travels: if the target fails, the source is affected. A connection
#: is informational (see docs/decisions/0019-configuration-register.md).
PROPAGATING = (RelationKind.RUNS_ON.value, RelationKind.DEPENDS_ON.value)


class AttributeKind(models.TextChoices):
    INTEGER = "integer", _("whole number")
    DECIMAL = "decimal", _("decimal number")
    TEXT = "text", _("text")
    DATE = "date", _("date")
    BOOLEAN = "boolean", _("yes or no")
    CHOICE = "choice", _("choice")
