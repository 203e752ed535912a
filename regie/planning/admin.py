from django.contrib import admin

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
