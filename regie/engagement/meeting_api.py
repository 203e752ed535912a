"""The API of meetings (agenda, minutes, decisions and actions into the RAID log) and of communication
plans (their lines and the emails sent)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from regie.core.api import RecordOut, Strict, partial
from regie.core.api_tools import PageParams, RecordId, check_id, etag_of, expected_version, resolve_relations
from regie.core.models import Person
from regie.engagement import communication, meetings
from regie.engagement.choices import AgendaKind, Channel, Frequency, MeetingKind, MeetingState, SendKind
from regie.engagement.models import AgendaItem, CommunicationItem, CommunicationSend, Meeting
from regie.portfolio.models import Project
from regie.raid.api import RaidItemOut
from regie.raid.models import RaidItem

meetings_router = Router(tags=["meetings"])
communication_router = Router(tags=["communication"])


def _project(request: HttpRequest, pk: int, field: str = "project") -> Project:
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise ValidationError({field: [_("No such record: %s") % pk]})
    return project


def _person(pk: int | None, field: str) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.filter(pk=pk, archived_at__isnull=True).first()
    if person is None:
        raise ValidationError({field: [_("No such record: %s") % pk]})
    return person


# --- meetings -------------------------------------------------------------------------------------


class AgendaItemOut(Schema):
    id: int
    order: int
    kind: AgendaKind
    title: str
    brief: str
    item_id: int | None
    minutes: str


class OutcomeOut(Schema):
    item_id: int
    agenda_item_id: int | None


class MeetingOut(RecordOut):
    project_id: int
    kind: MeetingKind
    title: str
    starts_at: datetime
    location: str
    chair_id: int | None
    secretary_id: int | None
    state: MeetingState
    risk_threshold: int
    notes: str
    attendee_ids: list[int]

    @staticmethod
    def resolve_attendee_ids(obj: Meeting) -> list[int]:
        return [p.pk for p in obj.attendees.all()]


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    outcomes: list[OutcomeOut]

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[Any]:
        return list(obj.agenda.order_by("order"))

    @staticmethod
    def resolve_outcomes(obj: Meeting) -> list[Any]:
        return list(obj.outcomes.all())


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


class MeetingIn(Strict):
    project: RecordId
    kind: MeetingKind = MeetingKind.STEERING_COMMITTEE
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: datetime
    location: str = Field("", max_length=200)
    chair: RecordId | None = None
    attendees: list[RecordId] = Field(default_factory=list, max_length=200)
    risk_threshold: int | None = Field(None, ge=1, le=49)


class PointMinutes(Strict):
    id: RecordId
    minutes: str = Field(..., max_length=20000)


class MinutesIn(Strict):
    notes: str | None = Field(None, max_length=20000)
    points: list[PointMinutes] = Field(default_factory=list, max_length=500)


class DecisionIn(Strict):
    agenda_item: RecordId | None = None
    decision: RecordId | None = Field(None, description="An open decision of the project's RAID log")
    title: str = Field("", max_length=200)
    decided_by: RecordId
    basis: str = Field(..., min_length=1, max_length=20000)


class ActionIn(Strict):
    agenda_item: RecordId | None = None
    title: str = Field(..., min_length=1, max_length=200)
    owner: RecordId
    due_date: date


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    check_id(pk)
    meeting = Meeting.objects.visible_to(request.user).filter(pk=pk).select_related("project").first()
    if meeting is None:
        raise Http404
    return meeting


def _point(meeting: Meeting, pk: int | None) -> AgendaItem | None:
    if pk is None:
        return None
    point = AgendaItem.objects.filter(pk=pk, meeting=meeting).first()
    if point is None:
        raise ValidationError({"agenda_item": [_("This point is not on the meeting's agenda.")]})
    return point


@meetings_router.get("/", response=MeetingPage, operation_id="meeting_list", summary="List meetings")
def list_meetings(request: HttpRequest, page: Query[PageParams], project: RecordId | None = None) -> Any:
    qs = Meeting.objects.active().visible_to(request.user).prefetch_related("attendees").order_by("-starts_at", "-pk")
    if project is not None:
        qs = qs.filter(project_id=project)
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": qs.count()}


@meetings_router.get("/{int:pk}", response=MeetingDetailOut, operation_id="meeting_get", summary="A meeting with its agenda")
def get_meeting(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    meeting = _meeting(request, pk)
    response["ETag"] = etag_of(meeting)
    return meeting


@meetings_router.post("/", response={201: MeetingDetailOut}, operation_id="meeting_prepare", summary="Prepare a meeting")
def prepare_meeting(request: HttpRequest, response: HttpResponse, payload: MeetingIn) -> Any:
    project = _project(request, payload.project)
    attendees = [p for p in (_person(pk, "attendees") for pk in payload.attendees) if p is not None]
    meeting = meetings.meeting_prepare(
        actor=request.user,
        project=project,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        location=payload.location,
        chair=_person(payload.chair, "chair"),
        attendees=attendees,
        risk_threshold=payload.risk_threshold,
    )
    response["ETag"] = etag_of(meeting)
    return Status(201, meeting)


@meetings_router.patch(
    "/{int:pk}/minutes", response=MeetingDetailOut, operation_id="meeting_minutes", summary="Take the minutes (send If-Match)"
)
def take_minutes(request: HttpRequest, response: HttpResponse, pk: int, payload: MinutesIn) -> Any:
    meeting = _meeting(request, pk)
    meeting = meetings.minutes_save(
        actor=request.user,
        meeting=meeting,
        notes=meeting.notes if payload.notes is None else payload.notes,
        per_item={p.id: p.minutes for p in payload.points},
        expected_version=expected_version(request),
    )
    response["ETag"] = etag_of(meeting)
    return meeting


@meetings_router.post(
    "/{int:pk}/decisions",
    response={201: RaidItemOut},
    operation_id="meeting_decision",
    summary="Record a decision in the RAID log",
)
def record_decision(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    meeting = _meeting(request, pk)
    decision = None
    if payload.decision is not None:
        decision = RaidItem.objects.visible_to(request.user).filter(pk=payload.decision, kind="decision").first()
        if decision is None:
            raise ValidationError({"decision": [_("No such record: %s") % payload.decision]})
    item = meetings.record_decision(
        actor=request.user,
        meeting=meeting,
        decided_by=_person(payload.decided_by, "decided_by"),
        basis=payload.basis,
        title=payload.title,
        decision=decision,
        agenda_item=_point(meeting, payload.agenda_item),
    )
    return Status(201, item)


@meetings_router.post(
    "/{int:pk}/actions", response={201: RaidItemOut}, operation_id="meeting_action", summary="Record an action in the RAID log"
)
def record_action(request: HttpRequest, pk: int, payload: ActionIn) -> Any:
    meeting = _meeting(request, pk)
    item = meetings.record_action(
        actor=request.user,
        meeting=meeting,
        title=payload.title,
        owner=_person(payload.owner, "owner"),
        due_date=payload.due_date,
        agenda_item=_point(meeting, payload.agenda_item),
    )
    return Status(201, item)


@meetings_router.post(
    "/{int:pk}/close", response=MeetingDetailOut, operation_id="meeting_close", summary="Make the minutes final (send If-Match)"
)
def close_minutes(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    meeting = meetings.minutes_close(
        actor=request.user, meeting=_meeting(request, pk), expected_version=expected_version(request)
    )
    response["ETag"] = etag_of(meeting)
    return meeting


# --- communication plans --------------------------------------------------------------------------


class CommunicationOut(RecordOut):
    project_id: int
    audience: str
    message: str
    channel: Channel
    frequency: Frequency
    owner_id: int
    subject: str
    recipient_ids: list[int]
    next_date: date | None
    active: bool

    @staticmethod
    def resolve_recipient_ids(obj: CommunicationItem) -> list[int]:
        return [p.pk for p in obj.recipients.all()]


class CommunicationPage(Schema):
    items: list[CommunicationOut]
    count: int


class CommunicationChange(Strict):
    audience: str = Field(..., min_length=1, max_length=200)
    message: str = Field(..., min_length=1, max_length=20000)
    channel: Channel = Channel.EMAIL
    frequency: Frequency = Frequency.ONCE
    owner: RecordId
    subject: str = Field("", max_length=200)
    recipients: list[RecordId] = Field(default_factory=list, max_length=1000)
    next_date: date | None = None
    active: bool = True


class CommunicationIn(CommunicationChange):
    project: RecordId


CommunicationPatch = partial(CommunicationChange)


class SendOut(Schema):
    kind: SendKind
    item_id: int | None
    recipient_id: int | None
    email: str
    subject: str
    sent_at: datetime


_resolve = resolve_relations(CommunicationItem)


@communication_router.get(
    "/", response=CommunicationPage, operation_id="communication_list", summary="Lines of communication plans"
)
def list_lines(request: HttpRequest, page: Query[PageParams], project: RecordId | None = None) -> Any:
    qs = CommunicationItem.objects.active().visible_to(request.user).prefetch_related("recipients").order_by("pk")
    if project is not None:
        qs = qs.filter(project_id=project)
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": qs.count()}


@communication_router.post(
    "/", response={201: CommunicationOut}, operation_id="communication_create", summary="Add a line to a project's plan"
)
def create_line(request: HttpRequest, response: HttpResponse, payload: CommunicationIn) -> Any:
    project = _project(request, payload.project)
    item = communication.item_create(
        actor=request.user, project=project, data=_resolve(request, payload.model_dump(exclude={"project"}))
    )
    response["ETag"] = etag_of(item)
    return Status(201, item)


@communication_router.patch(
    "/{int:pk}", response=CommunicationOut, operation_id="communication_update", summary="Change a line (send If-Match)"
)
def update_line(request: HttpRequest, response: HttpResponse, pk: int, payload: CommunicationPatch) -> Any:  # type: ignore[valid-type]
    check_id(pk)
    item = CommunicationItem.objects.visible_to(request.user).filter(pk=pk).select_related("project").first()
    if item is None:
        raise Http404
    data = _resolve(request, payload.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
    item = communication.item_update(actor=request.user, item=item, data=data, expected_version=expected_version(request))
    response["ETag"] = etag_of(item)
    return item


@communication_router.get("/sent", response=list[SendOut], operation_id="communication_sent", summary="Emails sent for a project")
def sent(request: HttpRequest, project: RecordId) -> Any:
    visible = _project(request, project)
    return list(CommunicationSend.objects.filter(project=visible)[:500])
