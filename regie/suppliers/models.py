"""Suppliers, external customers and the agreements with them (contract management, CTM).

One ``Agreement`` model holds the three kinds the service chain needs: the customer's SLA, the internal
team's OLA and the supplier's underpinning contract (UC). An agreement's terms live in numbered
``AgreementVersion`` records: a change makes a new version, approved versions are never edited again, and
the approved version in force is the agreement's ``current_version``. Its service-level targets and the
obligations the parties owe each other hang on the agreement and its versions.

``ServiceLevelTarget`` and ``Obligation`` name the agreement version they belong to ``version``, so they do
not stand on ``BusinessModel`` (whose ``version`` is the optimistic-locking counter): a target is part of
its version's terms and locked with it; an obligation carries its own ``revision`` counter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regie.core.models import BusinessModel, Domain, OrgUnit, Person, RoleAssignment, Scope, ScopedMixin
from regie.core.models.base import BusinessQuerySet
from regie.core.models.organisation import code_validator
from regie.suppliers.choices import (
    KIND_SHORT,
    TIMED_METRICS,
    AgreementKind,
    ConsequenceKind,
    Metric,
    ObligationStatus,
    OwedBy,
    Recurrence,
    ReminderKind,
    VersionStatus,
)

CURRENCY = r"^[A-Z]{3}$"

#: The dates an agreement or an obligation may name. A year or more of room is left on either side of the
#: calendar's limits, so that counting on from a date (a recurring obligation's next occurrence, a
#: reminder's horizon) never falls off it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)


def within_dates(value: date | None) -> None:
    """Refuse a date outside ``EARLIEST_DATE`` … ``LATEST_DATE``."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
        )


def _currency_field() -> models.CharField:
    from django.core.validators import RegexValidator

    return models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[RegexValidator(CURRENCY, _("Use a three-letter currency code such as EUR."))],
    )


class Organisation(ScopedMixin, BusinessModel):
    """An external organisation: a supplier, an external customer, or both. It is a scope under the root
    (or under the domain that keeps the relationship, when one does), so a role can be held on one
    supplier; its contacts with a login see its agreements and obligations."""

    scope_kind = "supplier"
    scope_lookup = "scope"
    search_fields = ("code", "name", "registration_number")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    is_supplier = models.BooleanField(_("supplier"), default=True, help_text=_("Provides services or goods to us."))
    is_customer = models.BooleanField(_("external customer"), default=False, help_text=_("Receives our services."))
    domain = models.ForeignKey(
        Domain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("managing domain"),
        help_text=_("The domain whose office keeps this relationship; empty: the whole organisation."),
    )
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:organisation_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        return self.domain.scope if self.domain is not None else Scope.root()

    def clean(self) -> None:
        if not self.is_supplier and not self.is_customer:
            raise ValidationError(
                {"is_supplier": _("An external organisation is a supplier, an external customer, or both: tick one.")}
            )


