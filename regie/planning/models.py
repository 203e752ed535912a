"""Planning: working calendars, a project's plan (work breakdown, links, constraints, progress), the
schedule computed by the engine, baselines, and the resources and assignments read from MS Project.

Durations, lags and slack are stored in minutes (working minutes unless marked elapsed); the unit a
person typed is kept to show them back the way they think ("5d", "2w").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.core.models import BusinessModel, Domain, Person
from regie.portfolio.models import Project


class DurationUnit(models.TextChoices):
    MINUTES = "m", _("minutes")
    HOURS = "h", _("hours")
    DAYS = "d", _("days")
    WEEKS = "w", _("weeks")
    MONTHS = "mo", _("months")


class LinkType(models.TextChoices):
    FS = "FS", _("finish-to-start")
    SS = "SS", _("start-to-start")
    FF = "FF", _("finish-to-finish")
    SF = "SF", _("start-to-finish")


class LagKind(models.TextChoices):
    WORK = "work", _("working time")
    ELAPSED = "elapsed", _("elapsed time")
    PERCENT = "percent", _("percentage of the predecessor")


class Constraint(models.TextChoices):
    ASAP = "ASAP", _("as soon as possible")
    ALAP = "ALAP", _("as late as possible")
    SNET = "SNET", _("start no earlier than")
    SNLT = "SNLT", _("start no later than")
    FNET = "FNET", _("finish no earlier than")
    FNLT = "FNLT", _("finish no later than")
    MSO = "MSO", _("must start on")
    MFO = "MFO", _("must finish on")


class Recurrence(models.TextChoices):
    ONCE = "once", _("once (every day of the period)")
    DAILY = "daily", _("every n days")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")


def default_week() -> list[list[list[str]]]:
    day = [["08:00", "12:00"], ["13:00", "17:00"]]
    return [day, day, day, day, day, [], []]


class WorkCalendar(BusinessModel):
    """Working days and hours per weekday (Monday first, each a list of ``["08:00", "12:00"]`` periods),
    with exceptions. One calendar is the organisation's default; a plan, a task (and later a resource)
    may use another."""

    scope_lookup = None
    search_fields = ("name",)

    name = models.CharField(_("name"), max_length=100, unique=True)
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="calendars", verbose_name=_("domain")
    )
    week = models.JSONField(_("working hours per weekday"), default=default_week)
    is_default = models.BooleanField(_("organisation default"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_calendar")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:calendar_detail", args=[self.pk])

    def clean(self) -> None:
        from regie.planning import calendars

        calendars.parse_week(self.week)  # raises ValidationError naming the day


class CalendarException(models.Model):
    """Days that differ from the week: holidays and closures (no hours) or other hours, once or recurring."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("calendar"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    hours = models.JSONField(_("working hours"), default=list, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE)
    period = models.PositiveSmallIntegerField(_("every"), default=1)
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)  # 0 = Monday
    month_day = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)  # 1..4, 5 = last
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return self.name or f"{self.start}–{self.end}"

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The exception ends before it starts.")})
        from regie.planning import calendars

        calendars.exception_of(self)  # raises ValidationError naming what is wrong


