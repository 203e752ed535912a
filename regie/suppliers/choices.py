from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    SLA = "sla", _("SLA (customer agreement)")
    OLA = "ola", _("OLA (internal agreement)")
    UC = "uc", _("underpinning contract")


#: The short names the kinds go by in messages ("overlaps SLA-012 …" reads "SLA", not the long label).
KIND_SHORT: dict[str, str] = {AgreementKind.SLA: "SLA", AgreementKind.OLA: "OLA", AgreementKind.UC: "UC"}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")


class Metric(models.TextChoices):
    AVAILABILITY = "availability", _("availability (%)")
    RESPONSE = "response", _("response time (minutes)")
    RESOLUTION = "resolution", _("resolution time (minutes)")


#: Metrics measured in working minutes on the agreement's business-hours calendar.
TIMED_METRICS = (Metric.RESPONSE, Metric.RESOLUTION)


class OwedBy(models.TextChoices):
    PROVIDER = "provider", _("provider")
    CUSTOMER = "customer", _("customer")


class Recurrence(models.TextChoices):
    NONE = "none", _("once")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    YEARLY = "yearly", _("yearly")


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("open")
    DELIVERED = "delivered", _("delivered")
    LATE = "late", _("delivered late")
    MISSED = "missed", _("missed")
    WAIVED = "waived", _("waived")


class ConsequenceKind(models.TextChoices):
    NONE = "", _("none")
    PENALTY = "penalty", _("penalty")
    SERVICE_CREDIT = "service_credit", _("service credit")


class ReminderKind(models.TextChoices):
    NOTICE = "notice", _("notice date")
    RENEWAL = "renewal", _("renewal date")
    END = "end", _("end date")
    OBLIGATION_DUE = "obligation_due", _("obligation due")
    OBLIGATION_OVERDUE = "obligation_overdue", _("obligation overdue")
