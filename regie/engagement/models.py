"""The document register: documents per scope, their uploaded versions, the reviews and approvals by named
people, and the audit trail of everything that happened to each document."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regie.core.models import BusinessModel, Person, Scope
from regie.engagement.choices import (
    AgendaKind,
    Capacity,
    Channel,
    DocumentKind,
    DocumentStatus,
    Frequency,
    MeetingKind,
    MeetingState,
    SendKind,
    Verdict,
)
from regie.portfolio.models import in_named_projects, named_on_project


class Document(BusinessModel):
    """A controlled document in a scope's register (a project plan, a business case, a contract …). Every
    upload is a new version and the older ones are kept; the named approvers approve the version under
    review, never its own author; a superseded document is read-only."""

    scope_lookup = "scope"
    #: people named on a document or on its project reach the register (showing their documents) without a role
    listed_for_named_people = True
    search_fields = ("title", "reference", "description")

    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope"))
    project = models.ForeignKey(
        "portfolio.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        editable=False,
        verbose_name=_("project"),
    )
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("The document's number or code in the register, if it has one.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored_documents",
        editable=False,
        verbose_name=_("author"),
    )
    reviewers = models.ManyToManyField(Person, blank=True, related_name="documents_to_review", verbose_name=_("reviewers"))
    approvers = models.ManyToManyField(Person, blank=True, related_name="documents_to_approve", verbose_name=_("approvers"))
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, editable=False, db_index=True
    )
    latest_version = models.PositiveIntegerField(_("latest version"), default=0, editable=False)
    approved_version = models.PositiveIntegerField(_("last approved version"), null=True, blank=True, editable=False)
    review_round = models.PositiveIntegerField(_("review round"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        editable=False,
        verbose_name=_("superseded by"),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["scope", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}" if self.reference else self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement:document_detail", args=[self.pk])

    @property
    def is_read_only(self) -> bool:
        """Superseded and archived documents take no new versions, edits or reviews (downloads stay)."""
        return self.status == DocumentStatus.SUPERSEDED or self.is_archived

    @property
    def version_label(self) -> str:
        return f"v{self.latest_version}" if self.latest_version else "—"

    @property
    def approved_label(self) -> str:
        return f"v{self.approved_version}" if self.approved_version else ""

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The people named on the document (author, reviewers, approvers) and on its project see it; the
        author and the project's manager and PMO officers may also change it."""
        if action == "engagement.view_document":
            condition = named_on_project(user, prefix="project__") | models.Q(author__user_id=user.pk)
            for through in (cls.reviewers.through, cls.approvers.through):
                condition |= models.Q(pk__in=through.objects.filter(person__user_id=user.pk).values("document_id"))
            return condition
        if action == "engagement.change_document":
            return named_on_project(user, prefix="project__", parts=("project_manager", "pmo_officers")) | models.Q(
                author__user_id=user.pk
            )
        return None


def version_upload_to(instance: DocumentVersion, filename: str) -> str:
    """The stored name is made here, never taken from the upload: the document, the version number and a
    random name with the (checked) extension of the uploaded file."""
    from regie.engagement.files import extension_of

    extension = extension_of(filename)
    return f"documents/{instance.document_id}/{instance.number}/{uuid.uuid4().hex}{'.' + extension if extension else ''}"


