"""The cases API: logging a case against a service, reading it with its SLA clocks and the steps the caller
may take, its event history, and moving it on: a workflow step, an assignment, a new priority (each with
If-Match) and comments; and the workflows with their versions. Every write goes through
``regie.cases.services``. A refused step names the rule it broke (``rule`` in the problem details, 409):
``transition_not_allowed`` (no such step, or not from the case's state), ``fields_required`` (the step
needs fields filled or a note) or ``case_closed`` (a closed case is not assigned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AwareDatetime, field_validator

from regie.cases import services, workflows
from regie.cases.choices import CaseKind, ClockName, ClockStatus, EventKind
from regie.cases.models import Case, CaseEvent, SlaClock, Workflow, WorkflowVersion
from regie.core import permissions
from regie.core.api import Strict
from regie.core.api_tools import PageParams, RecordId, check_id, dumps, etag_of, problem
from regie.core.api_tools import expected_version as if_match_version
from regie.core.generic import ID_MAX
from regie.core.models import Domain, OrgUnit, Person, Team

TEXT = 20000
UTC = dt.UTC
#: A moment a case may plan for: time-zone aware and within what every database stores.
Moment = Annotated[
    AwareDatetime,
    Field(ge=dt.datetime(1900, 1, 1, tzinfo=UTC), le=dt.datetime(9998, 12, 31, tzinfo=UTC)),
]
LevelValue = Annotated[int, Field(ge=1, le=3)]

VIEW_WORKFLOW = permissions.action_for(Workflow, "view")


# --- output ---------------------------------------------------------------------------------------


class CaseRefOut(Schema):
    id: int = Field(..., description="The record's id")
    name: str = Field(..., description="The record's name as shown")


class CaseCodeRefOut(Schema):
    id: int = Field(..., description="The record's id")
    code: str = Field(..., description="The record's code")
    name: str = Field(..., description="The record's name")


class CaseProblemOut(Schema):
    type: str = Field(..., description="Always about:blank")
    title: str = Field(..., description="A short summary of the problem")
    status: int = Field(..., description="The HTTP status")
    detail: str = Field(..., description="What went wrong, naming the fields")
    instance: str = Field(..., description="The path that was asked for")
    rule: str | None = Field(None, description="The rule a refused step broke (see the API description)")
    errors: list[dict[str, str]] | None = Field(None, description="Each problem: field and message")


class CaseStateOut(Schema):
    code: str = Field(..., description="The state's code in the workflow")
    label: str = Field(..., description="The state's label, translated when it is a standard one")
    instruction: str = Field(..., description="The work instruction for the state")


class WorkflowVersionRefOut(Schema):
    id: int = Field(..., description="The workflow version's id")
    number: int = Field(..., description="The version's number within its workflow")
    workflow: CaseRefOut = Field(..., description="The workflow")


class CaseStepOut(Schema):
    code: str = Field(..., description="The step to send as `transition`")
    label: str = Field(..., description="The step's label, translated when it is a standard one")
    to: str = Field(..., description="The state the step leads to")
    requires: list[str] = Field(..., description="Fields that must be filled first (`note`: a note with the step)")
    instruction: str = Field(..., description="The work instruction for the step")


class SlaClockOut(Schema):
    name: ClockName = Field(..., description="response or resolution")
    link_id: int | None = Field(..., description="The service chain link the clock is for (empty: the customer's SLA)")
    link_label: str | None = Field(..., description="The chain link as shown (empty: the customer's SLA)")
    agreement_code: str | None = Field(..., description="The code of the agreement whose target applies")
    target_minutes: int | None = Field(..., description="The target in business minutes")
    elapsed_minutes: int = Field(..., description="Business minutes counted so far")
    status: ClockStatus = Field(..., description="not_started, running, paused or stopped")
    due_at: dt.datetime | None = Field(..., description="When the target runs out if the clock keeps running")
    warn_at: dt.datetime | None = Field(..., description="From when the clock warns")
    breached: bool = Field(..., description="The target was missed")
    breached_at: dt.datetime | None = Field(..., description="When the target was missed")


class CaseOut(Schema):
    id: int = Field(..., description="The case's id")
    version: int = Field(..., description="The lock counter to send as If-Match")
    number: str | None = Field(..., description="The case's number, e.g. INC-000042")
    kind: CaseKind = Field(..., description="The process: incident, service_request, change, wish or problem")
    title: str = Field(..., description="A short title")
    description: str = Field(..., description="What the case is about")
    service: CaseCodeRefOut = Field(..., description="The service the case is against")
    offering: CaseRefOut | None = Field(..., description="The service offering, where known")
    configuration_item: CaseRefOut | None = Field(..., description="The configuration item, where known")
    customer_unit: CaseRefOut | None = Field(..., description="The customer (an organisational unit), where known")
    customer_organisation: CaseRefOut | None = Field(..., description="The external customer, where known")
    requester: CaseRefOut | None = Field(..., description="Who logged the case, or for whom")
    requester_email: str = Field(..., description="The requester's email, when not a person of the organisation")
    impact: int = Field(..., description="1 high, 2 medium, 3 low")
    urgency: int = Field(..., description="1 high, 2 medium, 3 low")
    priority: int = Field(..., description="1 (critical) to 4 (low), from impact and urgency")
    state: CaseStateOut = Field(..., description="Where the case is in its workflow")
    workflow_version: WorkflowVersionRefOut = Field(..., description="The workflow version the case follows")
    team: CaseRefOut | None = Field(..., description="The team holding the case")
    assignee: CaseRefOut | None = Field(..., description="The person in the team handling the case")
    supplier: CaseRefOut | None = Field(..., description="The supplier of the service's chain working on the case")
    resolution: str = Field(..., description="How the case was resolved")
    cause: str = Field(..., description="The cause, once known")
    workaround: str = Field(..., description="A workaround, once known")
    risk: int | None = Field(..., description="A change's risk: 1 high, 2 medium, 3 low")
    impact_assessment: str = Field(..., description="A change's impact assessment")
    planned_start: dt.datetime | None = Field(..., description="A change's planned start")
    planned_end: dt.datetime | None = Field(..., description="A change's planned end")
    opened_at: dt.datetime = Field(..., description="When the case was logged")
    resolved_at: dt.datetime | None = Field(..., description="When it reached a state that stops the clock")
    closed_at: dt.datetime | None = Field(..., description="When it reached a final state (empty: open)")
    steps: list[CaseStepOut] = Field(..., description="The steps the caller may take now")
    clocks: list[SlaClockOut] = Field(..., description="The SLA clocks: the customer's and each chain link's")


class CaseRowOut(Schema):
    id: int = Field(..., description="The case's id")
    version: int = Field(..., description="The lock counter to send as If-Match")
    number: str | None = Field(..., description="The case's number")
    kind: CaseKind = Field(..., description="The process")
    title: str = Field(..., description="A short title")
    state: str = Field(..., description="The state's code")
    state_label: str = Field(..., description="The state's label")
    priority: int = Field(..., description="1 (critical) to 4 (low)")
    service: CaseCodeRefOut = Field(..., description="The service")
    requester: CaseRefOut | None = Field(..., description="Who logged the case, or for whom")
    team: CaseRefOut | None = Field(..., description="The team holding the case")
    assignee: CaseRefOut | None = Field(..., description="The person handling the case")
    supplier: CaseRefOut | None = Field(..., description="The supplier working on the case")
    opened_at: dt.datetime = Field(..., description="When the case was logged")
    resolved_at: dt.datetime | None = Field(..., description="When it was resolved")
    closed_at: dt.datetime | None = Field(..., description="When it was closed (empty: open)")
    breached: bool = Field(..., description="One of its SLA clocks missed its target")


class CasePage(Schema):
    items: list[CaseRowOut] = Field(..., description="The cases of this page, newest first")
    count: int = Field(..., description="How many cases match in all")


class CaseEventOut(Schema):
    id: int = Field(..., description="The event's id")
    at: dt.datetime = Field(..., description="When it happened")
    kind: EventKind = Field(..., description="What happened")
    actor: str | None = Field(..., description="Who did it (empty: the system)")
    state: str = Field(..., description="The state after the event (empty: unchanged)")
    state_label: str = Field(..., description="That state's label")
    transition: str = Field(..., description="The workflow step taken (empty: none)")
    priority: int | None = Field(..., description="The priority set by the event")
    team: CaseRefOut | None = Field(..., description="The team the case was assigned to")
    assignee: CaseRefOut | None = Field(..., description="The person the case was assigned to")
    supplier: CaseRefOut | None = Field(..., description="The supplier the case was handed to")
    note: str = Field(..., description="The note or comment")


class CaseEventPage(Schema):
    items: list[CaseEventOut] = Field(..., description="The events of this page, oldest first")
    count: int = Field(..., description="How many events the case has")


# --- input ----------------------------------------------------------------------------------------


class CaseFilter(Strict):
    kind: CaseKind | None = Field(None, description="Only this process")
    state: str | None = Field(None, max_length=40, description="Only cases in this state (its code)")
    service: RecordId | None = Field(None, description="Only cases against this service (id)")
    team: RecordId | None = Field(None, description="Only cases held by this team (id)")
    assignee: RecordId | None = Field(None, description="Only cases assigned to this person (id)")
    open: bool | None = Field(None, description="true: only open cases; false: only closed ones")
    breached: bool | None = Field(None, description="true: only cases with a breached SLA clock; false: only without")
    q: str | None = Field(None, max_length=100, description="Search in number and title")


class CaseIn(Strict):
    kind: CaseKind = Field(..., description="The process: incident, service_request, change, wish or problem")
    service: RecordId = Field(..., description="The service the case is against (id)")
    title: str = Field(..., min_length=1, max_length=200, description="A short title")
    description: str = Field("", max_length=TEXT, description="What the case is about")
    offering: RecordId | None = Field(None, description="The service offering (id), of the same service")
    configuration_item: RecordId | None = Field(
        None, description="The configuration item (id): one you may see or one that supports the service"
    )
    customer_unit: RecordId | None = Field(None, description="The customer: an organisational unit (id)")
    customer_organisation: RecordId | None = Field(None, description="The external customer (id)")
    impact: LevelValue = Field(2, description="1 high, 2 medium, 3 low")
    urgency: LevelValue = Field(2, description="1 high, 2 medium, 3 low")
    team: RecordId | None = Field(None, description="The team to hold the case (id)")
    assignee: RecordId | None = Field(None, description="The person in that team to handle it (id)")
    requester_email: str = Field("", max_length=254, description="The requester's email, when not a person here")


class CaseTransitionFieldsIn(Strict):
    resolution: str | None = Field(None, max_length=TEXT, description="How the case was resolved")
    cause: str | None = Field(None, max_length=TEXT, description="The cause")
    workaround: str | None = Field(None, max_length=TEXT, description="A workaround")
    risk: LevelValue | None = Field(None, description="A change's risk: 1 high, 2 medium, 3 low")
    impact_assessment: str | None = Field(None, max_length=TEXT, description="A change's impact assessment")
    planned_start: Moment | None = Field(None, description="A change's planned start (with a time zone)")
    planned_end: Moment | None = Field(None, description="A change's planned end (with a time zone)")


class CaseTransitionIn(Strict):
    transition: str = Field(..., min_length=1, max_length=40, description="The step's code (see `steps` of the case)")
    note: str = Field("", max_length=TEXT, description="A note with the step (some steps need one)")
    fields: CaseTransitionFieldsIn = Field(
        default_factory=lambda: CaseTransitionFieldsIn.model_validate({}),
        description="Fields set with the step; only those sent are changed",
    )


class CaseAssignIn(Strict):
    team: RecordId | None = Field(None, description="The team to hold the case (id); empty: none")
    assignee: RecordId | None = Field(None, description="The person in that team (id); empty: none")
    supplier: RecordId | None = Field(None, description="A supplier of the service's chain (id); empty: none")
    note: str = Field("", max_length=TEXT, description="Why")


class CasePriorityIn(Strict):
    impact: LevelValue = Field(..., description="1 high, 2 medium, 3 low")
    urgency: LevelValue = Field(..., description="1 high, 2 medium, 3 low")
    note: str = Field("", max_length=TEXT, description="Why")


class CaseCommentIn(Strict):
    note: str = Field(..., min_length=1, max_length=TEXT, description="The comment")


# --- helpers --------------------------------------------------------------------------------------

RELATED = (
    "service",
    "offering",
    "configuration_item",
    "customer_unit",
    "customer_organisation",
    "requester",
    "team",
    "assignee",
    "supplier",
    "workflow_version__workflow",
)


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": str(obj) if isinstance(obj, Person) else obj.name}


def _code_ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "code": obj.code, "name": obj.name}


def _one(queryset: QuerySet, pk: int | None, name: str, errors: dict[str, list[str]]) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        errors[name] = [_("No such record: %s") % pk]
    return found


def _version(request: HttpRequest) -> int:
    """The If-Match version; a number no record can have is no ETag of this API."""
    version = if_match_version(request)
    if not 0 <= version <= ID_MAX:
        raise HttpError(400, _("If-Match must be an ETag returned by this API."))
    return version


def _visible_cases(request: HttpRequest) -> QuerySet:
    return Case.objects.active().visible_to(request.user)


def _case(request: HttpRequest, pk: int) -> Case:
    check_id(pk)
    case = _visible_cases(request).select_related(*RELATED).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _state_label(definition: Any, code: str) -> str:
    try:
        return workflows.display_label(definition.state(code).label)
    except KeyError:
        return code


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    definition = case.workflow_version.parsed()
    state = definition.state(case.state)
    clocks = SlaClock.objects.filter(case=case).select_related(
        "agreement", "link__service", "link__supporting_service", "link__supplier"
    )
    return {
        "id": case.pk,
        "version": case.version,
        "number": case.number,
        "kind": case.kind,
        "title": case.title,
        "description": case.description,
        "service": _code_ref(case.service),
        "offering": _ref(case.offering),
        "configuration_item": _ref(case.configuration_item),
        "customer_unit": _ref(case.customer_unit),
        "customer_organisation": _ref(case.customer_organisation),
        "requester": _ref(case.requester),
        "requester_email": case.requester_email,
        "impact": case.impact,
        "urgency": case.urgency,
        "priority": case.priority,
        "state": {
            "code": state.code,
            "label": workflows.display_label(state.label),
            "instruction": workflows.display_label(state.instruction),
        },
        "workflow_version": {
            "id": case.workflow_version.pk,
            "number": case.workflow_version.number,
            "workflow": _ref(case.workflow_version.workflow),
        },
        "team": _ref(case.team),
        "assignee": _ref(case.assignee),
        "supplier": _ref(case.supplier),
        "resolution": case.resolution,
        "cause": case.cause,
        "workaround": case.workaround,
        "risk": case.risk,
        "impact_assessment": case.impact_assessment,
        "planned_start": case.planned_start,
        "planned_end": case.planned_end,
        "opened_at": case.opened_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "steps": [
            {
                "code": step.code,
                "label": workflows.display_label(step.label),
                "to": step.target,
                "requires": list(step.requires),
                "instruction": workflows.display_label(step.instruction),
            }
            for step in services.steps_for(request.user, case)
        ],
        "clocks": [
            {
                "name": clock.name,
                "link_id": clock.link_id,
                "link_label": str(clock.link) if clock.link is not None else None,
                "agreement_code": clock.agreement.code if clock.agreement is not None else None,
                "target_minutes": clock.target_minutes,
                "elapsed_minutes": clock.elapsed_minutes,
                "status": clock.status,
                "due_at": clock.due_at,
                "warn_at": clock.warn_at,
                "breached": clock.breached,
                "breached_at": clock.breached_at,
            }
            for clock in clocks
        ],
    }


def _answer(request: HttpRequest, response: HttpResponse, case: Case) -> dict[str, Any]:
    response["ETag"] = etag_of(case)
    return _detail(request, case)


def _refused(request: HttpRequest, refused: ValidationError, rule: str) -> HttpResponse:
    """A broken rule of the workflow as problem details naming the rule and the fields."""
    if hasattr(refused, "error_dict"):
        errors = [
            {"field": field, "message": message} for field, messages in refused.message_dict.items() for message in messages
        ]
    else:
        errors = [{"field": "", "message": message} for message in refused.messages]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return problem(request, 409, _("Conflict."), detail, rule=rule, errors=errors)


def _event_row(event: CaseEvent, definition: Any) -> dict[str, Any]:
    actor = event.actor
    person = getattr(actor, "person", None) if actor is not None else None
    return {
        "id": event.pk,
        "at": event.at,
        "kind": event.kind,
        "actor": (str(person) if person is not None else actor.get_username()) if actor is not None else None,
        "state": event.state,
        "state_label": _state_label(definition, event.state) if event.state else "",
        "transition": event.transition,
        "priority": event.priority,
        "team": _ref(event.team),
        "assignee": _ref(event.assignee),
        "supplier": _ref(event.supplier),
        "note": event.note,
    }


# --- cases ----------------------------------------------------------------------------------------

cases = Router(tags=["cases"])

_PROBLEMS: dict[int, Any] = {403: CaseProblemOut, 404: CaseProblemOut, 409: CaseProblemOut, 422: CaseProblemOut}


@cases.get("/", response=CasePage, operation_id="case_list", summary="List the cases you may see, newest first")
def list_cases(request: HttpRequest, filters: Query[CaseFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    breached = Exists(SlaClock.objects.filter(case=OuterRef("pk"), breached=True))
    qs = _visible_cases(request).annotate(any_breached=breached)
    for name in ("kind", "state"):
        if name in params:
            qs = qs.filter(**{name: params[name]})
    for name in ("service", "team", "assignee"):
        if name in params:
            qs = qs.filter(**{f"{name}_id": params[name]})
    if "open" in params:
        qs = qs.filter(closed_at__isnull=params["open"])
    if "breached" in params:
        qs = qs.filter(any_breached=params["breached"])
    for term in (params.get("q") or "").split()[:5]:
        qs = qs.filter(Q(number__icontains=term) | Q(title__icontains=term))
    qs = qs.order_by("-opened_at", "-pk")
    rows = qs.select_related("service", "requester", "team", "assignee", "supplier", "workflow_version")
    definitions: dict[int, Any] = {}
    items = []
    for case in rows[page.offset : page.offset + page.limit]:
        version = case.workflow_version
        definition = definitions.setdefault(version.pk, version.parsed())
        items.append(
            {
                "id": case.pk,
                "version": case.version,
                "number": case.number,
                "kind": case.kind,
                "title": case.title,
                "state": case.state,
                "state_label": _state_label(definition, case.state),
                "priority": case.priority,
                "service": _code_ref(case.service),
                "requester": _ref(case.requester),
                "team": _ref(case.team),
                "assignee": _ref(case.assignee),
                "supplier": _ref(case.supplier),
                "opened_at": case.opened_at,
                "resolved_at": case.resolved_at,
                "closed_at": case.closed_at,
                "breached": case.any_breached,  # type: ignore[attr-defined]
            }
        )
    return HttpResponse(dumps({"items": items, "count": qs.count()}), content_type="application/json")


def _case_parts(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Ids into records. Which of them the caller may name (the service, a configuration item) is the
    services' rule: a refusal there is a 403 or a 422 naming the field."""
    from regie.configuration.models import ConfigurationItem
    from regie.services.models import Service, ServiceOffering
    from regie.suppliers.models import Organisation

    errors: dict[str, list[str]] = {}
    data["service"] = _one(Service.objects.all(), data["service"], "service", errors)
    for name, queryset in (
        ("offering", ServiceOffering.objects.active()),
        ("configuration_item", ConfigurationItem.objects.active()),
        ("customer_unit", OrgUnit.objects.active()),
        ("customer_organisation", Organisation.objects.active()),
        ("team", Team.objects.active()),
        ("assignee", Person.objects.active()),
    ):
        data[name] = _one(queryset, data.get(name), name, errors)
    if errors:
        raise ValidationError(errors)
    return data


