"""Background jobs and periodic schedules, kept in the database so that no extra server is needed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """One run of a background task: its arguments, who asked for it, its progress and its outcome.
    A worker claims a job in a transaction, so each queued job runs once however many workers poll."""

    task = models.CharField(_("task"), max_length=100, db_index=True)
    label = models.CharField(_("description"), max_length=200, blank=True)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    schedule = models.ForeignKey("core.Schedule", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=3)
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "run_after"])]

    def __str__(self) -> str:
        return self.label or self.task

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Schedule(models.Model):
    """A periodic schedule: the worker queues ``task`` every ``interval_seconds``; claiming a due
    schedule is transactional, so two workers never queue the same occurrence twice."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    task = models.CharField(_("task"), max_length=100)
    arguments = models.JSONField(_("arguments"), default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run"), default=timezone.now)
    last_queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
