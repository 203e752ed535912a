from typing import Any

from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest

from regie.planning.models import CalendarException, WorkCalendar


class ExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 1
    fields = ("name", "start", "end", "hours", "recurrence", "period", "weekdays", "month_day", "weekday", "position", "month")


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default", "domain")
    search_fields = ("name",)
    inlines = [ExceptionInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """After a change on the admin site too, the plans that use the calendar follow its working time."""
        super().save_related(request, form, formsets, change)
        from regie.planning.calendars import reschedule_plans_using

        if change:
            # a change here is a new version too: a page or API client holding the old one is refused
            WorkCalendar.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)
            reschedule_plans_using(form.instance, request.user)
