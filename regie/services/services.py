"""Writes of the service catalogue beyond the generic record pages: service-level measurements."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.services.models import MeasurementSource, Service, ServiceLevelMeasurement, ServiceLink

RECORD_MEASUREMENT = "services.record_measurement"


#: The last month anything is measured or reported in: month arithmetic must stay within ``date``.
LAST_YEAR = 9998


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def next_month(value: datetime.date) -> datetime.date:
    return datetime.date(value.year + value.month // 12, value.month % 12 + 1, 1)


def measurement_record(
    *,
    actor: Any,
    service: Service,
    target: Any,
    period: datetime.date,
    achieved: Decimal | None,
    cases: int | None = None,
    breaches: int = 0,
    link: ServiceLink | None = None,
    source: str = MeasurementSource.RECORDED,
) -> ServiceLevelMeasurement:
    """Record what ``service`` achieved against ``target`` in the month of ``period`` (replacing an
    earlier figure for that month). The target must belong to an agreement version that covers the
    service and is in force in that month; a link must be part of the service's chain."""
    if actor is not None and not permissions.may(actor, RECORD_MEASUREMENT, scope=service.scope):
        raise PermissionDenied(_("You may not record service levels for this service."))
    period = month_start(period)
    errors: dict[str, list[str]] = {}
    version = target.version
    if period.year > LAST_YEAR:
        raise ValidationError({"period": [_("Give a month before the year %(year)s.") % {"year": LAST_YEAR + 1}]})
    if actor is not None and not type(version.agreement).objects.visible_to(actor).filter(pk=version.agreement_id).exists():
        raise ValidationError({"target": [_("No such record: %s") % target.pk]})
    if version.status not in ("approved", "superseded"):
        errors["target"] = [_("Only the targets of an approved agreement version are measured.")]
    elif not version.services.filter(pk=service.pk).exists():
        errors["target"] = [_("The agreement of this target does not cover %(service)s.") % {"service": service}]
    month_end = next_month(period) - datetime.timedelta(days=1)
    if version.start and (version.start > month_end or (version.end and version.end < period)):
        errors["period"] = [
            _("Version %(number)s of %(agreement)s is not in force in %(month)s.")
            % {"number": version.number, "agreement": version.agreement.code, "month": period.strftime("%Y-%m")}
        ]
    if link is not None and link.service_id != service.pk:
        errors["link"] = [_("This link is not part of %(service)s's chain.") % {"service": service}]
    if achieved is not None and not (Decimal(0) <= achieved <= Decimal(100)):
        errors["achieved"] = [_("Give a percentage between 0 and 100.")]
    if cases is not None and breaches > cases:
        errors["breaches"] = [_("There cannot be more breaches than cases.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        measurement = (
            ServiceLevelMeasurement.objects.select_for_update()
            .filter(target=target, service=service, period=period, link=link)
            .first()
        ) or ServiceLevelMeasurement(target=target, service=service, period=period, link=link)
        measurement.achieved = achieved
        measurement.cases = cases
        measurement.breaches = breaches
        measurement.source = source
        measurement.recorded_by = actor if actor is not None and actor.is_authenticated else None
        measurement._history_user = measurement.recorded_by  # type: ignore[attr-defined]
        measurement.save()
    return measurement
