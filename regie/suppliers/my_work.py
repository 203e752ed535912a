"""Contract management on "My work": the notice, renewal and end dates coming up on the agreements a
person is contract manager of, the obligations they watch (overdue first), and for a supplier's contact
the agreements of their organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.suppliers import selectors
from regie.suppliers.choices import ObligationStatus
from regie.suppliers.models import Agreement, Contact, Obligation


@my_work_section
def my_agreement_deadlines(user: Any) -> dict[str, Any] | None:
    today = timezone.localdate()
    versions = selectors.current_versions().filter(agreement__contract_manager__user_id=user.pk)
    deadlines = selectors.agreement_deadlines(versions, today, horizon=max(selectors.notice_days()))
    if not deadlines:
        return None
    items = [
        {
            "label": d.label,
            "url": d.url,
            "detail": str((_("passed on %s") if d.overdue else _("on %s")) % date_format(d.day, "j M Y")),
            "overdue": d.overdue,
        }
        for d in deadlines[:50]
    ]
    return {"title": _("Agreement deadlines"), "items": items}


@my_work_section
def my_obligations(user: Any) -> dict[str, Any] | None:
    today = timezone.localdate()
    obligations = list(
        selectors.with_flags(Obligation.objects.active(), today)
        .filter(owner__user_id=user.pk, status=ObligationStatus.OPEN, agreement__archived_at__isnull=True)
        .select_related("agreement")
        .order_by("due_date", "pk")[:50]
    )
    if not obligations:
        return None
    items = []
    for obligation in obligations:
        overdue = obligation.due_date < today
        when = date_format(obligation.due_date, "j M Y")
        items.append(
            {
                "label": f"{obligation.agreement.code} · {obligation}",
                "url": obligation.get_absolute_url(),
                "detail": str((_("overdue since %s") if overdue else _("due %s")) % when),
                "overdue": overdue,
            }
        )
    return {"title": _("Obligations I watch"), "items": items}


@my_work_section
def my_organisation_agreements(user: Any) -> dict[str, Any] | None:
    """A supplier's or customer's contact finds their organisation's agreements here."""
    organisations = Contact.objects.filter(person__user_id=user.pk, archived_at__isnull=True).values("organisation_id")
    agreements = list(
        Agreement.objects.active()
        .filter(Q(provider_organisation_id__in=organisations) | Q(customer_organisation_id__in=organisations))
        .select_related("current_version")
        .order_by("code")[:50]
    )
    if not agreements:
        return None
    items = [
        {
            "label": str(a),
            "url": a.get_absolute_url(),
            "detail": str(_("version %s in force") % a.current_version.number if a.current_version else _("no approved version")),
        }
        for a in agreements
    ]
    return {"title": _("My organisation's agreements"), "items": items}
