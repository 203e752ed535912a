"""The service catalogue: services per domain, each with an accountable service owner, what it delivers
(the facility) and the support on its use, a lifecycle status, its customers, its offerings and its
costs. A service is a scope of the scope tree (under its domain), so roles, RAID logs and documents work
on it as on a project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regie.core.models import BusinessModel, Domain, OrgUnit, Person, Scope, ScopedMixin
from regie.core.models.organisation import code_validator


class ServiceStatus(models.TextChoices):
    IN_DESIGN = "in_design", _("in design")
    LIVE = "live", _("live")
    RETIRING = "retiring", _("retiring")
    RETIRED = "retired", _("retired")


class Service(ScopedMixin, BusinessModel):
    """A service of a domain's catalogue. Its owner is accountable for it; its manager runs it day to day."""

    scope_kind = "service"
    scope_lookup = "scope"
    search_fields = ("code", "name", "facility")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="services", verbose_name=_("domain"))
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="owned_services",
        verbose_name=_("service owner"),
        help_text=_("Accountable for the service."),
    )
    manager = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_services",
        verbose_name=_("service manager"),
    )
    status = models.CharField(
        _("lifecycle status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.IN_DESIGN
    )
    facility = models.TextField(_("facility"), blank=True, help_text=_("The goods and actions the service delivers."))
    support = models.TextField(_("support"), blank=True, help_text=_("The support on the use of the facility."))
    customers = models.ManyToManyField(OrgUnit, blank=True, related_name="services", verbose_name=_("customers"))
    customer_organisations = models.ManyToManyField(
        "suppliers.Organisation",
        blank=True,
        related_name="services_received",
        verbose_name=_("external customers"),
        limit_choices_to={"is_customer": True},
        help_text=_("External organisations that receive the service."),
    )
    annual_cost = models.DecimalField(
        _("annual cost"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:service_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        return self.domain.scope if self.domain_id else Scope.root()

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """A service's owner and manager see it and keep its description."""
        if action in ("services.view_service", "services.change_service"):
            return models.Q(owner__user_id=user.pk) | models.Q(manager__user_id=user.pk)
        return None


class ServiceOffering(BusinessModel):
    """A variant of a service with its own service levels and price ("Workplace standard", "Workplace
    premium"); the levels themselves are agreed in the agreements that cover the offering."""

    scope_lookup = "service__scope"
    search_fields = ("code", "name", "description")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("service"))
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("per"), max_length=60, blank=True, help_text=_("e.g. user per month"))

    class Meta:
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")
        ordering = ["service", "code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="unique_offering_code")]

    def __str__(self) -> str:
        return f"{self.service.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:serviceoffering_detail", args=[self.pk])

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        if action in ("services.view_serviceoffering", "services.change_serviceoffering"):
            return models.Q(service__owner__user_id=user.pk) | models.Q(service__manager__user_id=user.pk)
        return None


class ServiceLink(BusinessModel):
    """A link of a service chain: the service depends on a supporting service (run by a responsible team
    under an internal agreement) or on a supplier (under an underpinning contract). The link states the
    result it is responsible for, so a service level missed can be traced to the link that caused it."""

    scope_lookup = "service__scope"
    search_fields = ("result",)

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="links", verbose_name=_("service"))
    supporting_service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supported_links",
        verbose_name=_("supporting service"),
    )
    supplier = models.ForeignKey(
        "suppliers.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_links",
        verbose_name=_("supplier"),
        limit_choices_to={"is_supplier": True},
    )
    responsible_team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_links",
        verbose_name=_("responsible team"),
        help_text=_("The team that answers for a supporting service's part; a supplier answers for its own."),
    )
    agreement = models.ForeignKey(
        "suppliers.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_links",
        verbose_name=_("agreement"),
        help_text=_("The internal agreement (OLA) or underpinning contract that holds this link."),
    )
    result = models.TextField(_("result responsible for"), help_text=_("What this link delivers to the service."))

    class Meta:
        verbose_name = _("service chain link")
        verbose_name_plural = _("service chain links")
        ordering = ["service", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(supporting_service__isnull=False, supplier__isnull=True))
                | (models.Q(supporting_service__isnull=True, supplier__isnull=False)),
                name="service_link_one_provider",
            ),
            models.UniqueConstraint(
                fields=["service", "supporting_service"],
                condition=models.Q(supporting_service__isnull=False, archived_at__isnull=True),
                name="unique_supporting_service_link",
            ),
            models.UniqueConstraint(
                fields=["service", "supplier", "agreement"],
                condition=models.Q(supplier__isnull=False, archived_at__isnull=True),
                name="unique_supplier_link",
            ),
        ]

    def __str__(self) -> str:
        provider = self.supporting_service if self.supporting_service_id else self.supplier
        return f"{self.service.code} ← {provider}"

    def get_absolute_url(self) -> str:
        return reverse("services:servicelink_detail", args=[self.pk])

    def clean(self) -> None:
        """One provider per link; a team answers for an internal link; the agreement must be of the
        link's kind and with its provider; and no service may come to depend on itself."""
        errors: dict[str, list[Any]] = {}
        if bool(self.supporting_service_id) == bool(self.supplier_id):
            errors.setdefault("supporting_service", []).append(_("Choose either a supporting service or a supplier."))
        if self.supporting_service_id and self.supporting_service_id == self.service_id:
            errors.setdefault("supporting_service", []).append(_("A service cannot support itself."))
        if self.supporting_service_id and not self.responsible_team_id:
            errors.setdefault("responsible_team", []).append(_("Name the team that answers for this link."))
        if self.supplier is not None and not self.supplier.is_supplier:
            errors.setdefault("supplier", []).append(_("%(name)s is not registered as a supplier.") % {"name": self.supplier})
        agreement = self.agreement if self.agreement_id else None
        if agreement is not None:
            if self.supplier_id and (agreement.kind != "uc" or agreement.provider_organisation_id != self.supplier_id):
                errors.setdefault("agreement", []).append(
                    _("A supplier's link is held by an underpinning contract with that supplier.")
                )
            if self.supporting_service_id and agreement.kind != "ola":
                errors.setdefault("agreement", []).append(
                    _("A supporting service's link is held by an internal agreement (OLA).")
                )
        if self.supporting_service_id and self.service_id and self.supporting_service_id != self.service_id:
            path = supporting_path(self.supporting_service_id, self.service_id, exclude_link=self.pk)
            if path is not None:
                names = dict(Service.objects.filter(pk__in=path).values_list("pk", "code"))
                errors.setdefault("supporting_service", []).append(
                    _("%(service)s would depend on itself through %(path)s.")
                    % {"service": names.get(self.service_id, self.service_id), "path": " → ".join(names[pk] for pk in path)}
                )
        if errors:
            raise ValidationError(errors)

    @property
    def provider(self) -> Any:
        return self.supporting_service if self.supporting_service_id else self.supplier

    @property
    def responsible(self) -> Any:
        """Who answers for the link's result: the supplier, or the team running the supporting service."""
        return self.supplier if self.supplier_id else self.responsible_team

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """A service's owner and manager see and keep their service's chain."""
        if action in ("services.view_servicelink", "services.change_servicelink"):
            return models.Q(service__owner__user_id=user.pk) | models.Q(service__manager__user_id=user.pk)
        return None


