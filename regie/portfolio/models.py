"""Portfolios, programmes and projects: the PMO's temporary efforts, each a scope for roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regie.core.models import BusinessModel, Domain, Person, Scope, ScopedMixin
from regie.core.models.organisation import code_validator
from regie.portfolio.choices import (
    DIMENSIONS,
    ActionStatus,
    Assessment,
    GateOutcome,
    Health,
    Rag,
    ReportingFrequency,
    ReportState,
    ReviewState,
)


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


class Phase(models.Model):
    """A phase of a life-cycle model; the gate at its end decides on entering the next one."""

    lifecycle = models.ForeignKey(
        LifecycleModel, on_delete=models.PROTECT, related_name="phases", verbose_name=_("life-cycle model")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    gate_criteria = models.TextField(_("gate criteria"), blank=True, help_text=_("One criterion per line."))
    required_fields = models.CharField(
        _("required project fields"),
        max_length=300,
        blank=True,
        help_text=_(
            "Project fields that must be filled before the gate opens, separated by commas: goal, sponsor, "
            "project_manager, planned_start, planned_end, expected_costs, expected_benefits, strategic_contribution."
        ),
    )

    required_documents = models.CharField(
        _("required approved documents"),
        max_length=300,
        blank=True,
        help_text=_(
            "Kinds of document the project must have approved before the gate opens, separated by commas: "
            "project_plan, business_case, contract, design, report, minutes, other."
        ),
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["lifecycle", "order"]
        constraints = [models.UniqueConstraint(fields=["lifecycle", "order"], name="unique_phase_order")]

    def __str__(self) -> str:
        return self.name

    def next_phase(self) -> Phase | None:
        return self.lifecycle.phases.filter(order__gt=self.order).order_by("order").first()

    def criteria(self) -> list[str]:
        return [line.strip() for line in self.gate_criteria.splitlines() if line.strip()]

    def required_field_names(self) -> list[str]:
        return [name.strip() for name in self.required_fields.split(",") if name.strip()]

    def required_document_kinds(self) -> list[str]:
        return [name.strip() for name in self.required_documents.split(",") if name.strip()]

    def clean(self) -> None:
        errors = {}
        unknown = [name for name in self.required_field_names() if name not in REQUIRABLE_FIELDS]
        if unknown:
            errors["required_fields"] = _("Unknown project field(s): %(names)s.") % {"names": ", ".join(unknown)}
        unknown = [name for name in self.required_document_kinds() if name not in REQUIRABLE_DOCUMENTS]
        if unknown:
            errors["required_documents"] = _("Unknown kind(s) of document: %(names)s.") % {"names": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)


#: The kinds of document a gate may require to be approved (code: label), filled by the document register.
REQUIRABLE_DOCUMENTS: dict[str, Any] = {}

#: The project fields a gate may require to be filled.
REQUIRABLE_FIELDS = (
    "goal",
    "sponsor",
    "project_manager",
    "planned_start",
    "planned_end",
    "expected_costs",
    "expected_benefits",
    "strategic_contribution",
)


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
    latest_report = models.ForeignKey(
        "StatusReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("latest status report"),
    )
    report_due = models.DateField(_("next report due"), null=True, blank=True, editable=False, db_index=True)

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
            return named_on_project(user, prefix="")
        if action == "portfolio.change_project":
            return named_on_project(user, prefix="", parts=("project_manager", "pmo_officers"))
        return None

    def save(self, *args, **kwargs) -> None:
        # A project with a life-cycle model starts in its first phase; afterwards only gate decisions move it.
        if self.lifecycle_id and self.current_phase_id is None:
            self.current_phase = self.lifecycle.phases.order_by("order").first()  # type: ignore[union-attr]
        # The next report's due date follows the reporting frequency and the latest report.
        from regie.portfolio.reporting import compute_report_due

        self.report_due = None if self.archived_at else compute_report_due(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "report_due"}
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
    review = models.OneToOneField(
        "GateReview", null=True, blank=True, on_delete=models.PROTECT, related_name="decision", verbose_name=_("gate review")
    )
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="gate_decisions", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gate decision")
        verbose_name_plural = _("gate decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.phase} · {self.get_outcome_display()}"


def named_on_project(
    user, prefix: str = "project__", parts: tuple[str, ...] = ("project_manager", "sponsor", "pmo_officers", "steering_committee")
) -> models.Q:
    """The rows whose project (reached through ``prefix``) names ``user`` in one of ``parts``. The
    many-to-many parts are tested with a subquery on their link table, so the rule joins nothing and
    never makes a list repeat a row (no DISTINCT over wide rows)."""
    condition = models.Q(pk__in=[])
    for part in parts:
        field = Project._meta.get_field(part)
        if field.many_to_many:
            links = field.remote_field.through.objects.filter(person__user_id=user.pk).values("project_id")  # type: ignore[union-attr]
            condition |= models.Q(**{f"{prefix}pk__in": links})
        else:
            condition |= models.Q(**{f"{prefix}{part}__user_id": user.pk})
    return condition


#: The people named on a project who keep it: its project manager and its named PMO officers.
KEEPERS = ("project_manager", "pmo_officers")


def in_named_projects(
    user, parts: tuple[str, ...] = ("project_manager", "sponsor", "pmo_officers", "steering_committee"), field: str = "project_id"
) -> models.Q:
    """The rows whose project (the foreign key ``field``) names ``user`` in one of ``parts``, as one
    subquery on the projects: the rule reads only the row's own indexed column and joins nothing."""
    return models.Q(**{f"{field}__in": Project.objects.filter(named_on_project(user, prefix="", parts=parts)).values("pk")})


