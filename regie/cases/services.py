"""Every write to a case, and the rules it follows: logging a case against a service, moving it through its
workflow version's transitions (who may take a step, which fields it needs), assigning it to a team, a
person in it or a supplier of the service's chain, changing its priority, commenting. Each write adds to
the case's event history and computes its SLA clocks again from that history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.cases import changes, clocks, workflows
from regie.cases.choices import PREFIX, CaseKind, EventKind, Level, priority_of
from regie.cases.models import Case, CaseEvent, Workflow, WorkflowVersion
from regie.cases.roles import ADD_CASE, HANDLE, VIEW_CASE
from regie.core import permissions
from regie.core.services import StaleWrite, claim_version

__all__ = ["StaleWrite"]


class RuleBroken(ValidationError):
    """A step the workflow does not allow from here, or a field a step needs (named by ``code``)."""


# --- workflows -----------------------------------------------------------------------------------


def workflow_version_for(kind: str, domain: Any) -> WorkflowVersion:
    """The current version of the domain's workflow for the process, or of the organisation's default;
    the USM standard workflow becomes the default the first time a process is used."""
    workflow = Workflow.objects.active().filter(kind=kind, domain=domain).first() if domain is not None else None
    if workflow is None:
        workflow = Workflow.objects.active().filter(kind=kind, domain__isnull=True).first()
    if workflow is None:
        with transaction.atomic():
            workflow, _created = Workflow.objects.get_or_create(kind=kind, domain=None, defaults={"name": _default_name(kind)})
            if not workflow.versions.exists():
                WorkflowVersion.objects.create(
                    workflow=workflow, number=1, definition=workflows.default_definition(kind), note="USM"
                )
    version = workflow.current_version()
    assert version is not None
    return version


def _default_name(kind: str) -> str:
    from django.utils.translation import override

    from regie.cases.choices import CaseKind

    with override("en"):
        return _("%(process)s (USM standard)") % {"process": str(CaseKind(kind).label).capitalize()}


def workflow_version_add(*, actor: Any, workflow: Workflow, definition: Any, note: str = "") -> WorkflowVersion:
    """A new version of a workflow: checked whole first; cases already running keep their version."""
    if not permissions.may(actor, permissions.action_for(Workflow, "change"), workflow):
        raise PermissionDenied(_("You may not change this workflow."))
    workflows.parse(definition)
    with transaction.atomic():
        current = Workflow.objects.select_for_update().get(pk=workflow.pk).current_version()
        return WorkflowVersion.objects.create(
            workflow=workflow, number=(current.number if current else 0) + 1, definition=definition, note=note, created_by=actor
        )


def workflow_create(*, actor: Any, kind: Any, domain: Any, name: Any = "") -> Workflow:
    """A domain's own workflow for a process, starting as a copy of the organisation's current one (a
    change is then a new version). From then on the domain's new cases follow it; running ones keep theirs."""
    from regie.core.models import Domain

    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Choose one of the processes: %(kinds)s.") % {"kinds": ", ".join(CaseKind.values)}
    if not isinstance(domain, Domain):
        errors["domain"] = _("Choose the domain whose own workflow this is.")
    name = " ".join(str(name or "").split())
    if len(name) > 200:
        errors["name"] = _("A name has at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    if not permissions.may(actor, permissions.action_for(Workflow, "add"), scope=domain.scope):
        raise PermissionDenied(_("You may not add workflows in this domain."))
    with transaction.atomic():
        if Workflow.objects.filter(kind=kind, domain=domain).exists():
            raise ValidationError({"domain": _("This domain already has a workflow for this process.")})
        source = workflow_version_for(kind, None)
        process = str(CaseKind(kind).label).capitalize()
        workflow = Workflow(kind=kind, domain=domain, name=name or f"{process} ({domain.name})")
        workflow.full_clean()
        workflow.save()
        WorkflowVersion.objects.create(
            workflow=workflow,
            number=1,
            definition=source.definition,
            note=_("A copy of %(workflow)s, version %(number)s") % {"workflow": source.workflow, "number": source.number},
            created_by=actor,
        )
    return workflow


# --- cases -----------------------------------------------------------------------------------------


def _event(case: Case, actor: Any, kind: str, at: dt.datetime | None = None, **fields: Any) -> CaseEvent:
    """Add to the case's history; the requester is told of what concerns them by email (``mail.notify``)."""
    event = _record(case, actor, kind, at, **fields)
    if kind in (EventKind.CREATED, EventKind.STATE, EventKind.COMMENT, EventKind.MAIL_IN):
        from regie.cases import mail

        mail.notify(case, event)
    return event


def _record(case: Case, actor: Any, kind: str, at: dt.datetime | None = None, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=actor if getattr(actor, "pk", None) else None, kind=kind, at=at or timezone.now(), **fields
    )


def _check_parts(case: Case, actor: Any = None) -> None:
    errors: dict[str, list[str]] = {}
    offering, team, customer = case.offering, case.team, case.customer_organisation
    if offering is not None and offering.service_id != case.service_id:
        errors["offering"] = [_("This offering belongs to another service.")]
    if case.assignee_id and team is not None and not team.members.filter(pk=case.assignee_id).exists():
        errors["assignee"] = [_("%(person)s is not a member of %(team)s.") % {"person": case.assignee, "team": team}]
    if case.supplier_id and not case.service.links.active().filter(supplier_id=case.supplier_id).exists():
        errors["supplier"] = [_("This supplier is not part of the service's chain.")]
    if customer is not None and not customer.is_customer:
        errors["customer_organisation"] = [_("This organisation is not registered as a customer.")]
    if case.configuration_item_id and not _may_name_item(actor, case):
        errors["configuration_item"] = [_("No such record: %s") % case.configuration_item_id]
    if errors:
        raise ValidationError(errors)


def may_log(actor: Any, service: Any) -> bool:
    """Those who may log cases for the service's scope, and the people of its customers (an organisational
    unit the service serves, or a unit inside it)."""
    if permissions.may(actor, ADD_CASE, scope=service.scope) and permissions.may(actor, "services.view_service", service):
        return True
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    return person is not None and _customer_of(person, service)


def _customer_of(person: Any, service: Any) -> bool:
    """Is the person in a unit the service serves (or in a unit inside one)?"""
    return _served_unit(person, service) is not None


def _served_unit(person: Any, service: Any) -> Any:
    """The unit the service serves that the person works in (the nearest, if units nest), or None."""
    if person.org_unit_id is None or person.is_archived:
        return None
    path = person.org_unit.scope.path
    units = [unit for unit in service.customers.select_related("scope") if path.startswith(unit.scope.path)]
    return max(units, key=lambda unit: len(unit.scope.path), default=None)


def _may_name_item(actor: Any, case: Case) -> bool:
    """A case names a configuration item that supports its service, or one the actor may see."""
    from regie.configuration.models import ConfigurationItem

    items = ConfigurationItem.objects.active().filter(pk=case.configuration_item_id)
    if items.filter(service_links__service_id=case.service_id, service_links__archived_at__isnull=True).exists():
        return True
    return actor is not None and items.visible_to(actor).exists()


def case_register(
    *,
    actor: Any,
    kind: str,
    service: Any,
    title: str,
    description: str = "",
    impact: int = 2,
    urgency: int = 2,
    at: dt.datetime | None = None,
    **fields: Any,
) -> Case:
    """Log a case against a service (anyone who may see the service may): it starts in its workflow's
    first state with the priority its impact and urgency give."""
    if actor is None:
        # Logged by a channel (an email) on a person's behalf: the person must be one who may log it.
        person = fields.get("requester")
        if person is None or not _customer_of(person, service):
            raise PermissionDenied(_("You may not log cases for this service."))
    elif not may_log(actor, service):
        raise PermissionDenied(_("You may not log cases for this service."))
    if service.is_archived or service.status == "retired":
        raise ValidationError({"service": [_("Cases cannot be logged against a retired service.")]})
    if kind not in CaseKind.values:
        raise ValidationError({"kind": [_("No such kind of case: %(kind)s.") % {"kind": kind}]})
    problems = {
        name: [_("Give 1 (high), 2 (medium) or 3 (low).")]
        for name, value in (("impact", impact), ("urgency", urgency))
        if value not in Level.values
    }
    if problems:
        raise ValidationError(problems)
    handing = {name: fields[name] for name in ("team", "assignee", "supplier") if fields.get(name) is not None}
    if handing and (actor is None or not permissions.may(actor, HANDLE, scope=service.scope)):
        raise PermissionDenied(_("Only those who handle the service's cases assign them."))
    if fields.get("assignee") is not None and fields.get("team") is None:
        raise ValidationError({"team": [_("Give the team the person works in.")]})
    version = workflow_version_for(kind, service.domain)
    definition = version.parsed()
    requester = fields.pop("requester", None) or getattr(actor, "person", None)
    if requester is not None and not (fields.get("customer_unit") or fields.get("customer_organisation")):
        # A customer's own case is their unit's: the unit the service serves that they work in.
        fields["customer_unit"] = _served_unit(requester, service)
    case = Case(
        kind=kind,
        service=service,
        title=title,
        description=description,
        impact=impact,
        urgency=urgency,
        workflow_version=version,
        state=definition.initial,
        requester=requester,
        **fields,
    )
    if at is not None:
        case.opened_at = at
    case.priority = priority_of(case.impact, case.urgency) if case.impact and case.urgency else case.priority
    case.full_clean(exclude=["number"])
    _check_parts(case, actor)
    case._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        case.save()
        case.number = f"{PREFIX[CaseKind(kind)]}-{case.pk:06d}"
        Case.objects.filter(pk=case.pk).update(number=case.number)
        _event(
            case,
            actor,
            EventKind.CREATED,
            at=case.opened_at,
            state=case.state,
            priority=case.priority,
            team=case.team,
            assignee=case.assignee,
            supplier=case.supplier,
        )
        clocks.recompute([case])
    return case


def may_take(actor: Any, case: Case, step: workflows.Transition) -> bool:
    """Is the actor among those the workflow names for this step (a role held on the case's service or
    above, or the case's assignee, a member of its team, its requester, the service's owner or manager)?"""
    if not permissions.may(actor, VIEW_CASE, case) and not _is_requester(actor, case):
        return False
    person = getattr(actor, "person", None)
    for who in step.who:
        if who == "@assignee" and person is not None and case.assignee_id == person.pk:
            return True
        team = case.team
        if who == "@team" and person is not None and team is not None and team.members.filter(pk=person.pk).exists():
            return True
        if who == "@requester" and _is_requester(actor, case):
            return True
        if who == "@service_owner" and person is not None and case.service.owner_id == person.pk:
            return True
        if who == "@service_manager" and person is not None and case.service.manager_id == person.pk:
            return True
        if not who.startswith("@") and permissions.holds_role(actor, who, case.service.scope):
            return True
    return False


def _works_on(actor: Any, case: Case) -> bool:
    """Is the actor the case's assignee or a member of its team (who may hand it on and comment)?"""
    person = getattr(actor, "person", None)
    if person is None:
        return False
    team = case.team
    return case.assignee_id == person.pk or (team is not None and team.members.filter(pk=person.pk).exists())


def _is_requester(actor: Any, case: Case) -> bool:
    person = getattr(actor, "person", None)
    return person is not None and case.requester_id == person.pk


def steps_for(actor: Any, case: Case) -> list[workflows.Transition]:
    """The steps the actor may take from the case's state (for a change, those segregation of duties
    leaves them)."""
    definition = case.workflow_version.parsed()
    allowed = []
    for step in definition.transitions_from(case.state):
        if not may_take(actor, case, step):
            continue
        if case.kind == CaseKind.CHANGE:
            try:
                changes.before_step(actor, case, step)
            except PermissionDenied:
                continue
        allowed.append(step)
    return allowed


TRANSITION_FIELDS = ("resolution", "cause", "workaround", "risk", "impact_assessment", "planned_start", "planned_end")


def case_transition(
    *,
    actor: Any,
    case: Case,
    transition: str,
    note: str = "",
    fields: dict[str, Any] | None = None,
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Case:
    """Take a step of the case's workflow: allowed from its state, by those the step names, with the
    fields it requires filled (given with the step or already on the case)."""
    definition = case.workflow_version.parsed()
    try:
        step = definition.transition(transition)
    except KeyError:
        raise RuleBroken({"transition": [_("The workflow has no step “%(step)s”.") % {"step": transition}]}) from None
    if case.state not in step.sources:
        raise RuleBroken(
            {
                "transition": [
                    _("“%(step)s” cannot be taken from the state “%(state)s”.")
                    % {"step": workflows.display_label(step.label), "state": workflows.display_label(case.current_state().label)}
                ]
            }
        )
    if not may_take(actor, case, step):
        raise PermissionDenied(_("You may not take this step."))
    if case.kind == CaseKind.CHANGE:
        changes.before_step(actor, case, step)
    for name, value in (fields or {}).items():
        if name not in TRANSITION_FIELDS:
            raise ValidationError({name: [_("This field is not set by a workflow step.")]})
        setattr(case, name, value)
    missing = [name for name in step.requires if not _filled(case, name, note)]
    if missing:
        raise RuleBroken({name: [_("This step needs it.")] for name in missing})
    if case.kind == CaseKind.CHANGE:
        changes.check_step(actor, case, step)  # the planned window, freeze windows, open tasks, approvals
    case.full_clean(exclude=["number"])
    moment = at or timezone.now()
    target = definition.state(step.target)
    case.state = target.code
    if target.clock == "stopped" and case.resolved_at is None:
        case.resolved_at = moment
    elif target.clock != "stopped":
        case.resolved_at = None
    case.closed_at = moment if target.final else None
    case._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(case, expected_version)
        case.save()
        _event(
            case,
            actor,
            EventKind.STATE,
            at=moment,
            state=case.state,
            transition=step.code,
            note=note,
            data={name: str(getattr(case, name)) for name in (fields or {})},
        )
        clocks.recompute([case])
    return case


def _filled(case: Case, name: str, note: str) -> bool:
    if name == "note":
        return bool(note.strip())
    value = (
        getattr(case, f"{name}_id", None)
        if name in ("team", "assignee", "configuration_item", "offering")
        else getattr(case, name)
    )
    return value not in (None, "")


def case_assign(
    *,
    actor: Any,
    case: Case,
    team: Any = None,
    assignee: Any = None,
    supplier: Any = None,
    note: str = "",
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Case:
    """Hand the case to a team (and a person in it) or to a supplier of the service's chain; the chain
    link that holds it from now on runs its own clocks."""
    if not (permissions.may(actor, HANDLE, case) or _works_on(actor, case)):
        raise PermissionDenied(_("You may not assign this case."))
    if not case.is_open:
        raise RuleBroken({"team": [_("A closed case is not assigned.")]})
    case.team, case.assignee, case.supplier = team, assignee, supplier
    if team is None and assignee is not None:
        raise ValidationError({"team": [_("Give the team the person works in.")]})
    _check_parts(case, actor)
    case._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(case, expected_version)
        case.save()
        _event(case, actor, EventKind.ASSIGNED, at=at, team=team, assignee=assignee, supplier=supplier, note=note)
        clocks.recompute([case])
    return case


def case_prioritise(
    *,
    actor: Any,
    case: Case,
    impact: int,
    urgency: int,
    note: str = "",
    expected_version: int | None,
    at: dt.datetime | None = None,
) -> Case:
    """Change impact and urgency, and with them the priority; the clocks take the new priority's targets."""
    if not permissions.may(actor, HANDLE, case):
        raise PermissionDenied(_("You may not change this case's priority."))
    case.impact, case.urgency = impact, urgency
    case.full_clean(exclude=["number"])
    case.priority = priority_of(impact, urgency)
    case._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(case, expected_version)
        case.save()
        _event(
            case, actor, EventKind.PRIORITY, at=at, priority=case.priority, note=note, data={"impact": impact, "urgency": urgency}
        )
        clocks.recompute([case])
    return case


def case_comment(
    *, actor: Any, case: Case, note: str, at: dt.datetime | None = None, person: Any = None, kind: str = EventKind.COMMENT
) -> CaseEvent:
    """Add a comment (the requester on their own case, or whoever handles it). A channel (an email) adds
    one without an actor on behalf of ``person``, who must be the requester or work on the case."""
    if actor is None:
        works_on = person is not None and (
            case.assignee_id == person.pk
            or (case.team is not None and case.team.members.filter(pk=person.pk).exists())
            or (person.user is not None and permissions.may(person.user, HANDLE, case))
        )
        if person is None or not (case.requester_id == person.pk or works_on):
            raise PermissionDenied(_("You may not comment on this case."))
    elif not (_is_requester(actor, case) or _works_on(actor, case) or permissions.may(actor, HANDLE, case)):
        raise PermissionDenied(_("You may not comment on this case."))
    if not note.strip():
        raise ValidationError({"note": [_("Write the comment.")]})
    return _event(case, actor, kind, at=at, note=note.strip(), data={"person": person.pk} if person is not None else {})


def case_link(*, actor: Any, case: Case, target: Case, kind: str) -> Any:
    """Link two cases (an incident caused by a problem, a problem resolved by a change); whoever handles
    both may. A link is made once; a case does not link to itself."""
    from regie.cases.models import CaseLink

    if not (permissions.may(actor, HANDLE, case) and permissions.may(actor, HANDLE, target)):
        raise PermissionDenied(_("You may not link these cases."))
    if target.pk == case.pk:
        raise ValidationError({"target": [_("A case is not linked to itself.")]})
    link = CaseLink(source=case, target=target, kind=kind)
    link.full_clean()
    with transaction.atomic():
        link.save()
        _event(
            case,
            actor,
            EventKind.LINKED,
            note=f"{link.get_kind_display()} {target.number}",
            data={"case": target.pk, "kind": kind},
        )
    return link
