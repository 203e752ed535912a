"""Cases: the incidents, service requests, requests for change, wishes and problems the service
management office handles, each against a service, following a versioned workflow, with an append-only
event history from which its SLA clocks are computed (``SlaClock`` keeps the last result for queues and
the breach scan; it is never the source of a figure)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.cases.choices import CaseKind, ClockName, ClockStatus, EventKind, Level, LinkKind, Priority
from regie.core.models import BusinessModel, Domain, OrgUnit, Person, Team


class Workflow(BusinessModel):
    """The workflow of one process (a kind of case) in one domain, or the organisation's default for the
    process when it names no domain. Its definition lives in versions: a change is a new version, and a
    running case keeps the version it started with."""

    scope_lookup = "domain__scope"
    search_fields = ("name",)

    kind = models.CharField(_("process"), max_length=20, choices=CaseKind.choices)
    domain = models.ForeignKey(
        Domain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workflows",
        verbose_name=_("domain"),
        help_text=_("Empty: the workflow of every domain that has none of its own."),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        ordering = ["kind", "domain__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "domain"],
                name="cases_one_workflow_per_kind_and_domain",
                violation_error_message=_("This domain already has a workflow for this process."),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(domain__isnull=True),
                name="cases_one_default_workflow_per_kind",
                violation_error_message=_("There already is a default workflow for this process."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:workflow_detail", args=[self.pk])

    def current_version(self) -> WorkflowVersion | None:
        return self.versions.order_by("-number").first()

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The organisation's defaults are seen by everyone who sees workflows somewhere: their cases run on them."""
        from regie.core import permissions

        if action == "cases.view_workflow" and permissions.holds_anywhere(user, action):
            return models.Q(domain__isnull=True)
        return None


