"""Change management on top of the case workflow: segregation of duties, the approval rule, the change
calendar with its conflicts and freeze windows, and the realisation tasks of several teams.

**Segregation of duties.** Whoever specified (logged) or requested a change may not decide on it, and
whoever specified, assessed or approved it may not realise it: take "realise" or "complete", or mark a
realisation task done. Whoever assessed a change may still approve it.

**Approval rule.** Members of the change advisory board and change managers of the change's service (or a
scope above it) decide while the change waits for a decision ("assessed"), one decision per person:

- any rejection rejects the change;
- a change with risk 1 (high), or with no risk assessed, needs the approval of at least two of them;
- a change with risk 2 or 3 needs one approval: the change manager may approve it alone, as the delegated
  approver (a board member's approval counts the same).

A decision that meets the rule takes the workflow step "approve" or "reject" in the decider's name, so the
history shows it. Taking "approve" directly is itself a decision: the actor's approval is recorded, and the
step is refused while the rule is not met ("needs 2 approvals, has 1"); the approval stays recorded.

**Calendar.** A change's planned window ends after it starts. It may not be realised in a freeze window of
its service's domain or of every domain: "realise" is refused, naming ``planned_start``. Other open changes
on the same service or configuration item in an overlapping window are a warning, never a refusal.

**Realisation tasks.** Whoever handles the change splits its realisation into tasks for several teams while
it is approved or in realisation; a task is done by a member of its team or its assignee (never by someone
segregation of duties keeps from realising the change), and "complete" is refused while a task is open.

**Where the rules run.** ``before_step`` runs before every step of a change, whichever way it is taken,
and for every step ``services.steps_for`` offers; it refuses a step that breaks segregation of duties. The
rules that need the step's own fields (the planned window) or record something (the decision taking a
step makes) cannot run there: the step's fields are not applied yet, and offering a step must not write.
``services.case_transition`` runs them (``check_step``) once it has applied the step's fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.cases.choices import CaseKind, EventKind, Level
from regie.cases.models import Case, CaseTask, ChangeApproval, FreezeWindow
from regie.cases.roles import HANDLE, VIEW_CASE
from regie.core import permissions
from regie.core.services import claim_version

#: The steps that decide on a change, and those that carry it out.
DECIDING = frozenset({"approve", "reject"})
REALISING = frozenset({"realise", "complete"})
#: The steps whose actors may not realise the change (besides its requester and its specifier).
RESPONSIBLE_FOR_DECISION = frozenset({"assess", "approve"})
#: The roles whose holders decide on a change (on its service's scope or above).
APPROVER_ROLES = ("cab_member", "change_manager")
#: Approvals a change needs: two for a high risk (or a risk not assessed), one otherwise.
HIGH_RISK_APPROVALS = 2
DELEGATED_APPROVALS = 1
#: The default workflow's states, used when a workflow has no step of that name.
DECISION_STATES = frozenset({"assessed"})
REALISATION_STATES = frozenset({"approved", "in_realisation"})


def _specifier_refused() -> str:
    return _("You requested or specified this change, so someone else decides on it.")


def _realiser_refused() -> str:
    return _("You specified, assessed or approved this change, so someone else realises it (segregation of duties).")


def people_involved(case: Any) -> dict[str, set[int]]:
    """The person ids that specified, assessed and approved the change, from its history and approvals."""
    involved: dict[str, set[int]] = {"specified": set(), "decided": set()}
    if case.requester_id:
        involved["specified"].add(case.requester_id)
    for kind, transition, person_id in case.events.filter(actor__person__isnull=False).values_list(
        "kind", "transition", "actor__person"
    ):
        if kind == EventKind.CREATED:
            involved["specified"].add(person_id)
        elif transition in RESPONSIBLE_FOR_DECISION:
            involved["decided"].add(person_id)
    involved["decided"].update(case.approvals.values_list("approver_id", flat=True))
    return involved


def before_step(actor: Any, case: Any, step: Any) -> None:
    """Refuse a step that would give one person two duties the method keeps apart. The step's other rules
    (``check_step``) need its fields: ``case_transition`` checks them once they are applied."""
    _check_duties(actor, case, step)


def _check_duties(actor: Any, case: Any, step: Any) -> None:
    if step.code not in DECIDING | REALISING:
        return
    person = getattr(actor, "person", None)
    if person is None:
        return
    involved = people_involved(case)
    if step.code in DECIDING and person.pk in involved["specified"]:
        raise PermissionDenied(_specifier_refused())
    if step.code in REALISING and person.pk in involved["specified"] | involved["decided"]:
        raise PermissionDenied(_realiser_refused())


def check_step(actor: Any, case: Any, step: Any) -> None:
    """The rules of a change's step that need the step's fields, or record the decision taking it makes:
    the planned window ends after it starts; "realise" is not planned in a freeze window; "complete" waits
    for the realisation tasks; "approve" and "reject" record the actor's decision, and "approve" needs the
    approvals the rule asks for."""
    start, end = case.planned_start, case.planned_end
    if start is not None and end is not None and end <= start:
        raise ValidationError({"planned_end": [_("The planned end must be after the planned start.")]})
    if step.code == "realise":
        freezes = list(freeze_windows_over(case))
        if freezes:
            raise ValidationError({"planned_start": [_freeze_message(freezes)]})
    elif step.code == "complete":
        still_open = open_tasks(case).count()
        if still_open:
            raise ValidationError(
                ngettext("%(count)d realisation task is still open.", "%(count)d realisation tasks are still open.", still_open)
                % {"count": still_open}
            )
    elif step.code in DECIDING:
        _decide_by_step(actor, case, approved=step.code == "approve")


def _freeze_message(freezes: list[FreezeWindow]) -> str:
    names = "; ".join(
        _("%(name)s (%(start)s – %(end)s)") % {"name": f.name, "start": _moment(f.start), "end": _moment(f.end)} for f in freezes
    )
    return _("The planned window falls in a freeze window: %(freezes)s. Plan the change outside it.") % {"freezes": names}


def _moment(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _decide_by_step(actor: Any, case: Any, *, approved: bool) -> None:
    person = getattr(actor, "person", None)
    mine = ChangeApproval.objects.filter(case=case, approver=person).first() if person is not None else None
    if mine is not None and mine.approved != approved:
        raise ValidationError(_("You have already decided otherwise on this change; each person decides once."))
    if mine is None and person is not None and is_approver(actor, case):
        ChangeApproval.objects.create(case=case, approver=person, approved=approved)
    if approved:
        status = approval_status(case)
        if status.rejections:
            raise ValidationError(_("This change has been rejected, so it cannot be approved."))
        if status.approvals < status.needed:
            raise ValidationError(
                ngettext(
                    "This change needs %(needed)d approval, has %(has)d.",
                    "This change needs %(needed)d approvals, has %(has)d.",
                    status.needed,
                )
                % {"needed": status.needed, "has": status.approvals}
            )


# --- approvals -------------------------------------------------------------------------------------


def approvals_needed(case: Any) -> int:
    """Two approvals for a high risk (or a risk not assessed), one for a medium or low risk."""
    return HIGH_RISK_APPROVALS if case.risk in (None, Level.HIGH) else DELEGATED_APPROVALS


@dataclass(frozen=True)
class ApprovalStatus:
    """How far the decisions on a change meet the approval rule."""

    needed: int
    approvals: int
    rejections: int

    @property
    def outcome(self) -> str | None:
        """The step the decisions take ("approve" or "reject"), or None while the rule is not met."""
        if self.rejections:
            return "reject"
        if self.approvals >= self.needed:
            return "approve"
        return None

    def describe(self) -> str:
        if self.rejections:
            return ngettext("%(count)d rejection", "%(count)d rejections", self.rejections) % {"count": self.rejections}
        return ngettext("%(has)d of %(needed)d approval", "%(has)d of %(needed)d approvals", self.needed) % {
            "has": self.approvals,
            "needed": self.needed,
        }


def approval_status(case: Any) -> ApprovalStatus:
    counts = ChangeApproval.objects.filter(case=case).aggregate(
        approvals=Count("pk", filter=Q(approved=True)), rejections=Count("pk", filter=Q(approved=False))
    )
    return ApprovalStatus(approvals_needed(case), counts["approvals"], counts["rejections"])


def is_approver(actor: Any, case: Any) -> bool:
    """Does the actor hold a role that decides on changes, on the change's service scope or above?"""
    scope = case.service.scope
    return any(permissions.holds_role(actor, role, scope) for role in APPROVER_ROLES)