#: How deep a chain is followed: deeper chains are refused as a design error long before this matters.
CHAIN_DEPTH = 12


def supporting_path(start: int, target: int, *, exclude_link: int | None = None) -> list[int] | None:
    """The services from ``start`` down its chain to ``target``, if ``start`` depends on ``target``
    (one query per level of the chain, however deep); None if it does not."""
    links = ServiceLink.objects.active().filter(supporting_service__isnull=False)
    if exclude_link:
        links = links.exclude(pk=exclude_link)
    came_from: dict[int, int | None] = {start: None}
    frontier = {start}
    while frontier:
        step = list(links.filter(service_id__in=frontier).values_list("service_id", "supporting_service_id"))
        frontier = set()
        for parent, child in step:
            if child in came_from:
                continue
            came_from[child] = parent
            if child == target:
                path = [child]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path))
            frontier.add(child)
    return None


class MeasurementSource(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    CASES = "cases", _("from cases")


class ServiceLevelMeasurement(models.Model):
    """What a service achieved against one service-level target in one month. The row without a chain
    link is what the customer got; rows with a link record the breaches that link caused, so a missed
    level is attributed to the team or supplier responsible. Measured figures are replaced, never summed:
    recording a month again overwrites it, and the history keeps the earlier figure."""

    target = models.ForeignKey(
        "suppliers.ServiceLevelTarget", on_delete=models.PROTECT, related_name="measurements", verbose_name=_("target")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("service"))
    period = models.DateField(_("month"), help_text=_("The first day of the month measured."))
    link = models.ForeignKey(
        ServiceLink,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("chain link"),
    )
    achieved = models.DecimalField(
        _("achieved (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Availability, or the share of cases handled within the target time."),
    )
    cases = models.PositiveIntegerField(_("cases"), null=True, blank=True)
    breaches = models.PositiveIntegerField(_("breaches"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=MeasurementSource.choices, default=MeasurementSource.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service-level measurement")
        verbose_name_plural = _("service-level measurements")
        ordering = ["service", "target", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "service", "period"], condition=models.Q(link__isnull=True), name="unique_measurement_overall"
            ),
            models.UniqueConstraint(fields=["target", "service", "period", "link"], name="unique_measurement_link"),
            models.CheckConstraint(
                condition=models.Q(achieved__isnull=True) | models.Q(achieved__gte=0, achieved__lte=100),
                name="measurement_achieved_percent",
            ),
        ]
        indexes = [models.Index(fields=["service", "period"], name="measurement_service_period")]

    def __str__(self) -> str:
        return f"{self.service.code} · {self.period:%Y-%m}"