class WorkflowVersion(models.Model):
    """One version of a workflow's definition (states, transitions, who may perform them, required fields
    and work instructions; see ``regie.cases.workflows``). Never changed once cases use it."""

    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="versions", verbose_name=_("workflow"))
    number = models.PositiveIntegerField(_("number"))
    definition = models.JSONField(_("definition"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        ordering = ["workflow", "-number"]
        constraints = [models.UniqueConstraint(fields=["workflow", "number"], name="cases_unique_workflow_version")]

    def __str__(self) -> str:
        return f"{self.workflow} v{self.number}"

    def parsed(self) -> Any:
        from regie.cases import workflows

        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = self._parsed = workflows.parse(self.definition)
        return cached


class Case(BusinessModel):
    """A case against a service (and where known an offering, a configuration item and a customer): its
    priority follows from impact and urgency, its state from its workflow version, and it is held by a
    team, a person in it, or a supplier of the service's chain."""

    scope_lookup = "service__scope"
    search_fields = ("number", "title", "requester_email")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False, null=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    service = models.ForeignKey("services.Service", on_delete=models.PROTECT, related_name="cases", verbose_name=_("service"))
    offering = models.ForeignKey(
        "services.ServiceOffering",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("service offering"),
    )
    configuration_item = models.ForeignKey(
        "configuration.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("configuration item"),
    )
    customer_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    customer_organisation = models.ForeignKey(
        "suppliers.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_cases",
        verbose_name=_("external customer"),
    )
    requester = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="requested_cases", verbose_name=_("requester")
    )
    requester_email = models.EmailField(_("requester's email"), blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices, default=Level.MEDIUM)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    workflow_version = models.ForeignKey(
        WorkflowVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("workflow version"), editable=False
    )
    state = models.CharField(_("state"), max_length=40, editable=False)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team"))
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases", verbose_name=_("assignee")
    )
    supplier = models.ForeignKey(
        "suppliers.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_cases",
        verbose_name=_("held by supplier"),
        help_text=_("A supplier of the service's chain working on the case; its contract's clocks run meanwhile."),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Level.choices, null=True, blank=True)
    impact_assessment = models.TextField(_("impact assessment"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    opened_at = models.DateTimeField(_("logged"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            # A team's queue: its open cases in the queue's order. Partial rather than led by ``closed_at``:
            # with "closed_at IS NULL" in the index's condition, not in its columns, PostgreSQL knows the
            # index is in the queue's order for a team and reads the first page of it, however long the
            # queue (a column tested with IS NULL does not count as fixed for the order).
            models.Index(
                fields=["team", "priority", "opened_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="cases_team_queue_open",
            ),
            models.Index(fields=["assignee", "closed_at"], name="cases_assignee_open"),
            models.Index(fields=["service", "opened_at"], name="cases_service_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '…'} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """Whoever logged a case follows it; the person and the team it is assigned to work on it, and so do
        the teams with a task on it (a change's realisation)."""
        if action == "cases.view_case":
            teams = Team.objects.filter(members__user_id=user.pk).values("pk")
            tasked = CaseTask.objects.filter(archived_at__isnull=True).filter(
                models.Q(team__in=teams) | models.Q(assignee__user_id=user.pk)
            )
            return (
                models.Q(requester__user_id=user.pk)
                | models.Q(assignee__user_id=user.pk)
                | models.Q(team__in=teams)
                | models.Q(pk__in=tasked.values("case_id"))
            )
        return None

    def current_state(self) -> Any:
        return self.workflow_version.parsed().state(self.state)


class CaseEvent(models.Model):
    """One thing that happened to a case, in order. Never changed: the SLA clocks are computed from the
    whole list, so a changed calendar or priority gives the right answer afterwards."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    state = models.CharField(_("state"), max_length=40, blank=True, help_text=_("The state after the event."))
    transition = models.CharField(_("transition"), max_length=40, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assignee")
    )
    supplier = models.ForeignKey(
        "suppliers.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="cases_event_order")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseLink(models.Model):
    """Cases that belong together: an incident caused by a problem, a problem resolved by a change."""

    source = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_out", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices)
    target = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="links_in", verbose_name=_("linked case"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "target"], name="cases_unique_link"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="cases_link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"


class SlaClock(models.Model):
    """The last computed state of one clock of a case: the customer's (``link`` empty: the SLA that
    covers the case) or a chain link's (the internal team's OLA, the supplier's contract), so that a
    breach is attributed to the link that caused it. Recomputed from the events whenever they change,
    and by the breach scan; kept for the queues, the warnings and the service-level reports."""

    # (no index of its own: the unique (case, name, link) index leads with the case)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("case"), db_index=False)
    name = models.CharField(_("clock"), max_length=12, choices=ClockName.choices)
    link = models.ForeignKey(
        "services.ServiceLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("chain link")
    )
    agreement = models.ForeignKey(
        "suppliers.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agreement")
    )
    target_minutes = models.PositiveIntegerField(_("target (business minutes)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ClockStatus.choices)
    elapsed_minutes = models.PositiveIntegerField(_("elapsed (business minutes)"), default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True)
    breached = models.BooleanField(_("breached"), default=False)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    computed_at = models.DateTimeField(
        _("computed"),
        default=timezone.now,
        help_text=_("When these figures were last computed and found changed, or checked by the breach scan."),
    )

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["case", "name", "link"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name", "link"], name="cases_one_clock_per_link"),
            models.UniqueConstraint(
                fields=["case", "name"], condition=models.Q(link__isnull=True), name="cases_one_customer_clock"
            ),
        ]
        indexes = [
            # The breach scan and the queues' "about to breach": running clocks by due moment.
            models.Index(fields=["status", "due_at"], name="cases_clock_due"),
            # The breach scan: running clocks whose warning moment has come.
            models.Index(fields=["status", "warn_at"], name="cases_clock_warn"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.link_id or 'SLA'}"


class ChangeApproval(models.Model):
    """A decision on a request for change by a member of the change advisory board or the delegated
    approver. Never by the change's requester (segregation of duties, ``changes``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("change"))
    approver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="change_approvals", verbose_name=_("approver"))
    approved = models.BooleanField(_("approved"))
    note = models.TextField(_("note"), blank=True)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("change approval")
        verbose_name_plural = _("change approvals")
        ordering = ["case", "decided_at"]
        constraints = [models.UniqueConstraint(fields=["case", "approver"], name="cases_one_decision_per_approver")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.approver_id} {'+' if self.approved else '-'}"


class CaseTask(BusinessModel):
    """A piece of a change's realisation (or any case's work) for one team, and the person in it who does it."""

    scope_lookup = "case__service__scope"
    search_fields = ("title",)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("case"))
    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("team"))
    assignee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("assignee")
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("done by")
    )

    class Meta:
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")
        ordering = ["case", "due_at", "id"]

    def __str__(self) -> str:
        return self.title


class FreezeWindow(BusinessModel):
    """A period in which no change may be realised in a domain (or anywhere, without a domain): the
    year-end close, an election night."""

    scope_lookup = "domain__scope"
    search_fields = ("name",)

    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="freeze_windows", verbose_name=_("domain")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("freeze window")
        verbose_name_plural = _("freeze windows")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="cases_freeze_ends_after_start",
                violation_error_message=_("A freeze window ends after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:freezewindow_detail", args=[self.pk])


class InboundMail(models.Model):
    """An email received for the service desk, kept whole whatever became of it: it created a case, was
    added to one, or was quarantined with the reason (unknown sender, a forged or unknown case reference,
    an attachment too large) for someone to look at. Nothing received is lost."""

    class Status(models.TextChoices):
        CREATED = "created", _("created a case")
        ADDED = "added", _("added to a case")
        QUARANTINED = "quarantined", _("quarantined")

    message_id = models.CharField(_("message ID"), max_length=500, unique=True)
    sender = models.EmailField(_("from"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    raw = models.FileField(_("message"), upload_to="mail/%Y/%m/")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="mails", verbose_name=_("case"))

    class Meta:
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class CaseAttachment(models.Model):
    """A file that came with an email or was added on the case's page."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case"))
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("event")
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return self.name