def _states_left_by(case: Any, codes: Iterable[str], fallback: frozenset[str]) -> frozenset[str]:
    definition = case.workflow_version.parsed()
    states: set[str] = set()
    for code in codes:
        try:
            states.update(definition.transition(code).sources)
        except KeyError:
            return fallback
    return frozenset(states)


def decision_states(case: Any) -> frozenset[str]:
    """The states in which a change waits for decisions: those its workflow's "approve" step leaves."""
    return _states_left_by(case, ["approve"], DECISION_STATES)


def realisation_states(case: Any) -> frozenset[str]:
    """The states in which a change's realisation is planned and done: those "realise" and "complete" leave."""
    return _states_left_by(case, ["realise", "complete"], REALISATION_STATES)


def check_may_decide(actor: Any, case: Any) -> None:
    """Refuse a decision by someone who may not decide on the change (``PermissionDenied``), or not now
    (``ValidationError``: it waits for no decision, or they have decided already)."""
    if case.kind != CaseKind.CHANGE:
        raise ValidationError(_("Only a request for change is approved."))
    person = getattr(actor, "person", None)
    if person is None or not is_approver(actor, case):
        raise PermissionDenied(
            _("Only a change advisory board member or a change manager of this service decides on its changes.")
        )
    if person.pk in people_involved(case)["specified"]:
        raise PermissionDenied(_specifier_refused())
    if case.state not in decision_states(case):
        raise ValidationError(_("This change is not waiting for a decision."))
    if ChangeApproval.objects.filter(case=case, approver=person).exists():
        raise ValidationError(_("You have already decided on this change."))


