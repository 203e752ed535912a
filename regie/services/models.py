"""The service catalogue: services per domain, each with an accountable service owner, what it delivers
(the facility) and the support on its use, a lifecycle status, its customers, its offerings and its
costs. A service is a scope of the scope tree (under its domain), so roles, RAID logs and documents work
on it as on a project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