class Contact(BusinessModel):
    """A person at an external organisation. A contact linked to a person with a login signs in and sees
    their organisation's agreements and obligations, read-only, and nothing else."""

    scope_lookup = "organisation__scope"
    search_fields = ("name", "email", "role", "organisation__name")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_contacts",
        verbose_name=_("person"),
        help_text=_("The person record of a contact who signs in."),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("e.g. account manager"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"],
                condition=models.Q(person__isnull=False),
                name="unique_contact_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("suppliers:contact_detail", args=[self.pk])


def contact_organisations(user: Any) -> Any:
    """The organisations ``user`` signs in for as an active contact (a subquery)."""
    return Contact.objects.filter(
        person__user_id=user.pk, archived_at__isnull=True, organisation__archived_at__isnull=True
    ).values("organisation_id")


def external_people() -> models.QuerySet:
    """The people who are external: an active contact of an external organisation who holds no role. They
    see their own organisation's agreed terms and nothing else of contract management, whatever else they
    are named on (a project, a steering committee)."""
    return Person.objects.filter(
        Exists(Contact.objects.filter(person_id=OuterRef("pk"), archived_at__isnull=True)),
        ~Exists(RoleAssignment.objects.filter(person_id=OuterRef("pk"))),
    )


def is_external(user: Any) -> bool:
    """Is ``user`` one of the ``external_people``?"""
    if not getattr(user, "pk", None) or getattr(user, "is_superuser", False):
        return False
    return external_people().filter(user_id=user.pk).exists()


class Agreement(BusinessModel):
    """An agreement between a provider and a customer: an SLA (an internal provider and an internal or
    external customer), an OLA (two internal units) or an underpinning contract (a supplier and an
    internal unit). Its terms are in its versions; the approved one in force is ``current_version``."""

    scope_lookup = "domain__scope"
    search_fields = ("code", "name", "provider_organisation__name", "customer_organisation__name")
    #: contract managers, supplier contacts and service owners reach the list (showing theirs) without a role
    listed_for_named_people = True

    kind = models.CharField(_("kind"), max_length=3, choices=AgreementKind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("domain"))
    provider_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_agreements",
        verbose_name=_("provider (internal unit)"),
    )
    provider_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_agreements",
        verbose_name=_("provider (supplier)"),
    )
    customer_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_agreements",
        verbose_name=_("customer (internal unit)"),
    )
    customer_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_agreements",
        verbose_name=_("customer (external organisation)"),
    )
    contract_manager = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="managed_agreements",
        verbose_name=_("contract manager"),
        help_text=_("Runs contract management for this agreement and receives its reminders."),
    )
    projects = models.ManyToManyField("portfolio.Project", blank=True, related_name="agreements", verbose_name=_("projects"))
    description = models.TextField(_("description"), blank=True)
    current_version = models.ForeignKey(
        "AgreementVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:agreement_detail", args=[self.pk])

    @property
    def kind_short(self) -> str:
        return KIND_SHORT.get(self.kind, self.kind)

    @property
    def provider(self) -> Any:
        return self.provider_organisation if self.provider_organisation_id else self.provider_unit

    @property
    def customer(self) -> Any:
        return self.customer_organisation if self.customer_organisation_id else self.customer_unit

    def clean(self) -> None:
        """Each kind has its own parties, exactly one on each side: an SLA an internal provider and an
        internal or external customer; an OLA two internal units; a UC a supplier and an internal unit."""
        errors: dict[str, list[Any]] = {}

        def need(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        if self.provider_unit_id and self.provider_organisation_id:
            need("provider_organisation", _("Name one provider: an internal unit or a supplier, not both."))
        if self.customer_unit_id and self.customer_organisation_id:
            need("customer_organisation", _("Name one customer: an internal unit or an external organisation, not both."))
        if self.kind == AgreementKind.UC:
            if not self.provider_organisation_id:
                need("provider_organisation", _("An underpinning contract needs a supplier as provider."))
            elif self.provider_organisation is not None and not self.provider_organisation.is_supplier:
                need("provider_organisation", _("%(name)s is not marked as a supplier.") % {"name": self.provider_organisation})
            if self.provider_unit_id:
                need("provider_unit", _("The provider of an underpinning contract is a supplier, not an internal unit."))
            if not self.customer_unit_id:
                need("customer_unit", _("An underpinning contract needs the internal unit that buys from the supplier."))
            if self.customer_organisation_id:
                need("customer_organisation", _("The customer of an underpinning contract is an internal unit."))
        elif self.kind == AgreementKind.OLA:
            if not self.provider_unit_id:
                need("provider_unit", _("An internal agreement (OLA) needs an internal unit as provider."))
            if self.provider_organisation_id:
                need("provider_organisation", _("An internal agreement (OLA) has no supplier; use an underpinning contract."))
            if not self.customer_unit_id:
                need("customer_unit", _("An internal agreement (OLA) needs an internal unit as customer."))
            if self.customer_organisation_id:
                need("customer_organisation", _("An internal agreement (OLA) has no external customer; use an SLA."))
        elif self.kind == AgreementKind.SLA:
            if not self.provider_unit_id:
                need("provider_unit", _("An SLA needs an internal unit as provider."))
            if self.provider_organisation_id:
                need(
                    "provider_organisation",
                    _("The provider of an SLA is internal; a supplier's terms are an underpinning contract."),
                )
            if not self.customer_unit_id and not self.customer_organisation_id:
                need("customer_unit", _("An SLA needs a customer: an internal unit or an external organisation."))
            if self.customer_organisation is not None and not self.customer_organisation.is_customer:
                need(
                    "customer_organisation",
                    _("%(name)s is not marked as an external customer.") % {"name": self.customer_organisation},
                )
        if self.provider_unit_id and self.provider_unit_id == self.customer_unit_id:
            need("customer_unit", _("Provider and customer must be different units."))
        if errors:
            raise ValidationError(errors)

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """Beyond scoped roles, an agreement is seen (never changed) by its contract manager, by the
        contacts of its supplier or external customer, and, unless they are external (``external_people``),
        by the owners and managers of the services it covers and by whoever sees a project that
        references it."""
        if action != "suppliers.view_agreement":
            return None
        from regie.portfolio.models import Project

        organisations = contact_organisations(user)
        covering = AgreementVersion.objects.filter(
            models.Q(services__owner__user_id=user.pk) | models.Q(services__manager__user_id=user.pk)
        ).values("agreement_id")
        projects = Agreement.projects.through.objects.filter(project_id__in=Project.objects.visible_to(user).values("pk")).values(
            "agreement_id"
        )
        internal = models.Q(~Exists(external_people().filter(user_id=user.pk)))
        return (
            models.Q(contract_manager__user_id=user.pk)
            | models.Q(provider_organisation_id__in=organisations)
            | models.Q(customer_organisation_id__in=organisations)
            | ((models.Q(pk__in=covering) | models.Q(pk__in=projects)) & internal)
        )


class AgreementVersion(BusinessModel):
    """One numbered set of an agreement's terms. Only a draft is edited; an approved version is in force
    from its start (the one before stays in force until then and is superseded at that moment); approved
    and superseded versions are kept unchanged."""

    scope_lookup = "agreement__domain__scope"
    search_fields = ("agreement__code", "agreement__name", "change_summary")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement"))
    number = models.PositiveIntegerField(_("number"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    start = models.DateField(_("start"), validators=[within_dates])
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty: open-ended."), validators=[within_dates])
    renewal_date = models.DateField(_("renewal date"), null=True, blank=True, validators=[within_dates])
    notice_date = models.DateField(
        _("notice date"), null=True, blank=True, help_text=_("The last day to give notice."), validators=[within_dates]
    )
    services = models.ManyToManyField(
        "services.Service", blank=True, related_name="agreement_versions", verbose_name=_("services")
    )
    offerings = models.ManyToManyField(
        "services.ServiceOffering", blank=True, related_name="agreement_versions", verbose_name=_("service offerings")
    )
    calendar = models.ForeignKey(
        "planning.WorkCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreement_versions",
        verbose_name=_("support hours"),
        help_text=_("The business-hours calendar response and resolution times are counted on."),
    )
    annual_value = models.DecimalField(
        _("annual value"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = _currency_field()
    price_terms = models.TextField(_("price terms"), blank=True)
    penalty_terms = models.TextField(_("penalty and service-credit terms"), blank=True)
    specified_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="specified_agreement_versions",
        verbose_name=_("specified by"),
        help_text=_("Drafted the terms; may not approve them."),
    )
    edited_by = models.ManyToManyField(
        Person,
        blank=True,
        related_name="edited_agreement_versions",
        verbose_name=_("terms edited by"),
        help_text=_("Everyone who changed the draft's terms; none of them may approve it."),
    )
    submitted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_agreement_versions",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    change_summary = models.TextField(_("change summary"), blank=True)

    #: The terms a new version copies and the version history compares.
    TERMS: ClassVar[tuple[str, ...]] = (
        "start",
        "end",
        "renewal_date",
        "notice_date",
        "calendar",
        "annual_value",
        "currency",
        "price_terms",
        "penalty_terms",
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="unique_agreement_version_number")]

    def __str__(self) -> str:
        return _("%(agreement)s version %(number)s") % {"agreement": self.agreement.code, "number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("suppliers:version_detail", args=[self.agreement_id, self.number])

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def comes_into_force_later(self) -> bool:
        """Approved, with a start still to come: the version before stays in force until then."""
        return self.status == VersionStatus.APPROVED and self.start > timezone.localdate()

    def in_force_on(self, day: Any) -> bool:
        return self.status == VersionStatus.APPROVED and self.start <= day and (self.end is None or day <= self.end)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = [_("The end date is before the start date.")]
        last = self.end or self.renewal_date
        if self.notice_date and last and self.notice_date > last:
            errors["notice_date"] = [_("The notice date must fall before the end or renewal date.")]
        if self.notice_date and self.start and self.notice_date < self.start:
            errors.setdefault("notice_date", []).append(_("The notice date is before the start date."))
        if self.renewal_date and self.start and self.renewal_date < self.start:
            errors["renewal_date"] = [_("The renewal date is before the start date.")]
        if errors:
            raise ValidationError(errors)


class ServiceLevelTarget(models.Model):
    """A service level an agreement version promises: availability in percent, or a response or
    resolution time in working minutes per priority. Times count on the version's business-hours
    calendar, so a timed target needs one."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="targets", verbose_name=_("agreement version")
    )
    metric = models.CharField(_("metric"), max_length=12, choices=Metric.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 (highest) to 4; empty for availability or for every priority."),
    )
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2)
    compliance = models.DecimalField(
        _("share of cases (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a response or resolution time: the share of cases to be handled within it, e.g. 95. Empty: every case."),
    )
    offering = models.ForeignKey(
        "services.ServiceOffering",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_level_targets",
        verbose_name=_("service offering"),
        help_text=_("Empty: the target holds for every offering of the agreement."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")
        ordering = ["version", "metric", "priority", "id"]

    def __str__(self) -> str:
        if self.metric == Metric.AVAILABILITY:
            text = _("Availability ≥ %(target)s %%") % {"target": self.target}
        else:
            label = _("Response") if self.metric == Metric.RESPONSE else _("Resolution")
            priority = f" P{self.priority}" if self.priority else ""
            text = _("%(label)s%(priority)s ≤ %(target)s min") % {"label": label, "priority": priority, "target": self.target}
            if self.compliance is not None:
                text = _("%(target)s in %(share)s %% of cases") % {"target": text, "share": self.compliance}
        return f"{text} ({self.offering.name})" if self.offering is not None else str(text)

    @property
    def agreed_level(self) -> Decimal:
        """What a month must reach: the availability itself, or the share of cases within the time."""
        if self.metric == Metric.AVAILABILITY:
            return self.target
        return self.compliance if self.compliance is not None else Decimal("100")

    @property
    def unit(self) -> str:
        return "%" if self.metric == Metric.AVAILABILITY else str(_("min"))

    def clean(self) -> None:
        """Availability lies in 0–100 and has no priority; response and resolution times are positive and
        need the version's business-hours calendar."""
        errors: dict[str, list[Any]] = {}
        if self.metric == Metric.AVAILABILITY:
            if self.target is not None and not Decimal("0") <= self.target <= Decimal("100"):
                errors["target"] = [_("Availability is a percentage between 0 and 100.")]
            if self.priority is not None:
                errors["priority"] = [_("Availability has no priority; leave it empty.")]
            if self.compliance is not None:
                errors["compliance"] = [_("Availability is itself a share; leave the share of cases empty.")]
        elif self.metric in TIMED_METRICS:
            if self.target is not None and self.target <= 0:
                errors["target"] = [_("A time target is a positive number of minutes.")]
            if self.compliance is not None and not Decimal("0") < self.compliance <= Decimal("100"):
                errors["compliance"] = [_("The share of cases is a percentage above 0 and at most 100.")]
            if self.version_id and self.version.calendar_id is None:
                errors["metric"] = [_("Targets on response and resolution times need a business-hours calendar.")]
        if errors:
            raise ValidationError(errors)


class Obligation(models.Model):
    """Something a party owes under an agreement by a due date (a report, a review, a delivery). Delivery
    after the due date counts as late; a missed or late one may carry the financial consequence the
    contract states (a penalty or a service credit), which counts in the supplier's performance."""

    scope_lookup: ClassVar[str] = "agreement__domain__scope"
    search_fields: ClassVar[tuple[str, ...]] = ("description", "agreement__code", "agreement__name")
    listed_for_named_people: ClassVar[bool] = True

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("agreement"))
    version = models.ForeignKey(
        AgreementVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
        verbose_name=_("agreement version"),
    )
    description = models.TextField(_("description"))
    owed_by = models.CharField(_("owed by"), max_length=10, choices=OwedBy.choices, default=OwedBy.PROVIDER)
    due_date = models.DateField(_("due date"), validators=[within_dates])
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    anchor_day = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("The day of the month a recurring obligation falls on (the last day in shorter months)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True, validators=[within_dates])
    consequence_kind = models.CharField(
        _("financial consequence"), max_length=16, choices=ConsequenceKind.choices, default="", blank=True
    )
    penalty_amount = models.DecimalField(
        _("penalty or service credit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The amount the contract states when the obligation is late or missed."),
    )
    currency = _currency_field()
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="watched_obligations",
        verbose_name=_("owner"),
        help_text=_("Watches the obligation and is reminded of its due date."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "revision"])
    objects = BusinessQuerySet.as_manager()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        text = self.description.splitlines()[0] if self.description else ""
        return text[:80] + ("…" if len(text) > 80 else "")

    def get_absolute_url(self) -> str:
        return reverse("suppliers:obligation_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def governing_scope(self) -> Any:
        return self.agreement.domain.scope

    @property
    def flag(self) -> str:
        """On time, late, missed, overdue, open or waived (lists annotate it in SQL instead)."""
        from regie.suppliers.selectors import flag_of

        return self.__dict__.get("_flag") or flag_of(self)

    @flag.setter
    def flag(self, value: str) -> None:
        self.__dict__["_flag"] = value

    @property
    def flag_label(self) -> str:
        from regie.suppliers.selectors import FLAG_LABELS

        return str(FLAG_LABELS[self.flag])

    @property
    def is_red(self) -> bool:
        from regie.suppliers.selectors import RED_FLAGS

        return self.flag in RED_FLAGS

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.version is not None and self.agreement_id and self.version.agreement_id != self.agreement_id:
            errors["version"] = [_("This version belongs to another agreement.")]
        if self.penalty_amount is not None and not self.consequence_kind:
            errors["consequence_kind"] = [_("Say whether the amount is a penalty or a service credit.")]
        if self.status in (ObligationStatus.DELIVERED, ObligationStatus.LATE) and not self.delivered_on:
            errors["delivered_on"] = [_("Give the date it was delivered.")]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """An obligation is seen by whoever sees its agreement through the agreement's own rule, and seen
        and kept by its owner."""
        if action == "suppliers.view_obligation":
            agreements = Agreement.objects.filter(Agreement.extra_visibility(user, "suppliers.view_agreement"))
            return models.Q(owner__user_id=user.pk) | models.Q(agreement_id__in=agreements.values("pk"))
        if action == "suppliers.change_obligation":
            return models.Q(owner__user_id=user.pk)
        return None


class AgreementReminder(models.Model):
    """A reminder email sent about an agreement's deadline or an obligation's due date. ``key`` makes each
    reminder go out once, however often the job runs."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("agreement"))
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("obligation")
    )
    recipient = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recipient"))
    email = models.CharField(_("email"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement reminder")
        verbose_name_plural = _("agreement reminders")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email}"