def decide_refusal(actor: Any, case: Any) -> str | None:
    """Why the actor may not decide on the change now, or None if they may."""
    try:
        check_may_decide(actor, case)
    except PermissionDenied as refused:
        return str(refused)
    except ValidationError as refused:
        return " ".join(refused.messages)
    return None


def change_decide(*, actor: Any, case: Case, approved: bool, note: str, at: dt.datetime | None = None) -> ChangeApproval:
    """Record the actor's decision on a change (see the approval rule above); when the decisions meet the
    rule, take the workflow step "approve" or "reject" in the actor's name."""
    from regie.cases import services  # services imports this module

    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("service__scope", "workflow_version").get(pk=case.pk)
        check_may_decide(actor, case)
        note = note.strip()
        if not note:
            raise ValidationError({"note": [_("Say why you decide so.")]})
        decision = ChangeApproval.objects.create(
            case=case, approver=actor.person, approved=approved, note=note, decided_at=at or timezone.now()
        )
        outcome = approval_status(case).outcome
        if outcome is not None:
            services.case_transition(actor=actor, case=case, transition=outcome, note=note, expected_version=None, at=at)
    return decision


# --- calendar and conflicts ------------------------------------------------------------------------


def _overlapping(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(planned_start__lt=end, planned_end__gt=start)


def open_changes() -> QuerySet:
    return Case.objects.active().filter(kind=CaseKind.CHANGE, closed_at__isnull=True)


def freeze_windows_between(start: dt.datetime, end: dt.datetime, domain_id: int | None = None) -> QuerySet:
    """The freeze windows overlapping [start, end): every domain's, and with ``domain_id`` only those of that
    domain or of every domain."""
    freezes = FreezeWindow.objects.active().filter(start__lt=end, end__gt=start)
    if domain_id is not None:
        freezes = freezes.filter(Q(domain__isnull=True) | Q(domain_id=domain_id))
    return freezes.select_related("domain").order_by("start", "pk")


def freeze_windows_over(case: Any) -> QuerySet:
    """The freeze windows of the change's service's domain (or of every domain) over its planned window."""
    if case.planned_start is None or case.planned_end is None:
        return FreezeWindow.objects.none()
    return freeze_windows_between(case.planned_start, case.planned_end, case.service.domain_id)


def overlapping_changes(case: Any) -> QuerySet:
    """Other open changes on the same service or configuration item whose planned window overlaps."""
    if case.planned_start is None or case.planned_end is None:
        return Case.objects.none()
    same = Q(service_id=case.service_id)
    if case.configuration_item_id:
        same |= Q(configuration_item_id=case.configuration_item_id)
    return (
        open_changes()
        .filter(same, _overlapping(case.planned_start, case.planned_end))
        .exclude(pk=case.pk)
        .select_related("service", "workflow_version")
        .order_by("planned_start", "pk")
    )


@dataclass(frozen=True)
class Conflicts:
    """What a change's planned window runs into: other changes (a warning) and freeze windows (a refusal
    when it is realised)."""

    changes: list[Case]
    freeze_windows: list[FreezeWindow]

    def __bool__(self) -> bool:
        return bool(self.changes or self.freeze_windows)


def conflicts(case: Any) -> Conflicts:
    return Conflicts(list(overlapping_changes(case)), list(freeze_windows_over(case)))


@dataclass
class ChangeCalendar:
    """The changes a person may see planned in a period, the freeze windows in it, and for each open
    change what it conflicts with (changes the person may not see included: their existence matters)."""

    start: dt.datetime
    end: dt.datetime
    changes: list[Case]
    freeze_windows: list[FreezeWindow]
    conflicting_changes: dict[int, list[Case]] = field(default_factory=dict)
    conflicting_freezes: dict[int, list[FreezeWindow]] = field(default_factory=dict)

    def conflicts_of(self, case: Case) -> Conflicts:
        return Conflicts(self.conflicting_changes.get(case.pk, []), self.conflicting_freezes.get(case.pk, []))


def change_calendar(user: Any, start: dt.datetime, end: dt.datetime) -> ChangeCalendar:
    """The changes visible to the user whose planned window overlaps [start, end), the freeze windows in
    it, and the conflicts of the open ones, in a fixed number of queries."""
    changes = list(
        Case.objects.active()
        .visible_to(user, VIEW_CASE)
        .filter(_overlapping(start, end), kind=CaseKind.CHANGE)
        .select_related("service", "workflow_version", "configuration_item")
        .order_by("planned_start", "pk")
    )
    calendar = ChangeCalendar(start, end, changes, list(freeze_windows_between(start, end)))
    planned = [c for c in changes if c.is_open]
    if not planned:
        return calendar
    first = min(c.planned_start for c in planned if c.planned_start is not None)
    last = max(c.planned_end for c in planned if c.planned_end is not None)
    services = {c.service_id for c in planned}
    items = {c.configuration_item_id for c in planned if c.configuration_item_id}
    others = list(
        open_changes()
        .filter(Q(service_id__in=services) | Q(configuration_item_id__in=items), _overlapping(first, last))
        .select_related("service", "workflow_version")
        .order_by("planned_start", "pk")
    )
    freezes = list(freeze_windows_between(first, last))
    for case in planned:
        assert case.planned_start is not None and case.planned_end is not None
        calendar.conflicting_changes[case.pk] = [
            other
            for other in others
            if other.pk != case.pk
            and _windows_overlap(case, other)
            and (
                other.service_id == case.service_id
                or (case.configuration_item_id and other.configuration_item_id == case.configuration_item_id)
            )
        ]
        calendar.conflicting_freezes[case.pk] = [
            f
            for f in freezes
            if f.start < case.planned_end and f.end > case.planned_start and f.domain_id in (None, case.service.domain_id)
        ]
    return calendar


def _windows_overlap(one: Case, other: Case) -> bool:
    if None in (one.planned_start, one.planned_end, other.planned_start, other.planned_end):
        return False
    return one.planned_start < other.planned_end and other.planned_start < one.planned_end  # type: ignore[operator]


# --- realisation tasks -----------------------------------------------------------------------------


def task_add(
    *, actor: Any, case: Case, title: str, team: Any, assignee: Any = None, due_at: dt.datetime | None = None
) -> CaseTask:
    """Add a piece of a change's realisation for one team (and a person in it), while the change is
    approved or in realisation; whoever handles the change may."""
    if not permissions.may(actor, HANDLE, case):
        raise PermissionDenied(_("You may not plan this change's realisation."))
    if case.kind != CaseKind.CHANGE:
        raise ValidationError(_("Realisation tasks belong to a request for change."))
    if case.state not in realisation_states(case):
        raise ValidationError(_("Realisation tasks are added once the change is approved, until it is realised."))
    errors: dict[str, list[str]] = {}
    if team is None or team.is_archived:
        errors["team"] = [_("Give the team that does the task.")]
    elif assignee is not None:
        if not team.members.filter(pk=assignee.pk).exists():
            errors["assignee"] = [_("%(person)s is not a member of %(team)s.") % {"person": assignee, "team": team}]
        else:
            involved = people_involved(case)
            if assignee.pk in involved["specified"] | involved["decided"]:
                errors["assignee"] = [
                    _("%(person)s specified, assessed or approved this change, so does not realise it.") % {"person": assignee}
                ]
    if errors:
        raise ValidationError(errors)
    task = CaseTask(case=case, title=title.strip(), team=team, assignee=assignee, due_at=due_at)
    task.full_clean()
    task._history_user = actor  # type: ignore[attr-defined]
    task.save()
    return task


def task_done_refusal(actor: Any, task: CaseTask, involved: dict[str, set[int]] | None = None) -> str | None:
    """Why the actor may not mark the realisation task done, or None if they may (``involved``: the
    change's ``people_involved``, when already known)."""
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        return _("Only a member of the task's team or its assignee marks it done.")
    works_on = task.assignee_id == person.pk or task.team.members.filter(pk=person.pk).exists()
    if not works_on:
        return _("Only a member of the task's team or its assignee marks it done.")
    involved = involved if involved is not None else people_involved(task.case)
    if person.pk in involved["specified"] | involved["decided"]:
        return _realiser_refused()
    return None


def task_done(*, actor: Any, task: CaseTask, at: dt.datetime | None = None) -> CaseTask:
    """Mark a realisation task done: by a member of its team or its assignee, never by whom segregation of
    duties keeps from realising the change."""
    refusal = task_done_refusal(actor, task)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if task.done_at is not None:
        raise ValidationError(_("This task is already done."))
    if not task.case.is_open or task.case.state not in realisation_states(task.case):
        raise ValidationError(_("This change is not being realised."))
    task.done_at = at or timezone.now()
    task.done_by = actor.person
    task._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(task, None)
        task.save()
    return task


def open_tasks(case: Any) -> QuerySet:
    return CaseTask.objects.active().filter(case=case, done_at__isnull=True)