class Plan(models.Model):
    """A project's schedule settings and its latest computed summary."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="plan", verbose_name=_("project"))
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="plans", verbose_name=_("calendar"))
    start = models.DateTimeField(_("project start"))
    minutes_per_day = models.PositiveIntegerField(_("minutes per day"), default=480)
    minutes_per_week = models.PositiveIntegerField(_("minutes per week"), default=2400)
    days_per_month = models.PositiveIntegerField(_("days per month"), default=20)
    finish = models.DateTimeField(_("project finish"), null=True, blank=True, editable=False)
    scheduled_at = models.DateTimeField(_("scheduled"), null=True, blank=True, editable=False)
    schedule_error = models.TextField(_("scheduling problem"), blank=True, editable=False)
    baseline = models.ForeignKey(
        "Baseline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("baseline to compare with")
    )
    source_name = models.CharField(_("imported from"), max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return str(self.project)

    def get_absolute_url(self) -> str:
        return reverse("planning:plan", args=[self.project_id])


class Task(BusinessModel):
    """One line of the work breakdown: a summary (it has children), a task or a milestone."""

    scope_lookup = "plan__project__scope"
    search_fields = ("name", "wbs")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("summary task")
    )
    uid = models.PositiveIntegerField(_("unique number"))
    position = models.PositiveIntegerField(_("position"), default=0)
    wbs = models.CharField(_("WBS"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="planned_tasks", verbose_name=_("owner")
    )
    milestone = models.BooleanField(_("milestone"), default=False)
    is_summary = models.BooleanField(_("summary"), default=False, editable=False)
    manual = models.BooleanField(_("manually scheduled"), default=False)
    duration = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    duration_unit = models.CharField(_("duration unit"), max_length=2, choices=DurationUnit.choices, default=DurationUnit.DAYS)
    elapsed = models.BooleanField(_("elapsed duration"), default=False)
    calendar = models.ForeignKey(
        WorkCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("calendar")
    )
    constraint = models.CharField(_("constraint"), max_length=4, choices=Constraint.choices, default=Constraint.ASAP)
    constraint_date = models.DateTimeField(_("constraint date"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateTimeField(_("actual finish"), null=True, blank=True)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    remaining = models.PositiveIntegerField(_("remaining duration (minutes)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    task_type = models.PositiveSmallIntegerField(_("task type"), default=0, editable=False)
    # the computed schedule (never typed in)
    start = models.DateTimeField(_("start"), null=True, blank=True, editable=False)
    finish = models.DateTimeField(_("finish"), null=True, blank=True, editable=False)
    early_start = models.DateTimeField(_("early start"), null=True, blank=True, editable=False)
    early_finish = models.DateTimeField(_("early finish"), null=True, blank=True, editable=False)
    late_start = models.DateTimeField(_("late start"), null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(_("late finish"), null=True, blank=True, editable=False)
    total_slack = models.IntegerField(_("total slack (minutes)"), null=True, blank=True, editable=False)
    free_slack = models.IntegerField(_("free slack (minutes)"), null=True, blank=True, editable=False)
    critical = models.BooleanField(_("critical"), default=False, editable=False)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [models.UniqueConstraint(fields=["plan", "uid"], name="task_uid_unique_in_plan")]
        indexes = [models.Index(fields=["plan", "position"])]

    def __str__(self) -> str:
        return f"{self.wbs} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("planning:task", args=[self.pk])


class Link(models.Model):
    """A dependency: the successor waits for the predecessor, which may be in another project."""

    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("predecessor"))
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("successor"))
    type = models.CharField(_("type"), max_length=2, choices=LinkType.choices, default=LinkType.FS)
    lag = models.FloatField(_("lag"), default=0)  # minutes, or a percentage
    lag_kind = models.CharField(_("lag kind"), max_length=8, choices=LagKind.choices, default=LagKind.WORK)
    lag_unit = models.CharField(_("lag unit"), max_length=2, choices=DurationUnit.choices, default=DurationUnit.DAYS)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="one_link_per_pair")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.type})"

    @property
    def cross_project(self) -> bool:
        return self.predecessor.plan_id != self.successor.plan_id


class Baseline(models.Model):
    """A named snapshot of the plan's dates, to measure the variance against."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("plan"))
    name = models.CharField(_("name"), max_length=100)
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("saved by")
    )
    finish = models.DateTimeField(_("finish"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="baseline_name_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "number"], name="baseline_number_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="baselines")
    start = models.DateTimeField(null=True, blank=True)
    finish = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["baseline", "task"], name="one_baseline_row_per_task")]

    def __str__(self) -> str:
        return f"{self.baseline_id}/{self.task_id}"


class Resource(models.Model):
    """A resource named in an imported plan, kept for the resources capability."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="resources", verbose_name=_("plan"))
    uid = models.PositiveIntegerField(_("unique number"))
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, default="work")
    initials = models.CharField(_("initials"), max_length=30, blank=True)
    email = models.CharField(_("email"), max_length=255, blank=True)
    max_units = models.FloatField(_("maximum units"), default=1.0)
    standard_rate = models.FloatField(_("standard rate"), default=0)
    calendar = models.ForeignKey(WorkCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "uid"]
        constraints = [models.UniqueConstraint(fields=["plan", "uid"], name="resource_uid_unique_in_plan")]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="assignments")
    units = models.FloatField(default=1.0)
    work = models.PositiveIntegerField(default=0)  # minutes

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.task_id}"