@cases.post(
    "/",
    response={201: CaseOut, 403: CaseProblemOut, 422: CaseProblemOut},
    operation_id="case_create",
    summary="Log a case against a service",
)
def create_case(request: HttpRequest, response: HttpResponse, payload: CaseIn) -> Any:
    data = _case_parts(request, payload.model_dump())
    for name in ("offering", "configuration_item", "customer_unit", "customer_organisation", "team", "assignee"):
        if data[name] is None:
            del data[name]
    case = services.case_register(actor=request.user, **data)
    return Status(201, _answer(request, response, case))


@cases.get("/{int:pk}", response={200: CaseOut, 404: CaseProblemOut}, operation_id="case_get", summary="Get one case")
def get_case(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    return _answer(request, response, _case(request, pk))


@cases.get(
    "/{int:pk}/events",
    response={200: CaseEventPage, 404: CaseProblemOut},
    operation_id="case_events",
    summary="A case's event history, oldest first",
)
def case_events(request: HttpRequest, pk: int, page: Query[PageParams]) -> HttpResponse:
    case = _case(request, pk)
    definition = case.workflow_version.parsed()
    events = CaseEvent.objects.filter(case=case).order_by("at", "pk")
    rows = events.select_related("actor__person", "team", "assignee", "supplier")[page.offset : page.offset + page.limit]
    body = {"items": [_event_row(event, definition) for event in rows], "count": events.count()}
    return HttpResponse(dumps(body), content_type="application/json")


def _write(request: HttpRequest, response: HttpResponse, call: Callable[[], Case], rule: Callable[[ValidationError], str]) -> Any:
    try:
        case = call()
    except services.RuleBroken as refused:
        return _refused(request, refused, rule(refused))
    return _answer(request, response, case)


def _transition_rule(refused: ValidationError) -> str:
    named = refused.message_dict if hasattr(refused, "error_dict") else {}
    return "transition_not_allowed" if "transition" in named else "fields_required"


@cases.post(
    "/{int:pk}/transition",
    response={200: CaseOut, **_PROBLEMS},
    operation_id="case_transition",
    summary="Take a step of the case's workflow (send If-Match)",
)
def transition_case(request: HttpRequest, response: HttpResponse, pk: int, payload: CaseTransitionIn) -> Any:
    case = _case(request, pk)
    expected = _version(request)
    fields = payload.fields.model_dump(exclude_unset=True)
    for name in ("resolution", "cause", "workaround", "impact_assessment"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return _write(
        request,
        response,
        lambda: services.case_transition(
            actor=request.user,
            case=case,
            transition=payload.transition,
            note=payload.note,
            fields=fields,
            expected_version=expected,
        ),
        _transition_rule,
    )


@cases.post(
    "/{int:pk}/assign",
    response={200: CaseOut, **_PROBLEMS},
    operation_id="case_assign",
    summary="Hand the case to a team (and a person in it) or a supplier of the service's chain (send If-Match)",
)
def assign_case(request: HttpRequest, response: HttpResponse, pk: int, payload: CaseAssignIn) -> Any:
    from regie.suppliers.models import Organisation

    case = _case(request, pk)
    expected = _version(request)
    errors: dict[str, list[str]] = {}
    team = _one(Team.objects.active(), payload.team, "team", errors)
    assignee = _one(Person.objects.active(), payload.assignee, "assignee", errors)
    supplier = _one(Organisation.objects.active(), payload.supplier, "supplier", errors)
    if errors:
        raise ValidationError(errors)
    return _write(
        request,
        response,
        lambda: services.case_assign(
            actor=request.user,
            case=case,
            team=team,
            assignee=assignee,
            supplier=supplier,
            note=payload.note,
            expected_version=expected,
        ),
        lambda refused: "case_closed",
    )


@cases.post(
    "/{int:pk}/priority",
    response={200: CaseOut, **_PROBLEMS},
    operation_id="case_prioritise",
    summary="Change impact and urgency, and with them the priority (send If-Match)",
)
def prioritise_case(request: HttpRequest, response: HttpResponse, pk: int, payload: CasePriorityIn) -> Any:
    case = _case(request, pk)
    expected = _version(request)
    return _write(
        request,
        response,
        lambda: services.case_prioritise(
            actor=request.user,
            case=case,
            impact=payload.impact,
            urgency=payload.urgency,
            note=payload.note,
            expected_version=expected,
        ),
        lambda refused: "rule_broken",
    )


@cases.post(
    "/{int:pk}/comments",
    response={201: CaseEventOut, 403: CaseProblemOut, 404: CaseProblemOut, 422: CaseProblemOut},
    operation_id="case_comment",
    summary="Comment on a case (its requester, or whoever handles it)",
)
def comment_case(request: HttpRequest, pk: int, payload: CaseCommentIn) -> Any:
    case = _case(request, pk)
    event = services.case_comment(actor=request.user, case=case, note=payload.note)
    event = CaseEvent.objects.select_related("actor__person").get(pk=event.pk)
    return Status(201, _event_row(event, case.workflow_version.parsed()))


# --- workflows ------------------------------------------------------------------------------------


class WorkflowOut(Schema):
    id: int = Field(..., description="The workflow's id")
    version: int = Field(..., description="The record's lock counter")
    kind: CaseKind = Field(..., description="The process it is the workflow of")
    domain: CaseCodeRefOut | None = Field(..., description="Its domain (empty: the default of every domain without one)")
    name: str = Field(..., description="Its name")
    current_version: int | None = Field(..., description="The number of its current version")


class WorkflowPage(Schema):
    items: list[WorkflowOut] = Field(..., description="The workflows of this page")
    count: int = Field(..., description="How many workflows match in all")


class WorkflowVersionOut(Schema):
    id: int = Field(..., description="The version's id")
    number: int = Field(..., description="Its number within the workflow")
    note: str = Field(..., description="What changed")
    created_at: dt.datetime = Field(..., description="When it was made")
    created_by: str | None = Field(..., description="Who made it")
    definition: dict[str, Any] = Field(..., description="The states and transitions (see the workflow documentation)")


class WorkflowVersionSummaryOut(Schema):
    id: int = Field(..., description="The version's id")
    number: int = Field(..., description="Its number within the workflow")
    note: str = Field(..., description="What changed")
    created_at: dt.datetime = Field(..., description="When it was made")


class WorkflowDetailOut(WorkflowOut):
    current: WorkflowVersionOut | None = Field(..., description="The current version with its definition")
    versions: list[WorkflowVersionSummaryOut] = Field(..., description="Every version, newest first")


class WorkflowFilter(Strict):
    kind: CaseKind | None = Field(None, description="Only this process")
    domain: RecordId | None = Field(None, description="Only this domain's workflows (id)")
    q: str | None = Field(None, max_length=100, description="Search in the name")


def _no_bad_text(value: Any, depth: int = 0) -> None:
    """Text no database stores (NUL, lone surrogates) anywhere in a definition is refused."""
    if depth > 20:
        raise ValueError("The definition is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
            raise ValueError("Text may not contain NUL characters or lone surrogates.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_bad_text(key, depth + 1)
            _no_bad_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _no_bad_text(item, depth + 1)


class WorkflowVersionIn(Strict):
    definition: Any = Field(
        ..., description='{"initial": …, "states": [...], "transitions": [...]}; every problem is named by its path'
    )
    note: str = Field("", max_length=300, description="What changed")

    @field_validator("definition")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _no_bad_text(value)
        return value


workflows_router = Router(tags=["cases"])


def _visible_workflows(request: HttpRequest) -> QuerySet:
    """The workflows of the domains where the caller holds the view action; the organisation's defaults
    (no domain) serve every domain, so whoever holds the action anywhere sees them."""
    active = Workflow.objects.active()
    visible = active.visible_to(request.user)
    if permissions.holds_anywhere(request.user, VIEW_WORKFLOW):
        return active.filter(Q(pk__in=visible.values("pk")) | Q(domain__isnull=True))
    return visible


def _workflow_row(workflow: Workflow, number: int | None) -> dict[str, Any]:
    return {
        "id": workflow.pk,
        "version": workflow.version,
        "kind": workflow.kind,
        "domain": _code_ref(workflow.domain),
        "name": workflow.name,
        "current_version": number,
    }


def _version_out(version: WorkflowVersion) -> dict[str, Any]:
    by = version.created_by
    person = getattr(by, "person", None) if by is not None else None
    return {
        "id": version.pk,
        "number": version.number,
        "note": version.note,
        "created_at": version.created_at,
        "created_by": (str(person) if person is not None else by.get_username()) if by is not None else None,
        "definition": version.definition,
    }


@workflows_router.get("/", response=WorkflowPage, operation_id="workflow_list", summary="List the case workflows")
def list_workflows(request: HttpRequest, filters: Query[WorkflowFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = _visible_workflows(request)
    if "kind" in params:
        qs = qs.filter(kind=params["kind"])
    if "domain" in params:
        qs = qs.filter(domain_id=params["domain"])
    for term in (params.get("q") or "").split()[:5]:
        qs = qs.filter(name__icontains=term)
    qs = qs.order_by("kind", "domain__name", "pk")
    rows = qs.select_related("domain").annotate(current_number=Max("versions__number"))
    items = [_workflow_row(w, w.current_number) for w in rows[page.offset : page.offset + page.limit]]  # type: ignore[attr-defined]
    return HttpResponse(dumps({"items": items, "count": qs.count()}), content_type="application/json")


def _workflow(request: HttpRequest, pk: int) -> Workflow:
    check_id(pk)
    workflow = _visible_workflows(request).select_related("domain").filter(pk=pk).first()
    if workflow is None:
        raise Http404
    return workflow


def _workflow_detail(workflow: Workflow) -> dict[str, Any]:
    versions = list(workflow.versions.select_related("created_by__person").order_by("-number"))
    current = versions[0] if versions else None
    return {
        **_workflow_row(workflow, current.number if current else None),
        "current": _version_out(current) if current else None,
        "versions": [{"id": v.pk, "number": v.number, "note": v.note, "created_at": v.created_at} for v in versions],
    }


@workflows_router.get(
    "/{int:pk}",
    response={200: WorkflowDetailOut, 404: CaseProblemOut},
    operation_id="workflow_get",
    summary="One workflow with its current definition",
)
def get_workflow(request: HttpRequest, pk: int) -> Any:
    return _workflow_detail(_workflow(request, pk))


class WorkflowIn(Strict):
    kind: CaseKind = Field(..., description="The process")
    domain: RecordId = Field(..., description="The domain whose own workflow it is (id)")
    name: str = Field("", max_length=200, description="Its name (empty: the process and the domain)")


@workflows_router.post(
    "/",
    response={201: WorkflowDetailOut, 403: CaseProblemOut, 422: CaseProblemOut},
    operation_id="workflow_create",
    summary="A domain's own workflow for a process, starting as a copy of the organisation's",
)
def create_workflow(request: HttpRequest, payload: WorkflowIn) -> Any:
    domain = Domain.objects.active().visible_to(request.user).filter(pk=payload.domain).first()
    if domain is None:
        raise ValidationError({"domain": _("No domain you may see has the id %(id)s.") % {"id": payload.domain}})
    workflow = services.workflow_create(actor=request.user, kind=str(payload.kind), domain=domain, name=payload.name)
    return Status(201, _workflow_detail(Workflow.objects.select_related("domain").get(pk=workflow.pk)))


@workflows_router.post(
    "/{int:pk}/versions",
    response={201: WorkflowVersionOut, 403: CaseProblemOut, 404: CaseProblemOut, 422: CaseProblemOut},
    operation_id="workflow_version_add",
    summary="A new version of a workflow; running cases keep theirs",
)
def add_workflow_version(request: HttpRequest, pk: int, payload: WorkflowVersionIn) -> Any:
    workflow = _workflow(request, pk)
    version = services.workflow_version_add(
        actor=request.user, workflow=workflow, definition=payload.definition, note=payload.note
    )
    version = WorkflowVersion.objects.select_related("created_by__person").get(pk=version.pk)
    return Status(201, _version_out(version))