class DocumentVersion(models.Model):
    """One uploaded file of a document. Versions are never changed or deleted: a correction is a new
    upload. The original file name is kept only as display text."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=120)
    uploaded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")]

    def __str__(self) -> str:
        return f"{self.document} · v{self.number}"

    def get_download_url(self) -> str:
        return reverse("engagement:version_download", args=[self.document_id, self.number])


class DocumentReview(models.Model):
    """A named reviewer's or approver's verdict on the version under review, in one review round. One
    approval or rejection per person and round; comments as often as needed."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("document"))
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("version"))
    round = models.PositiveIntegerField(_("review round"))
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="document_reviews", verbose_name=_("by"))
    capacity = models.CharField(_("as"), max_length=10, choices=Capacity.choices)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("document review")
        verbose_name_plural = _("document reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "round", "reviewer"],
                condition=models.Q(verdict__in=["approve", "reject"]),
                name="one_verdict_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} · v{self.version.number} · {self.reviewer} · {self.get_verdict_display()}"


class EventKind(models.TextChoices):
    CREATED = "created", _("registered")
    UPLOADED = "uploaded", _("new version uploaded")
    CHANGED = "changed", _("details changed")
    SUBMITTED = "submitted", _("sent for review")
    WITHDRAWN = "withdrawn", _("withdrawn from review")
    REVIEWED = "reviewed", _("review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")
    ARCHIVED = "archived", _("archived")
    RESTORED = "restored", _("restored")
    DOWNLOADED = "downloaded", _("downloaded")


class DocumentEvent(models.Model):
    """One line of a document's audit trail: who did what, to which version, and when. Written by the
    services with every write (and every download), never changed."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events", verbose_name=_("document"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    who = models.CharField(_("who"), max_length=200)
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} · {self.get_kind_display()}"


class Meeting(BusinessModel):
    """A meeting about a project — a steering committee, a project team — whose agenda is assembled from
    the project's latest status report, the decisions needed, the risks above a threshold and the
    overdue actions; its minutes are taken on the page, and what it decides and agrees goes straight into
    the project's RAID log."""

    scope_lookup = "project__scope"
    search_fields = ("title", "location")

    project = models.ForeignKey("portfolio.Project", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.STEERING_COMMITTEE)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    chair = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair"))
    secretary = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("minutes taken by")
    )
    attendees = models.ManyToManyField(Person, blank=True, related_name="meetings", verbose_name=_("attendees"))
    state = models.CharField(_("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED)
    risk_threshold = models.PositiveSmallIntegerField(
        _("risks from exposure"), default=12, help_text=_("Open risks whose current exposure reaches this go on the agenda.")
    )
    report = models.ForeignKey(
        "portfolio.StatusReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    notes = models.TextField(_("general notes"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement:meeting_detail", args=[self.pk])

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The people named on the project and the attendees see the meeting."""
        if action == "engagement.view_meeting":
            attending = Meeting.attendees.through.objects.filter(person__user_id=user.pk).values("meeting_id")
            return in_named_projects(user) | models.Q(pk__in=attending)
        return None


class AgendaItem(models.Model):
    """A point of a meeting's agenda, with what the agenda said when it was prepared (``brief``) and what
    the minutes say about it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=AgendaKind.choices, default=AgendaKind.OTHER)
    title = models.CharField(_("title"), max_length=300)
    brief = models.TextField(_("brief"), blank=True)
    item = models.ForeignKey(
        "raid.RaidItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("RAID item")
    )
    minutes = models.TextField(pgettext_lazy("the record of a meeting", "minutes"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]

    def __str__(self) -> str:
        return self.title


class MeetingOutcome(models.Model):
    """A decision taken or an action agreed in a meeting: the RAID item it became, and under which agenda
    item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes")
    item = models.ForeignKey("raid.RaidItem", on_delete=models.PROTECT, related_name="+", verbose_name=_("RAID item"))
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.item_id}"


class CommunicationItem(BusinessModel):
    """A line of a project's communication plan: which audience hears which message, through which
    channel, how often, and who sees to it. Lines sent by Regie's email (once, periodically or at each
    milestone reached) go to their recipients on the due date; every send is recorded."""

    scope_lookup = "project__scope"
    search_fields = ("audience", "message", "subject")

    project = models.ForeignKey(
        "portfolio.Project", on_delete=models.PROTECT, related_name="communication_plan", verbose_name=_("project")
    )
    audience = models.CharField(_("audience"), max_length=200)
    message = models.TextField(_("message"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.ONCE)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    subject = models.CharField(_("email subject"), max_length=200, blank=True)
    recipients = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("recipients"))
    next_date = models.DateField(_("next on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communication plan")
        ordering = ["project", "next_date", "id"]

    def __str__(self) -> str:
        return f"{self.audience}: {self.subject or self.message[:60]}"

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The people named on the project see its communication plan."""
        if action == "engagement.view_communicationitem":
            return in_named_projects(user)
        return None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.channel == Channel.EMAIL:
            if not self.subject.strip():
                errors["subject"] = _("An email needs a subject.")
            if self.frequency != Frequency.MILESTONES and self.next_date is None:
                errors["next_date"] = _("Say when the email goes out.")
        if errors:
            raise ValidationError(errors)


class AnnouncementOptOut(models.Model):
    """A person who no longer wants a communication line's announcements (never action reminders)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CommunicationItem, on_delete=models.CASCADE, related_name="opt_outs")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "item"], name="opt_out_once")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.item_id}"


class CommunicationSend(models.Model):
    """An email Regie sent: an announcement, a milestone announcement, an action reminder or a meeting
    pack. ``key`` makes every send happen once, however often the job runs."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SendKind.choices)
    project = models.ForeignKey("portfolio.Project", null=True, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CommunicationItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends")
    recipient = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recipient"))
    email = models.CharField(_("email"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.email}"
