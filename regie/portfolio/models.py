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
from regie.portfolio.choices import GateOutcome, Health, ReportingFrequency


class LifecycleModel(BusinessModel):
    """A life-cycle model: the phases a project passes and the gates between them. Several models exist
    side by side (a light one for small projects, a full one for large ones)."""

    scope_lookup = None
    readable_by_all_users = True
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("life-cycle model")
        verbose_name_plural = _("life-cycle models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:lifecyclemodel_detail", args=[self.pk])


class Phase(models.Model):
    """A phase of a life-cycle model; the gate at its end decides on entering the next one."""

    lifecycle = models.ForeignKey(
        LifecycleModel, on_delete=models.PROTECT, related_name="phases", verbose_name=_("life-cycle model")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    gate_criteria = models.TextField(_("gate criteria"), blank=True, help_text=_("One criterion per line."))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["lifecycle", "order"]
        constraints = [models.UniqueConstraint(fields=["lifecycle", "order"], name="unique_phase_order")]

    def __str__(self) -> str:
        return self.name

    def next_phase(self) -> Phase | None:
        return self.lifecycle.phases.filter(order__gt=self.order).order_by("order").first()


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
    lifecycle = models.ForeignKey(
        LifecycleModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("life-cycle model"),
    )
    current_phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("current phase"), editable=False
    )
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

    def save(self, *args, **kwargs) -> None:
        # A project with a life-cycle model starts in its first phase; afterwards only gate decisions move it.
        if self.lifecycle_id and self.current_phase_id is None:
            self.current_phase = self.lifecycle.phases.order_by("order").first()  # type: ignore[union-attr]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """A project's programme belongs to the same portfolio, and it cannot end before it starts."""
        errors = {}
        if self.programme_id and self.portfolio_id and self.programme and self.programme.portfolio_id != self.portfolio_id:
            errors["programme"] = _("The programme belongs to another portfolio.")
        phase = self.current_phase
        if self.lifecycle_id and phase is not None and phase.lifecycle_id != self.lifecycle_id:
            errors["lifecycle"] = _("A running project keeps its life-cycle model.")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end is before the planned start.")
        if errors:
            raise ValidationError(errors)


class GateDecision(models.Model):
    """A gate decision, recorded by the sponsor or a steering committee member — never by the PMO, which
    prepares. "Go" moves the project into the next phase (never further); "stop" closes it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="gate_decisions", verbose_name=_("project"))
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate after phase"))
    outcome = models.CharField(_("decision"), max_length=20, choices=GateOutcome.choices)
    rationale = models.TextField(_("rationale"))
    conditions = models.TextField(_("conditions"), blank=True)
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="gate_decisions", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gate decision")
        verbose_name_plural = _("gate decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.phase} · {self.get_outcome_display()}"
