"""Governance records of a project: its stakeholder register and its RACI matrix.

A RACI row names, for one deliverable, decision or activity, who is Responsible, Accountable, Consulted
and Informed; exactly one person is accountable for each row (the explicit accountability of the
domain's principles). The stakeholder register lists the people and organisations with a stake in a
project or programme, with their interest, influence and attitude, for the power/interest grid.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.core.models import BusinessModel, Person, Scope
from regie.portfolio.models import KEEPERS, Project, in_named_projects

LEVEL = [MinValueValidator(1), MaxValueValidator(5)]


class Attitude(models.TextChoices):
    UNAWARE = "unaware", _("unaware")
    RESISTANT = "resistant", _("resistant")
    NEUTRAL = "neutral", _("neutral")
    SUPPORTIVE = "supportive", _("supportive")
    LEADING = "leading", _("leading")


class RowKind(models.TextChoices):
    DELIVERABLE = "deliverable", _("deliverable")
    DECISION = "decision", _("decision")
    ACTIVITY = "activity", _("activity")


class Letter(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class Stakeholder(BusinessModel):
    """A person or organisation with a stake in a project or programme: their role, how interested and
    how influential they are (1–5), their attitude now and the attitude the project works towards."""

    scope_lookup = "scope"
    listed_for_named_people = True
    search_fields = ("organisation", "role", "person__given_name", "person__family_name")

    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+", verbose_name=_("register of"))
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="stakeholders", editable=False
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="stakes", verbose_name=_("person")
    )
    organisation = models.CharField(_("organisation or group"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200, help_text=_("Their role towards the project."))
    interest = models.PositiveSmallIntegerField(_("interest"), default=3, validators=LEVEL, help_text=_("1 (low) to 5 (high)."))
    influence = models.PositiveSmallIntegerField(
        _("influence"), default=3, validators=LEVEL, help_text=_("Power over the project: 1 (low) to 5 (high).")
    )
    attitude = models.CharField(_("attitude"), max_length=12, choices=Attitude.choices, default=Attitude.NEUTRAL)
    desired_attitude = models.CharField(
        _("desired attitude"), max_length=12, choices=Attitude.choices, default=Attitude.SUPPORTIVE
    )
    engagement = models.TextField(_("how we engage"), blank=True)
    relationship_owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("relationship owner")
    )

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["-influence", "-interest", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.person_id and self.organisation:
            return f"{self.person} ({self.organisation})"
        return str(self.person) if self.person_id else self.organisation

    @property
    def quadrant(self) -> str:
        """The power/interest grid's quadrant: manage closely, keep satisfied, keep informed, monitor."""
        high_power, high_interest = self.influence >= 3, self.interest >= 3
        if high_power:
            return "manage" if high_interest else "satisfy"
        return "inform" if high_interest else "monitor"

    @property
    def attitude_gap(self) -> int:
        order = list(Attitude.values)
        return order.index(self.desired_attitude) - order.index(self.attitude)

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        if action == "governance.view_stakeholder":
            return in_named_projects(user)
        if action in ("governance.change_stakeholder", "governance.archive_stakeholder"):
            return in_named_projects(user, parts=KEEPERS)
        return None

    def clean(self) -> None:
        if not self.person_id and not self.organisation.strip():
            raise ValidationError({"organisation": _("Name the person or the organisation.")})
        if self.scope_id and self.scope.kind not in ("project", "programme"):
            raise ValidationError({"scope": _("A stakeholder register belongs to a project or a programme.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.project = Project.objects.filter(scope_id=self.scope_id).first() if self.scope_id else None
        super().save(*args, **kwargs)


class RaciRow(BusinessModel):
    """One line of a project's RACI matrix: a deliverable, decision or activity and who plays which part."""

    scope_lookup = "project__scope"
    search_fields = ("subject",)

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="raci_rows", verbose_name=_("project"))
    subject = models.CharField(_("deliverable, decision or activity"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=RowKind.choices, default=RowKind.DELIVERABLE)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("RACI row")
        verbose_name_plural = _("RACI rows")
        ordering = ["project", "order", "id"]

    def __str__(self) -> str:
        return self.subject

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        if action == "governance.view_racirow":
            return in_named_projects(user) | models.Q(pk__in=RaciCell.objects.filter(person__user_id=user.pk).values("row_id"))
        return None


class RaciCell(models.Model):
    """A person's part in a RACI row."""

    row = models.ForeignKey(RaciRow, on_delete=models.CASCADE, related_name="cells", verbose_name=_("row"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="raci_cells", verbose_name=_("person"))
    letter = models.CharField(_("part"), max_length=1, choices=Letter.choices)

    class Meta:
        verbose_name = _("RACI cell")
        verbose_name_plural = _("RACI cells")
        constraints = [
            models.UniqueConstraint(fields=["row", "person"], name="one_part_per_person_and_row"),
            models.UniqueConstraint(fields=["row"], condition=models.Q(letter="A"), name="one_accountable_per_row"),
        ]

    def __str__(self) -> str:
        return f"{self.row_id} · {self.person_id} · {self.letter}"
