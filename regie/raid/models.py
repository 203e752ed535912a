"""The RAID log: risks, issues, actions, decisions, assumptions and dependencies, on any scope.

One model serves every kind, so a log reads, filters, exports and rolls up the same way whatever it
holds; the fields a kind does not use stay empty. An item sits on a scope of the scope tree (a project,
programme, portfolio, and later a service or supplier), so the roles held there govern it and a
portfolio's view is one prefix match on the scope path.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regie.core.models import BusinessModel, Person, Scope
from regie.portfolio.models import KEEPERS, in_named_projects
from regie.raid.choices import OPEN_STATUSES, PREFIX, STATUSES, Kind, Origin, Severity, Status, Strategy


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RiskScale(models.Model):
    """The organisation's risk matrix: how many levels probability and impact have, what each level is
    called, and from which exposure (probability × impact) a risk counts as amber or red. One row."""

    levels = models.PositiveSmallIntegerField(
        _("levels"), default=5, validators=[MinValueValidator(3), MaxValueValidator(7)], help_text=_("From 3 to 7.")
    )
    probability_labels = models.TextField(
        _("probability levels"),
        default="Rare\nUnlikely\nPossible\nLikely\nAlmost certain",
        help_text=_("One per line, lowest first."),
    )
    impact_labels = models.TextField(
        _("impact levels"),
        default="Negligible\nMinor\nModerate\nMajor\nSevere",
        help_text=_("One per line, lowest first."),
    )
    amber_from = models.PositiveSmallIntegerField(_("amber from exposure"), default=5)
    red_from = models.PositiveSmallIntegerField(_("red from exposure"), default=12)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk scale")
        verbose_name_plural = _("risk scales")

    def __str__(self) -> str:
        return f"{self.levels} × {self.levels}"

    @classmethod
    def current(cls) -> RiskScale:
        scale = cls.objects.order_by("pk").first()
        return scale if scale is not None else cls.objects.create()

    def probability_names(self) -> list[str]:
        return self._names(self.probability_labels)

    def impact_names(self) -> list[str]:
        return self._names(self.impact_labels)

    def _names(self, text: str) -> list[str]:
        names = _lines(text)[: self.levels]
        return names + [str(n) for n in range(len(names) + 1, self.levels + 1)]

    def band(self, exposure: int | None) -> str:
        """ "red", "amber" or "green" for an exposure; "" when there is none."""
        if exposure is None:
            return ""
        return "red" if exposure >= self.red_from else "amber" if exposure >= self.amber_from else "green"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for name in ("probability_labels", "impact_labels"):
            if len(_lines(getattr(self, name))) != self.levels:
                errors[name] = _("Give exactly %(n)d levels, one per line.") % {"n": self.levels}
        top = (self.levels or 0) ** 2
        if not 1 < self.amber_from < self.red_from <= top:
            errors["red_from"] = _("Amber must start above 1 and below red, and red at most at %(top)d.") % {"top": top}
        if (
            self.levels
            and RaidItem.objects.filter(
                models.Q(probability__gt=self.levels)
                | models.Q(impact__gt=self.levels)
                | models.Q(residual_probability__gt=self.levels)
                | models.Q(residual_impact__gt=self.levels)
            ).exists()
        ):
            errors["levels"] = _("Some risks are scored above %(n)d: rescore them before making the scale smaller.") % {
                "n": self.levels
            }
        if errors:
            raise ValidationError(errors)


class RaidItem(BusinessModel):
    """One entry of a RAID log. The PMO (a role on the scope, or a project's PMO officers and project
    manager) administers the log; an item's owner updates their own item."""

    scope_lookup = "scope"
    listed_for_named_people = True
    search_fields = ("title", "description")

    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+", verbose_name=_("log of"))
    #: The project whose scope the item sits on (none once escalated above it): the people named on the
    #: project play their parts on its log.
    project = models.ForeignKey(
        "portfolio.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raid_items",
        editable=False,
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="raid_items", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    raised_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("raised by")
    )
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    progress = models.TextField(_("progress"), blank=True)

    # risks
    cause = models.TextField(_("cause"), blank=True)
    event = models.TextField(_("event"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    probability = models.PositiveSmallIntegerField(_("probability"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    exposure = models.PositiveSmallIntegerField(_("exposure"), null=True, blank=True, editable=False)
    proximity = models.DateField(_("proximity"), null=True, blank=True, help_text=_("When the risk could occur."))
    strategy = models.CharField(_("response strategy"), max_length=12, choices=Strategy.choices, blank=True)
    response = models.TextField(_("response"), blank=True)
    residual_probability = models.PositiveSmallIntegerField(_("residual probability"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_exposure = models.PositiveSmallIntegerField(_("residual exposure"), null=True, blank=True, editable=False)
    #: The exposure that counts now: the residual one where the response has been scored, else the assessed one.
    current_exposure = models.PositiveSmallIntegerField(_("current exposure"), null=True, blank=True, editable=False)

    # issues
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    # actions
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.LOG)
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("responds to"),
        help_text=_("The risk or issue this action responds to."),
    )
    origin_reference = models.CharField(_("origin reference"), max_length=200, blank=True)

    # decisions
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="raid_decisions", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    basis = models.TextField(_("basis"), blank=True, help_text=_("What the decision was based on."))

    # dependencies
    depends_on = models.CharField(_("depends on"), max_length=200, blank=True, help_text=_("Who or what delivers."))

    class Meta:
        verbose_name = _("RAID item")
        verbose_name_plural = _("RAID items")
        ordering = ["-id"]
        # The heat map, the top risks and the overdue actions of a portfolio read only these indexes (on
        # PostgreSQL the included columns make them index-only scans, visibility rules included).
        indexes = [
            models.Index(
                fields=["kind", "status", "scope"],
                include=[
                    "probability",
                    "impact",
                    "residual_probability",
                    "residual_impact",
                    "current_exposure",
                    "id",
                    "project",
                    "owner",
                ],
                condition=models.Q(archived_at__isnull=True),
                name="raid_kind_status_scope",
            ),
            models.Index(
                fields=["due_date", "id"],
                include=["scope", "project", "owner"],
                name="raid_open_actions_due",
                condition=models.Q(kind="action", status__in=["open", "in_progress"], archived_at__isnull=True),
            ),
            models.Index(fields=["owner", "status"], name="raid_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("raid:raiditem_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"{PREFIX.get(self.kind, '?')}-{self.pk or 0}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The people named on the item's project see its log, and an owner sees their own items; the
        project manager and PMO officers of the project administer the project's log."""
        # Subqueries on the project and the person, so that the rule joins nothing and reads only indexed columns.
        if action == "raid.view_raiditem":
            return in_named_projects(user) | models.Q(owner_id__in=Person.objects.filter(user_id=user.pk).values("pk"))
        if action in ("raid.change_raiditem", "raid.archive_raiditem", "raid.escalate_raiditem"):
            return in_named_projects(user, parts=KEEPERS)
        return None

    def clean(self) -> None:
        """Each kind's own rules: a risk is scored on the organisation's scale, an action has an owner
        and a due date, a decision taken names who decided, when and on what basis."""
        errors: dict[str, Any] = {}
        kind = self.kind
        if kind in STATUSES and self.status not in STATUSES[Kind(kind)]:
            errors["status"] = _("A %(kind)s cannot be “%(status)s”.") % {
                "kind": Kind(kind).label,
                "status": Status(self.status).label if self.status in Status.values else self.status,
            }
        if kind in (Kind.RISK, Kind.ISSUE, Kind.ACTION) and self.owner_id is None:
            errors["owner"] = _("Every %(kind)s needs an owner.") % {"kind": Kind(kind).label}
        if kind == Kind.ACTION and self.due_date is None:
            errors["due_date"] = _("An action needs a due date.")
        if kind == Kind.RISK:
            levels = RiskScale.current().levels
            for name in ("probability", "impact", "residual_probability", "residual_impact"):
                value = getattr(self, name)
                if value is None and name in ("probability", "impact"):
                    errors[name] = _("Score the risk from 1 to %(n)d.") % {"n": levels}
                elif value is not None and not 1 <= value <= levels:
                    errors[name] = _("Must be from 1 to %(n)d on the organisation's scale.") % {"n": levels}
            if (self.residual_probability is None) != (self.residual_impact is None):
                errors["residual_impact"] = _("Give both the residual probability and the residual impact, or neither.")
        if kind == Kind.ISSUE and not self.severity:
            errors["severity"] = _("Give the issue's severity.")
        if kind == Kind.DECISION and self.status == Status.DECIDED:
            if self.decided_by_id is None:
                errors["decided_by"] = _("Name the accountable person who decided.")
            if self.decided_on is None:
                errors["decided_on"] = _("Give the date of the decision.")
            if not self.basis.strip():
                errors["basis"] = _("Say on what basis it was decided.")
        if self.source_id is not None:
            if kind != Kind.ACTION:
                errors["source"] = _("Only an action responds to a risk or an issue.")
            elif self.source is not None and self.source.kind not in (Kind.RISK, Kind.ISSUE):
                errors["source"] = _("An action responds to a risk or an issue.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.exposure = self.probability * self.impact if self.probability and self.impact else None
        self.residual_exposure = (
            self.residual_probability * self.residual_impact if self.residual_probability and self.residual_impact else None
        )
        self.current_exposure = self.residual_exposure or self.exposure
        if self.is_open:
            self.closed_on = None
        elif self.closed_on is None:
            self.closed_on = timezone.localdate()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "exposure", "residual_exposure", "current_exposure", "closed_on"}
        super().save(*args, **kwargs)


class Escalation(models.Model):
    """An item moved up the scope tree — to the programme or portfolio — with who did it and why."""

    item = models.ForeignKey(RaidItem, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("item"))
    from_scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    reason = models.TextField(_("reason"))
    escalated_by = models.ForeignKey(
        Person, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("escalated by")
    )
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["escalated_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_scope_id} → {self.to_scope_id}"
