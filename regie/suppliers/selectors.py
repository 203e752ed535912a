"""Reads of contract management: what a user may see, the state of obligations (on time, late, missed,
overdue), a supplier's performance, overlapping agreements, versions compared, and coming deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core import permissions
from regie.suppliers.choices import ObligationStatus, OwedBy, VersionStatus
from regie.suppliers.models import Agreement, AgreementVersion, Contact, Obligation, Organisation, is_external


class Flag:
    """The state of an obligation as the contract judges it, computed from its status and dates."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"
    OVERDUE = "overdue"
    OPEN = "open"
    WAIVED = "waived"


FLAG_LABELS = {
    Flag.ON_TIME: gettext_lazy("delivered on time"),
    Flag.LATE: gettext_lazy("delivered late"),
    Flag.MISSED: gettext_lazy("missed"),
    Flag.OVERDUE: gettext_lazy("overdue"),
    Flag.OPEN: gettext_lazy("open"),
    Flag.WAIVED: gettext_lazy("waived"),
}
#: Flags shown in red: the contract was not met (or is not being met).
RED_FLAGS = {Flag.LATE, Flag.MISSED, Flag.OVERDUE}


def flag_expression(today: date) -> Case:
    """SQL for the flag: a delivered obligation is on time or late by its delivery date; an open one past
    its due date is overdue; a missed or waived one stays so."""
    return Case(
        When(status=ObligationStatus.MISSED, then=Value(Flag.MISSED)),
        When(status=ObligationStatus.WAIVED, then=Value(Flag.WAIVED)),
        When(status=ObligationStatus.LATE, then=Value(Flag.LATE)),
        When(status=ObligationStatus.DELIVERED, delivered_on__gt=F("due_date"), then=Value(Flag.LATE)),
        When(status=ObligationStatus.DELIVERED, then=Value(Flag.ON_TIME)),
        When(due_date__lt=today, then=Value(Flag.OVERDUE)),
        default=Value(Flag.OPEN),
        output_field=CharField(),
    )


def flag_of(obligation: Obligation, today: date | None = None) -> str:
    """The flag of one obligation (the same rule as ``flag_expression``, without a query)."""
    today = today or timezone.localdate()
    if obligation.status == ObligationStatus.MISSED:
        return Flag.MISSED
    if obligation.status == ObligationStatus.WAIVED:
        return Flag.WAIVED
    if obligation.status == ObligationStatus.LATE:
        return Flag.LATE
    if obligation.status == ObligationStatus.DELIVERED:
        late = obligation.delivered_on is not None and obligation.delivered_on > obligation.due_date
        return Flag.LATE if late else Flag.ON_TIME
    return Flag.OVERDUE if obligation.due_date < today else Flag.OPEN


def with_flags(queryset: QuerySet, today: date | None = None) -> QuerySet:
    return queryset.annotate(flag=flag_expression(today or timezone.localdate()))


# --- visibility -----------------------------------------------------------------------------------


def agreements_visible(user: Any) -> QuerySet:
    return Agreement.objects.active().visible_to(user)


def obligations_visible(user: Any) -> QuerySet:
    return Obligation.objects.active().visible_to(user)


#: The versions that were agreed: what an external viewer sees of an agreement.
AGREED = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)


def versions_visible(user: Any, agreement: Agreement) -> QuerySet:
    """An agreement's versions, newest first. An external viewer (``is_external_viewer``) sees what was
    agreed (approved and superseded versions), not the drafts being prepared."""
    versions = agreement.versions.select_related("specified_by", "approved_by", "calendar").order_by("-number")
    if is_external_viewer(user, agreement):
        versions = versions.filter(status__in=AGREED)
    return versions


def _contact_organisations(user: Any) -> QuerySet:
    return Contact.objects.filter(person__user_id=user.pk, archived_at__isnull=True).values("organisation_id")


def is_external_viewer(user: Any, agreement: Agreement) -> bool:
    """Does ``user`` see the agreement without a role on its domain, either as an external person (an
    active contact of any external organisation, holding no role) or as a contact of its supplier or
    external customer? Such a viewer sees the agreed versions only."""
    if getattr(user, "is_superuser", False):
        return False
    if permissions.may(user, "suppliers.view_agreement", scope=agreement.domain.scope):
        return False
    if is_external(user):
        return True
    organisations = set(_contact_organisations(user).values_list("organisation_id", flat=True))
    return bool(organisations & {agreement.provider_organisation_id, agreement.customer_organisation_id})


def all_versions_visible(user: Any) -> QuerySet:
    """Every agreement version ``user`` may see, across agreements: the versions of the agreements they
    see, less the drafts and versions in review of those they see as an external viewer (the same rule as
    ``versions_visible``, in SQL)."""
    versions = AgreementVersion.objects.filter(agreement__in=Agreement.objects.visible_to(user).values("pk"))
    if getattr(user, "is_superuser", False):
        return versions
    agreed = Q(status__in=AGREED)
    by_role = Q(agreement__domain__scope__in=permissions.scopes_where(user, "suppliers.view_agreement").values("pk"))
    if is_external(user):
        return versions.filter(agreed | by_role)
    organisations = _contact_organisations(user)
    theirs = Q(agreement__provider_organisation_id__in=organisations) | Q(agreement__customer_organisation_id__in=organisations)
    return versions.filter(agreed | by_role | ~theirs)


