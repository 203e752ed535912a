"""Portfolios, programmes and projects: the PMO's temporary efforts, each a scope for roles."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.core.models import BusinessModel, Domain, Person, Scope, ScopedMixin
from regie.core.models.organisation import code_validator
from regie.portfolio.choices import Health, ReportingFrequency


class Portfolio(ScopedMixin, BusinessModel):
    """A portfolio of a domain or department: the portfolio PMO's strategic level."""

    scope_kind = "portfolio"
    scope_lookup = "scope"
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="portfolios", verbose_name=_("domain"))
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_portfolios",
        verbose_name=_("portfolio owner"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:portfolio_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        return self.domain.scope if self.domain_id else Scope.root()


class Programme(ScopedMixin, BusinessModel):
    """A programme: related projects steered together within one portfolio."""

    scope_kind = "programme"
    scope_lookup = "scope"
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("portfolio"))
    manager = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_programmes",
        verbose_name=_("programme manager"),
    )
    goal = models.TextField(_("goal"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:programme_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        return self.portfolio.scope if self.portfolio_id else Scope.root()


class Project(ScopedMixin, BusinessModel):
    """A project: sits in a programme or directly in a portfolio. The project manager is the one
    accountable; the sponsor and the steering committee decide; PMO officers support."""

    scope_kind = "project"
    scope_lookup = "scope"
    #: the people named on a project are reached through many-to-many joins
    visibility_needs_distinct = True
    #: people named on a project reach the project list (showing their projects) without a role
    listed_for_named_people = True
    search_fields = ("code", "name", "goal")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="projects", verbose_name=_("portfolio"))
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", verbose_name=_("programme")
    )
    sponsor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="sponsored_projects", verbose_name=_("sponsor")
    )
    project_manager = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_projects",
        verbose_name=_("project manager"),
    )
    pmo_officers = models.ManyToManyField(Person, blank=True, related_name="supported_projects", verbose_name=_("PMO officers"))
    steering_committee = models.ManyToManyField(
        Person, blank=True, related_name="steered_projects", verbose_name=_("steering committee")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=8, choices=Health.choices, default=Health.GREEN)
    reporting_frequency = models.CharField(
        _("reporting frequency"), max_length=12, choices=ReportingFrequency.choices, default=ReportingFrequency.MONTHLY
    )
    expected_costs = models.DecimalField(
        _("expected costs"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    expected_benefits = models.TextField(_("expected benefits"), blank=True)
    strategic_contribution = models.TextField(_("strategic contribution"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:project_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        if self.programme_id and self.programme:
            return self.programme.scope
        return self.portfolio.scope if self.portfolio_id else Scope.root()

    @classmethod
    def extra_visibility(cls, user, action: str) -> models.Q | None:
        """The people named on a project see it; its project manager and PMO officers may also change it."""
        if action == "portfolio.view_project":
            return (
                models.Q(project_manager__user_id=user.pk)
                | models.Q(sponsor__user_id=user.pk)
                | models.Q(pmo_officers__user_id=user.pk)
                | models.Q(steering_committee__user_id=user.pk)
            )
        if action == "portfolio.change_project":
            return models.Q(project_manager__user_id=user.pk) | models.Q(pmo_officers__user_id=user.pk)
        return None

    @staticmethod
    def extra_permission(user, action: str, obj: Project) -> bool:
        if not user.pk or not obj.pk:
            return False
        if action == "portfolio.view_project":
            named = (obj.project_manager_id, obj.sponsor_id)
            people = Person.objects.filter(user_id=user.pk).values_list("pk", flat=True)
            return bool(
                set(people) & set(named)
                or obj.pmo_officers.filter(user_id=user.pk).exists()
                or obj.steering_committee.filter(user_id=user.pk).exists()
            )
        if action == "portfolio.change_project":
            return bool(
                (
                    obj.project_manager_id is not None
                    and Person.objects.filter(user_id=user.pk, pk=obj.project_manager_id).exists()
                )
                or obj.pmo_officers.filter(user_id=user.pk).exists()
            )
        return False

    def clean(self) -> None:
        """A project's programme belongs to the same portfolio, and it cannot end before it starts."""
        errors = {}
        if self.programme_id and self.portfolio_id and self.programme and self.programme.portfolio_id != self.portfolio_id:
            errors["programme"] = _("The programme belongs to another portfolio.")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end is before the planned start.")
        if errors:
            raise ValidationError(errors)