class GateReview(BusinessModel):
    """The PMO's preparation of a gate: evidence per criterion and a recommendation. The criteria are
    copied from the phase when the review starts, so a later change to the life-cycle model leaves a
    running review as it was."""

    scope_lookup = "project__scope"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="gate_reviews", verbose_name=_("project"))
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate after phase"))
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=GateOutcome.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    prepared_by = models.ForeignKey(
        Person, null=True, on_delete=models.PROTECT, related_name="prepared_gate_reviews", verbose_name=_("prepared by")
    )

    class Meta:
        verbose_name = _("gate review")
        verbose_name_plural = _("gate reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=models.Q(state="open"), name="one_open_gate_review_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.phase}"

    @classmethod
    def extra_visibility(cls, user, action: str) -> models.Q | None:
        return named_on_project(user) if action == "portfolio.view_gatereview" else None


class GateReviewItem(models.Model):
    """One criterion of a gate review with its assessment and evidence."""

    review = models.ForeignKey(GateReview, on_delete=models.CASCADE, related_name="items", verbose_name=_("gate review"))
    order = models.PositiveSmallIntegerField(_("order"))
    criterion = models.CharField(_("criterion"), max_length=500)
    assessment = models.CharField(_("assessment"), max_length=12, choices=Assessment.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("gate review item")
        verbose_name_plural = _("gate review items")
        ordering = ["review", "order"]

    def __str__(self) -> str:
        return self.criterion


class GateCondition(BusinessModel):
    """A condition of a "go with conditions" decision, tracked as an action with an owner and a due date."""

    scope_lookup = "project__scope"
    search_fields = ("description",)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="gate_conditions", verbose_name=_("project"))
    decision = models.ForeignKey(
        GateDecision, on_delete=models.PROTECT, related_name="conditions", verbose_name=_("gate decision")
    )
    description = models.TextField(_("condition"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="gate_conditions", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("gate condition")
        verbose_name_plural = _("gate conditions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("portfolio:project_detail", args=[self.project_id]) + "#gate-conditions"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.status == ActionStatus.OPEN and self.due_date < timezone.localdate()

    @classmethod
    def extra_visibility(cls, user, action: str) -> models.Q | None:
        if action == "portfolio.view_gatecondition":
            return named_on_project(user) | models.Q(owner__user_id=user.pk)
        return None


def _rag_field(label):
    return models.CharField(label, max_length=8, choices=Rag.choices, default=Rag.GREEN)


class StatusReport(BusinessModel):
    """A project's status over one reporting period. The PMO officer or the project manager drafts it;
    only the project manager submits it. A submitted report is never edited: a correction is a new
    revision of the same period, and the old one is kept, marked superseded."""

    scope_lookup = "project__scope"
    search_fields = ("summary",)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="status_reports", verbose_name=_("project"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by", verbose_name=_("corrects")
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("previous report")
    )
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)
    overall = _rag_field(_("overall"))
    overall_rationale = models.TextField(_("overall rationale"), blank=True)
    schedule = _rag_field(pgettext_lazy("RAG dimension", "schedule"))
    schedule_rationale = models.TextField(_("schedule rationale"), blank=True)
    cost = _rag_field(_("cost"))
    cost_rationale = models.TextField(_("cost rationale"), blank=True)
    scope = _rag_field(pgettext_lazy("RAG dimension", "scope"))
    scope_rationale = models.TextField(_("scope rationale"), blank=True)
    risks = _rag_field(_("risks"))
    risks_rationale = models.TextField(_("risks rationale"), blank=True)
    resources = _rag_field(_("resources"))
    resources_rationale = models.TextField(_("resources rationale"), blank=True)
    quality = _rag_field(_("quality"))
    quality_rationale = models.TextField(_("quality rationale"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    achievements = models.TextField(_("achievements this period"), blank=True)
    plans = models.TextField(_("plans for the next period"), blank=True)
    decisions_needed = models.TextField(_("decisions needed from the steering committee"), blank=True)
    top_risks = models.TextField(_("top risks and issues"), blank=True)
    # the coming milestones as the plan gave them when the draft was started and when it was submitted:
    # [{"name", "finish", "baseline_finish" (ISO dates or null), "variance_days", "done"}]
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    drafted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="drafted_reports", verbose_name=_("drafted by")
    )
    submitted_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="submitted_reports", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-period_start", "-revision"]
        indexes = [models.Index(fields=["project", "state", "period_start"])]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=models.Q(state="draft"), name="one_draft_report_per_project"),
            models.UniqueConstraint(fields=["project", "period_start", "revision"], name="unique_report_revision"),
        ]

    def __str__(self) -> str:
        label = f"{self.project.code} · {self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"
        return f"{label} (r{self.revision})" if self.revision > 1 else label

    def get_absolute_url(self) -> str:
        return reverse("portfolio:report_detail", args=[self.pk])

    @classmethod
    def extra_visibility(cls, user, action: str) -> models.Q | None:
        return named_on_project(user) if action == "portfolio.view_statusreport" else None

    @property
    def is_draft(self) -> bool:
        return self.state == ReportState.DRAFT

    def ratings(self) -> list[tuple[str, Any, str, str]]:
        """(field, label, RAG, rationale) for the overall status and each dimension."""
        rows: list[tuple[str, Any, str, str]] = [("overall", _("Overall"), self.overall, self.overall_rationale)]
        rows += [(name, label, getattr(self, name), getattr(self, f"{name}_rationale")) for name, label in DIMENSIONS]
        return rows

    def clean(self) -> None:
        """Amber or red needs its rationale; a period ends after it starts and lasts at most two months."""
        errors: dict[str, list] = {}
        for name, _label, rag, rationale in self.ratings():
            if rag in (Rag.AMBER, Rag.RED) and not (rationale or "").strip():
                errors[f"{name}_rationale"] = [_("Amber or red needs a rationale.")]
        if self.period_start and self.period_end:
            if self.period_end < self.period_start:
                errors["period_end"] = [_("The period ends before it starts.")]
            elif (self.period_end - self.period_start).days > 62:
                errors["period_end"] = [_("A reporting period lasts at most two months.")]
        if errors:
            raise ValidationError(errors)


class StatusReportComment(models.Model):
    """A steering committee member's comment on a submitted report."""

    report = models.ForeignKey(StatusReport, on_delete=models.CASCADE, related_name="comments", verbose_name=_("status report"))
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class StatusReportAcknowledgement(models.Model):
    """A steering committee member has read the submitted report."""

    report = models.ForeignKey(
        StatusReport, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("status report")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["acknowledged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "person"], name="acknowledge_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.report}"


class StatusReportReminder(models.Model):
    """A reminder sent for one project's reporting period, so that each is sent once."""

    class Kind(models.TextChoices):
        DUE = "due", _("due soon")
        OVERDUE = "overdue", _("overdue")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "period_start", "kind"], name="remind_once")]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.period_start} · {self.kind}"