# --- supplier performance -------------------------------------------------------------------------


@dataclass
class Performance:
    """How a supplier meets its obligations: counts per flag and the penalties and service credits the
    contracts attach to the late and missed ones, per currency."""

    on_time: int = 0
    late: int = 0
    missed: int = 0
    overdue: int = 0
    open: int = 0
    waived: int = 0
    penalties: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missed + self.overdue + self.open + self.waived

    @property
    def penalties_text(self) -> str:
        return ", ".join(f"{currency} {amount:,.2f}" for currency, amount in sorted(self.penalties.items())) or "—"


def performance(obligations: QuerySet, today: date | None = None) -> Performance:
    """Two aggregate queries, whatever the number of obligations."""
    flagged = with_flags(obligations.order_by(), today)
    result = Performance()
    for row in flagged.values("flag").annotate(n=Count("pk")).order_by():
        setattr(result, row["flag"], row["n"])
    penalties = (
        flagged.filter(flag__in=[Flag.LATE, Flag.MISSED], penalty_amount__isnull=False)
        .values("currency")
        .annotate(total=Sum("penalty_amount"))
        .order_by()
    )
    result.penalties = {row["currency"]: row["total"] or Decimal("0") for row in penalties}
    return result


def supplier_obligations(user: Any, organisation: Organisation) -> QuerySet:
    """The obligations a supplier owes under the contracts it holds as provider (those the user sees)."""
    return obligations_visible(user).filter(
        agreement__provider_organisation=organisation, agreement__archived_at__isnull=True, owed_by=OwedBy.PROVIDER
    )


@dataclass
class SupplierPage:
    contacts: list[Contact]
    contracts: list[Agreement]
    customer_agreements: list[Agreement]
    services: list[Any]
    projects: list[Any]
    obligations: list[Obligation]
    performance: Performance


def supplier_page(user: Any, organisation: Organisation, today: date | None = None) -> SupplierPage:
    """Everything the supplier page shows, in a fixed number of queries."""
    from regie.portfolio.models import Project
    from regie.services.models import Service

    today = today or timezone.localdate()
    agreements = agreements_visible(user).select_related("current_version", "customer_unit", "contract_manager")
    contracts = list(agreements.filter(provider_organisation=organisation).order_by("code"))
    customer_agreements = list(
        agreements.filter(customer_organisation=organisation).select_related("provider_unit").order_by("code")
    )
    held = [a.pk for a in contracts + customer_agreements]
    current = [a.current_version_id for a in contracts + customer_agreements if a.current_version_id]
    services = list(
        Service.objects.active()
        .filter(agreement_versions__in=current)
        .distinct()
        .order_by("code")
        .only("pk", "code", "name", "owner_id")
    )
    projects = list(
        Project.objects.active()
        .visible_to(user)
        .filter(pk__in=Agreement.projects.through.objects.filter(agreement_id__in=held).values("project_id"))
        .order_by("code")
        .only("pk", "code", "name")
    )
    contacts = list(
        Contact.objects.active().visible_to(user).filter(organisation=organisation).select_related("person").order_by("name")
    )
    obligations = supplier_obligations(user, organisation)
    listed = list(with_flags(obligations, today).select_related("agreement", "owner").order_by("due_date", "pk")[:200])
    return SupplierPage(
        contacts=contacts,
        contracts=contracts,
        customer_agreements=customer_agreements,
        services=services,
        projects=projects,
        obligations=listed,
        performance=performance(obligations, today),
    )


# --- overlapping periods --------------------------------------------------------------------------


def _period(start: date, end: date | None) -> str:
    first = date_format(start, "j M Y")
    return f"{first} – {date_format(end, 'j M Y')}" if end else _("%(start)s – open-ended") % {"start": first}


