"""Portfolio rules that are more than saving a record: entering a life cycle and deciding at a gate."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Person
from regie.core.services import claim_version
from regie.portfolio.choices import GateOutcome
from regie.portfolio.models import GateDecision, Project


def deciders(project: Project) -> set[int]:
    """The people who may decide at the project's gates: its sponsor and its steering committee."""
    people = set(project.steering_committee.values_list("pk", flat=True))
    if project.sponsor_id:
        people.add(project.sponsor_id)
    return people


def may_decide(user: Any, project: Project) -> bool:
    user_id = getattr(user, "pk", None)
    person = Person.objects.filter(user_id=user_id).first() if user_id is not None else None
    return person is not None and person.pk in deciders(project)


def gate_decide(
    *, actor: Any, project: Project, outcome: str, rationale: str, conditions: str = "", expected_version: int | None
) -> GateDecision:
    """Record a gate decision. Support is not decision: only the sponsor or a steering committee member
    may record it, whatever other roles the actor holds. A decision needs its rationale; "go with
    conditions" needs the conditions; "go" enters the next phase, never a later one."""
    if not permissions.may(actor, "portfolio.view_project", project) or not may_decide(actor, project):
        raise PermissionDenied(_("Only the sponsor or a steering committee member decides at a gate."))
    errors: dict[str, list[str]] = {}
    if outcome not in GateOutcome.values:
        errors["outcome"] = [_("Choose a decision.")]
    if not (rationale or "").strip():
        errors["rationale"] = [_("A decision needs its rationale.")]
    if outcome == GateOutcome.GO_WITH_CONDITIONS and not (conditions or "").strip():
        errors["conditions"] = [_("Name the conditions.")]
    if project.current_phase is None:
        errors["outcome"] = [_("The project has no life cycle: choose a life-cycle model first.")]
    elif outcome in (GateOutcome.GO, GateOutcome.GO_WITH_CONDITIONS) and project.current_phase.next_phase() is None:
        errors["outcome"] = [_("This is the last phase: there is no phase to go to.")]
    if project.is_archived:
        errors["outcome"] = [_("The project is closed.")]
    if errors:
        raise ValidationError(errors)
    person = Person.objects.get(user_id=actor.pk)
    assert project.current_phase is not None
    with transaction.atomic():
        claim_version(project, expected_version)
        decision = GateDecision.objects.create(
            project=project,
            phase=project.current_phase,
            outcome=outcome,
            rationale=rationale.strip(),
            conditions=(conditions or "").strip(),
            decided_by=person,
        )
        if outcome in (GateOutcome.GO, GateOutcome.GO_WITH_CONDITIONS):
            project.current_phase = project.current_phase.next_phase()
        elif outcome == GateOutcome.STOP:
            project.archived_at = timezone.now()
        project._history_user = actor  # type: ignore[attr-defined]
        project.save()
    return decision
