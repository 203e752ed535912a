"""Portfolio rules that are more than saving a record: who plays which part on a project, preparing a
gate review, deciding at a gate, and the conditions a decision sets.

Support is not decision: the PMO prepares (a role on the scope, or named as the project's PMO officer);
only the sponsor or a steering committee member decides — whatever roles they or anyone else hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Person
from regie.core.services import claim_version
from regie.portfolio.choices import ActionStatus, Assessment, GateOutcome, ReviewState
from regie.portfolio.models import (
    KEEPERS,
    GateCondition,
    GateDecision,
    GateReview,
    GateReviewItem,
    Phase,
    Project,
    named_on_project,
)

# --- who plays which part -------------------------------------------------------------------------


def person_of(user: Any) -> Person | None:
    """The person record of a signed-in user (cached on the user for one request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_regie_person"):
        user._regie_person = Person.objects.filter(user_id=user.pk, archived_at__isnull=True).first()
    return user._regie_person


@dataclass(frozen=True)
class Parts:
    """The parts a user plays on one project, and what they may therefore do there."""

    view: bool = False
    edit: bool = False
    draft_report: bool = False
    submit_report: bool = False
    comment_report: bool = False
    prepare_gate: bool = False
    decide_gate: bool = False


def project_of_scope(scope: Any) -> Project | None:
    """The project whose scope this is (None for any other scope)."""
    if scope is None or scope.kind != "project":
        return None
    return Project.objects.filter(scope=scope).first()


def keeps(user: Any, project: Project | None) -> bool:
    """Is the user the project manager or a named PMO officer of the project (who keep its records)?"""
    if project is None or not getattr(user, "is_authenticated", False):
        return False
    return Project.objects.filter(named_on_project(user, prefix="", parts=KEEPERS), pk=project.pk).exists()


def parts(user: Any, project: Project) -> Parts:
    """What ``user`` may do on ``project``. Named parts come from the project itself; roles on a scope
    add viewing, editing, drafting reports and preparing gates — never submitting or deciding."""
    person = person_of(user)
    pid = person.pk if person else None
    is_manager = pid is not None and project.project_manager_id == pid
    is_sponsor = pid is not None and project.sponsor_id == pid
    named_pmo = pid is not None and any(p.pk == pid for p in project.pmo_officers.all())
    on_committee = pid is not None and any(p.pk == pid for p in project.steering_committee.all())
    view = permissions.may(user, "portfolio.view_project", project)
    open_project = not project.is_archived
    return Parts(
        view=view,
        edit=open_project and permissions.may(user, "portfolio.change_project", project),
        draft_report=open_project and (is_manager or named_pmo or permissions.may(user, "portfolio.draft_report", project)),
        submit_report=open_project and is_manager,
        comment_report=is_sponsor or on_committee,
        prepare_gate=open_project
        and project.current_phase_id is not None
        and (named_pmo or permissions.may(user, "portfolio.prepare_gate_review", project)),
        decide_gate=open_project and (is_sponsor or on_committee),
    )


def deciders(project: Project) -> set[int]:
    """The people who may decide at the project's gates: its sponsor and its steering committee."""
    people = set(project.steering_committee.values_list("pk", flat=True))
    if project.sponsor_id:
        people.add(project.sponsor_id)
    return people


def may_decide(user: Any, project: Project) -> bool:
    person = person_of(user)
    return person is not None and person.pk in deciders(project)


# --- gate review ----------------------------------------------------------------------------------


def open_review(project: Project) -> GateReview | None:
    """The review in preparation for the project's current gate, if any."""
    return project.gate_reviews.filter(state=ReviewState.OPEN, phase=project.current_phase).prefetch_related("items").first()


# Other apps add what a gate requires beyond the project's fields (the document register: approved
# documents of the kinds the phase names): a function of (project, phase) giving what is still missing.
GATE_CHECKS: list[Callable[[Project, Phase], list[str]]] = []


def register_gate_check(check: Callable[[Project, Phase], list[str]]) -> None:
    if check not in GATE_CHECKS:
        GATE_CHECKS.append(check)


def missing_fields(project: Project) -> list[str]:
    """What the current gate requires and the project still lacks: the labels of empty required fields,
    then what the registered checks find missing (e.g. "an approved business case")."""
    phase = project.current_phase
    if phase is None:
        return []
    missing = []
    for name in phase.required_field_names():
        field: Any = Project._meta.get_field(name)
        value = getattr(project, name)
        if value in (None, "") or (name == "expected_costs" and not value):
            missing.append(str(field.verbose_name))
    for check in GATE_CHECKS:
        missing += check(project, phase)
    return missing


def review_prepare(
    *,
    actor: Any,
    project: Project,
    items: list[dict[str, Any]],
    recommendation: str = "",
    summary: str = "",
    expected_version: int | None = None,
) -> GateReview:
    """Start or update the review of the current gate. ``items`` gives, per criterion (by position),
    its assessment and evidence. The criteria are copied from the phase when the review starts."""
    if not parts(actor, project).prepare_gate:
        raise PermissionDenied(_("Only the PMO prepares a gate review."))
    assert project.current_phase is not None
    review = open_review(project)
    criteria = [item.criterion for item in review.items.all()] if review else project.current_phase.criteria()
    errors: dict[str, list[str]] = {}
    if recommendation and recommendation not in GateOutcome.values:
        errors["recommendation"] = [_("Choose one of the decisions a gate can take.")]
    if len(items) > len(criteria):
        errors["items"] = [
            _("This gate has %(count)s criteria; %(given)s were given.") % {"count": len(criteria), "given": len(items)}
        ]
    for index, item in enumerate(items):
        assessment = item.get("assessment") or ""
        if assessment and assessment not in Assessment.values:
            errors[f"items.{index}.assessment"] = [_("Use met, partly_met or not_met.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if review is None:
            review = GateReview.objects.create(
                project=project, phase=project.current_phase, prepared_by=person_of(actor), summary="", recommendation=""
            )
            GateReviewItem.objects.bulk_create(
                GateReviewItem(review=review, order=index, criterion=text[:500]) for index, text in enumerate(criteria)
            )
        else:
            claim_version(review, expected_version)
        stored = list(review.items.order_by("order"))
        for index, item in enumerate(items):
            stored[index].assessment = item.get("assessment") or ""
            stored[index].evidence = (item.get("evidence") or "").strip()
        GateReviewItem.objects.bulk_update(stored, ["assessment", "evidence"])
        review.recommendation = recommendation or ""
        review.summary = (summary or "").strip()
        review.prepared_by = person_of(actor)
        review._history_user = actor  # type: ignore[attr-defined]
        review.save()
    return review


# --- gate decision --------------------------------------------------------------------------------


def gate_decide(
    *,
    actor: Any,
    project: Project,
    outcome: str,
    rationale: str,
    conditions: list[dict[str, Any]] | None = None,
    expected_version: int | None,
) -> GateDecision:
    """Record a gate decision. Support is not decision: only the sponsor or a steering committee member
    may record it, whatever other roles the actor holds. A decision needs its rationale; "go with
    conditions" needs at least one condition, each with an owner and a due date; "go" enters the next
    phase, never a later one, and only when the fields the gate requires are filled."""
    if not permissions.may(actor, "portfolio.view_project", project) or not may_decide(actor, project):
        raise PermissionDenied(_("Only the sponsor or a steering committee member decides at a gate."))
    conditions = conditions or []
    errors: dict[str, list[str]] = {}
    if outcome not in GateOutcome.values:
        errors["outcome"] = [_("Choose a decision.")]
    if not (rationale or "").strip():
        errors["rationale"] = [_("A decision needs its rationale.")]
    going = outcome in (GateOutcome.GO, GateOutcome.GO_WITH_CONDITIONS)
    if outcome == GateOutcome.GO_WITH_CONDITIONS and not conditions:
        errors["conditions"] = [_("Name the conditions, each with an owner and a due date.")]
    if conditions and outcome != GateOutcome.GO_WITH_CONDITIONS:
        errors["conditions"] = [_("Only a “go with conditions” decision sets conditions.")]
    owners = {p.pk: p for p in Person.objects.active().filter(pk__in=[c.get("owner") for c in conditions if c.get("owner")])}
    for index, condition in enumerate(conditions):
        if not (condition.get("description") or "").strip():
            errors[f"conditions.{index}.description"] = [_("Describe the condition.")]
        if condition.get("owner") not in owners:
            errors[f"conditions.{index}.owner"] = [_("Name an owner (an active person).")]
        if not isinstance(condition.get("due_date"), date):
            errors[f"conditions.{index}.due_date"] = [_("Give a due date.")]
    if project.current_phase is None:
        errors["outcome"] = [_("The project has no life cycle: choose a life-cycle model first.")]
    elif going and project.current_phase.next_phase() is None:
        errors["outcome"] = [_("This is the last phase: there is no phase to go to.")]
    elif going and missing_fields(project):
        errors["outcome"] = [_("The gate requires these first: %s.") % ", ".join(missing_fields(project))]
    if project.is_archived:
        errors["outcome"] = [_("The project is closed.")]
    if errors:
        raise ValidationError(errors)
    person = person_of(actor)
    assert project.current_phase is not None and person is not None
    with transaction.atomic():
        claim_version(project, expected_version)
        review = open_review(project)
        decision = GateDecision.objects.create(
            project=project,
            phase=project.current_phase,
            outcome=outcome,
            rationale=rationale.strip(),
            decided_by=person,
            review=review,
        )
        if review is not None:
            review.state = ReviewState.DECIDED
            review.save(update_fields=["state", "updated_at"])
        for condition in conditions:
            GateCondition.objects.create(
                project=project,
                decision=decision,
                description=condition["description"].strip(),
                owner=owners[condition["owner"]],
                due_date=condition["due_date"],
            )
        if going:
            project.current_phase = project.current_phase.next_phase()
        elif outcome == GateOutcome.STOP:
            project.archived_at = timezone.now()
        project._history_user = actor  # type: ignore[attr-defined]
        project.save()
    return decision


def condition_update(
    *, actor: Any, condition: GateCondition, status: str, note: str = "", expected_version: int | None
) -> GateCondition:
    """Mark a gate condition done (or open again). Its owner, the project manager and the project's
    PMO may do so; the note says how the condition was met."""
    project = condition.project
    person = person_of(actor)
    allowed = (person is not None and condition.owner_id == person.pk) or parts(actor, project).edit
    if not allowed:
        raise PermissionDenied(_("Only the owner, the project manager or the PMO updates a condition."))
    if status not in ActionStatus.values:
        raise ValidationError({"status": [_("Use open or done.")]})
    with transaction.atomic():
        claim_version(condition, expected_version)
        condition.status = status
        condition.note = (note or condition.note).strip()
        condition.completed_at = timezone.now() if status == ActionStatus.DONE else None
        condition._history_user = actor  # type: ignore[attr-defined]
        condition.save()
    return condition