def overlaps(version: AgreementVersion, services: list[Any] | None = None) -> list[str]:
    """Messages naming each agreed version of another agreement of the same kind, between the same
    provider and customer, covering one of the same services in an overlapping period. An agreed version
    counts for the days it is (or was, or will be) in force: from its start until its end or until a later
    agreed version of its agreement starts, whichever comes first; a superseded version thus still counts
    for the period it was in force."""
    agreement = version.agreement
    services = list(version.services.all()) if services is None else services
    if not services or version.start is None:
        return []
    successor_start = (
        AgreementVersion.objects.filter(agreement_id=OuterRef("agreement_id"), number__gt=OuterRef("number"), status__in=AGREED)
        .order_by("start")
        .values("start")[:1]
    )
    others = (
        AgreementVersion.objects.filter(
            status__in=AGREED,
            agreement__archived_at__isnull=True,
            agreement__kind=agreement.kind,
            agreement__provider_unit_id=agreement.provider_unit_id,
            agreement__provider_organisation_id=agreement.provider_organisation_id,
            agreement__customer_unit_id=agreement.customer_unit_id,
            agreement__customer_organisation_id=agreement.customer_organisation_id,
            services__in=services,
        )
        .exclude(agreement_id=agreement.pk)
        .filter(Q(end__isnull=True) | Q(end__gte=version.start))
        .annotate(successor_start=Subquery(successor_start))
        .filter(Q(successor_start__isnull=True) | (Q(successor_start__gt=version.start) & Q(successor_start__gt=F("start"))))
    )
    if version.end is not None:
        others = others.filter(start__lte=version.end)
    service_ids = {s.pk for s in services}
    messages = []
    seen = set()
    for other in others.select_related("agreement").prefetch_related("services").distinct():
        if other.pk in seen:
            continue
        seen.add(other.pk)
        shared = [s for s in other.services.all() if s.pk in service_ids]
        end = other.end
        if other.successor_start is not None and (end is None or other.successor_start <= end):
            end = other.successor_start - timedelta(days=1)
        for service in shared:
            messages.append(
                _("Overlaps %(code)s (%(period)s) for service %(service)s.")
                % {"code": other.agreement.code, "period": _period(other.start, end), "service": service.name}
            )
    return messages


# --- comparing versions ---------------------------------------------------------------------------


def _shown(version: AgreementVersion, name: str) -> str:
    value = getattr(version, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def version_diff(older: AgreementVersion | None, newer: AgreementVersion) -> list[tuple[Any, str, str]]:
    """(label, before, after) for each term, service list and target list that differs between two
    versions (against nothing for the first version)."""
    rows: list[tuple[Any, str, str]] = []
    for name in AgreementVersion.TERMS:
        label = getattr(AgreementVersion._meta.get_field(name), "verbose_name", name)
        before = _shown(older, name) if older else "—"
        after = _shown(newer, name)
        if before != after:
            rows.append((label, before, after))

    # A target and an offering name their offering and service: read them with it, not one query each.
    related = {"services": (), "offerings": ("service",), "targets": ("offering",)}

    def items(version: AgreementVersion | None, attr: str) -> set[str]:
        if version is None:
            return set()
        return {str(o) for o in getattr(version, attr).select_related(*related[attr])}

    # Lists show what was removed and what was added, not both lists whole.
    for attr, list_label in (
        ("services", AgreementVersion._meta.get_field("services").verbose_name),
        ("offerings", AgreementVersion._meta.get_field("offerings").verbose_name),
        ("targets", gettext_lazy("service-level targets")),
    ):
        old_items, new_items = items(older, attr), items(newer, attr)
        if old_items != new_items:
            rows.append(
                (list_label, "\n".join(sorted(old_items - new_items)) or "—", "\n".join(sorted(new_items - old_items)) or "—")
            )
    return rows


# --- deadlines ------------------------------------------------------------------------------------


def notice_days() -> list[int]:
    """The days before a notice, renewal or end date on which the contract manager is reminded."""
    raw = getattr(settings, "REGIE_AGREEMENT_NOTICE_DAYS", [60, 30, 7])
    if isinstance(raw, (int, str)):
        raw = [raw]
    days = sorted({int(d) for d in raw if str(d).strip() != ""})
    return days or [60]


def obligation_remind_days() -> int:
    return int(getattr(settings, "REGIE_OBLIGATION_REMIND_DAYS", 7))


@dataclass
class Deadline:
    label: str
    url: str
    day: date
    kind: str
    overdue: bool = False


def agreement_deadlines(versions: QuerySet, today: date, horizon: int) -> list[Deadline]:
    """The notice, renewal and end dates of current versions within ``horizon`` days (overdue ones too,
    if they passed in the last fortnight and the version is still in force)."""
    start = today - timedelta(days=14)
    until = today + timedelta(days=horizon)
    window = Q(notice_date__range=(start, until)) | Q(renewal_date__range=(start, until)) | Q(end__range=(start, until))
    rows: list[Deadline] = []
    for version in versions.filter(window).select_related("agreement"):
        for attr, label in (
            ("notice_date", _("notice date")),
            ("renewal_date", _("renewal date")),
            ("end", _("end date")),
        ):
            day = getattr(version, attr)
            if day is not None and start <= day <= until:
                rows.append(
                    Deadline(
                        label=f"{version.agreement.code} · {label}",
                        url=version.agreement.get_absolute_url(),
                        day=day,
                        kind=attr,
                        overdue=day < today,
                    )
                )
    return sorted(rows, key=lambda d: d.day)


def current_versions() -> QuerySet:
    return AgreementVersion.objects.filter(
        status=VersionStatus.APPROVED, agreement__archived_at__isnull=True, agreement__current_version=F("pk")
    )
