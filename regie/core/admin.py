"""Django's admin site for operators: job records (read-only) and the periodic schedules (switch on/off)."""

from django.contrib import admin

from regie.core.models import Job, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "task", "interval_seconds", "next_run_at", "last_queued_at", "enabled")
    list_editable = ("enabled",)
    readonly_fields = ("name", "task", "arguments", "last_queued_at")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "label", "status", "attempts", "worker", "created_at", "finished_at")
    list_filter = ("status", "task")
    search_fields = ("label", "task")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
