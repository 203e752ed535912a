"""Working calendar pages: the list, a calendar with its coming twelve months, and, for those who keep the
calendars (``planning.manage_calendars``), creating and changing calendars and their exceptions and
archiving calendars that nothing uses. The writes go through ``calendars``' services, which reschedule
the plans that use a calendar after every change to its working time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from regie.core.generic import attach_errors, posted_version, style_widgets
from regie.core.models import Domain
from regie.core.services import StaleWrite
from regie.planning import calendars
from regie.planning.models import CalendarException, Recurrence, WorkCalendar, default_week

WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = (
    gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"), gettext_lazy("Thursday"),
    gettext_lazy("Friday"), gettext_lazy("Saturday"), gettext_lazy("Sunday"),
)  # fmt: skip
MONTH_LABELS = (
    gettext_lazy("January"), gettext_lazy("February"), gettext_lazy("March"), gettext_lazy("April"), gettext_lazy("May"),
    gettext_lazy("June"), gettext_lazy("July"), gettext_lazy("August"), gettext_lazy("September"),
    gettext_lazy("October"), gettext_lazy("November"), gettext_lazy("December"),
)  # fmt: skip
POSITION_LABELS = (
    (1, gettext_lazy("first")), (2, gettext_lazy("second")), (3, gettext_lazy("third")), (4, gettext_lazy("fourth")),
    (5, gettext_lazy("last")),
)  # fmt: skip
PERIODS_PLACEHOLDER = "08:00-12:00, 13:00-17:00"


# -- forms -------------------------------------------------------------------------------------------------


class StyledForm(forms.Form):
    """Tabler's classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _day_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": PERIODS_PLACEHOLDER}),
    )


class CalendarForm(StyledForm):
    """A calendar's name, default flag and week: one text field per weekday with its working periods."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_default = forms.BooleanField(
        label=gettext_lazy("Organisation default"),
        required=False,
        help_text=gettext_lazy("New plans use the default calendar. There is always exactly one default."),
    )
    domain = forms.ModelChoiceField(
        label=gettext_lazy("Domain"),
        queryset=Domain.objects.none(),
        required=False,
        help_text=gettext_lazy("Optional: the domain the calendar is meant for."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    monday = _day_field(gettext_lazy("Monday"))
    tuesday = _day_field(gettext_lazy("Tuesday"))
    wednesday = _day_field(gettext_lazy("Wednesday"))
    thursday = _day_field(gettext_lazy("Thursday"))
    friday = _day_field(gettext_lazy("Friday"))
    saturday = _day_field(gettext_lazy("Saturday"))
    sunday = _day_field(gettext_lazy("Sunday"))

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        if calendar is not None:
            initial = {
                "name": calendar.name,
                "is_default": calendar.is_default,
                "domain": calendar.domain_id,
                "description": calendar.description,
            }
            for name, periods in zip(WEEKDAY_FIELDS, calendar.week, strict=True):
                initial[name] = calendars.periods_as_text(periods)
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        else:
            default = default_week()
            kwargs["initial"] = {
                **{n: calendars.periods_as_text(p) for n, p in zip(WEEKDAY_FIELDS, default, strict=True)},
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        current = calendar.domain_id if calendar is not None else None
        self.fields["domain"].queryset = Domain.objects.filter(Q(archived_at__isnull=True) | Q(pk=current))  # type: ignore[attr-defined]
        if calendar is not None and calendar.is_default:
            self.fields["is_default"].disabled = True
            self.fields["is_default"].help_text = gettext_lazy(
                "This is the organisation default. To change that, make another calendar the default."
            )

    @property
    def week_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in WEEKDAY_FIELDS]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "is_default", "domain", "description")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days = []
        for name, label in zip(WEEKDAY_FIELDS, WEEKDAY_LABELS, strict=True):
            if name in self.errors:
                continue
            try:
                data[name] = calendars.periods_from_text(data.get(name), str(label))
            except ValidationError as error:
                self.add_error(name, error)
                continue
            days.append(data[name])
        if len(days) == len(WEEKDAY_FIELDS) and not any(days):
            self.add_error(None, _("The week has no working time at all: give at least one day working periods."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "is_default": bool(data["is_default"]),
            "domain": data["domain"],
            "description": data["description"],
            "week": [data[name] for name in WEEKDAY_FIELDS],
        }


class ExceptionForm(StyledForm):
    """An exception: its days (a range, or a recurrence within it) and their working periods, or none."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    start = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: the first day only."),
    )
    hours = forms.CharField(
        label=gettext_lazy("Working hours"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "08:00-12:00"}),
        help_text=gettext_lazy("Empty: the days are not worked (a holiday, a closure). Or periods such as 08:00-12:00."),
    )
    recurrence = forms.ChoiceField(label=gettext_lazy("Recurrence"), choices=Recurrence.choices, initial=Recurrence.ONCE)
    period = forms.IntegerField(
        label=gettext_lazy("Every"),
        min_value=1,
        max_value=999,
        initial=1,
        required=False,
        help_text=gettext_lazy("The n of every n days, weeks or months."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("On these weekdays"),
        choices=list(enumerate(WEEKDAY_LABELS)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Weekly: none chosen means the weekday of the first day."),
    )
    month_day = forms.IntegerField(
        label=gettext_lazy("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=gettext_lazy("Monthly and yearly: a day of the month, or a weekday and which one below."),
    )
    position = forms.TypedChoiceField(
        label=gettext_lazy("Which one"),
        choices=[("", "—"), *POSITION_LABELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekday"),
        choices=[("", "—"), *enumerate(WEEKDAY_LABELS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[("", "—"), *((number, label) for number, label in enumerate(MONTH_LABELS, start=1))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("Yearly: the month."),
    )
    occurrences = forms.IntegerField(
        label=gettext_lazy("Stop after"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=gettext_lazy("Optional: the number of days after which the recurrence stops."),
    )

    #: which recurrences use a field (the page hides the others when scripts run)
    RECURRENCE_FIELDS = {
        "period": "daily weekly monthly",
        "weekdays": "weekly",
        "month_day": "monthly yearly",
        "position": "monthly yearly",
        "weekday": "monthly yearly",
        "month": "yearly",
        "occurrences": "daily weekly monthly yearly",
    }

    def __init__(self, *args: Any, exception: CalendarException | None = None, **kwargs: Any) -> None:
        if exception is not None:
            initial = {name: getattr(exception, name) for name in calendars.EXCEPTION_FIELDS}
            initial["hours"] = calendars.periods_as_text(exception.hours)
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "start", "end", "hours")]

    @property
    def recurrence_fields(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], kinds) for name, kinds in self.RECURRENCE_FIELDS.items()]

    def clean_hours(self) -> list[list[str]]:
        where = (self.data.get(self.add_prefix("name")) or "").strip() or str(_("Working hours"))
        return calendars.periods_from_text(self.cleaned_data.get("hours"), where)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["weekdays"] = sorted(data.get("weekdays") or [])
        return {name: data.get(name) for name in calendars.EXCEPTION_FIELDS}


# -- helpers -------------------------------------------------------------------------------------------------


def _check_manage(request: HttpRequest) -> None:
    if not calendars.may_manage(request.user):
        raise PermissionDenied


def _calendar(pk: int) -> WorkCalendar:
    return get_object_or_404(WorkCalendar.objects.active(), pk=pk)


def _tell(request: HttpRequest, text: str, report: calendars.Rescheduled | None = None) -> None:
    """The outcome of a change, with what happened to the plans that use the calendar."""
    messages.success(request, " ".join([text, *(report.summary() if report else [])]))
    if report is not None and report.problem():
        messages.warning(request, report.problem())


def _stale_message(error: StaleWrite) -> str:
    return str(error) + " " + _("Reload the page to see the current values.")


# -- pages -------------------------------------------------------------------------------------------------


def calendar_list(request: HttpRequest) -> HttpResponse:
    may_manage = calendars.may_manage(request.user)
    context = {
        "calendars": WorkCalendar.objects.active(),
        "may_manage": may_manage,
        "archived": WorkCalendar.objects.filter(archived_at__isnull=False).order_by("name") if may_manage else [],
    }
    return render(request, "planning/calendar_list.html", context)


@require_POST
def calendar_restore(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(WorkCalendar.objects.filter(archived_at__isnull=False), pk=pk)
    _check_manage(request)
    calendars.calendar_restore(actor=request.user, calendar=calendar)
    messages.success(request, _("Calendar “%(name)s” restored.") % {"name": calendar.name})
    return HttpResponseRedirect(calendar.get_absolute_url())


def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    engine = calendars.engine_calendar(calendar)
    first = timezone.localdate().replace(day=1)
    may_manage = calendars.may_manage(request.user)
    context = {
        "calendar": calendar,
        "months": calendars.month_view(engine, first, 12),
        "week": list(zip(calendars.WEEKDAY_NAMES, calendar.week, strict=True)),
        "exceptions": calendar.exceptions.all(),
        "may_manage": may_manage,
        "usage": calendars.calendar_usage(calendar, request.user) if may_manage else None,
    }
    return render(request, "planning/calendar_detail.html", context)


def calendar_new(request: HttpRequest) -> HttpResponse:
    _check_manage(request)
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = calendars.calendar_create(actor=request.user, values=form.values())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            _tell(request, _("Calendar “%(name)s” created.") % {"name": calendar.name})
            return HttpResponseRedirect(calendar.get_absolute_url())
    context = {"form": form, "calendar": None}
    return render(request, "planning/calendar_form.html", context, status=400 if form.errors else 200)


def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    _check_manage(request)
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            calendar, report = calendars.calendar_update(
                actor=request.user, calendar=calendar, values=form.values(), version=posted_version(request)
            )
        except StaleWrite as error:
            form.add_error(None, _stale_message(error))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            _tell(request, _("Calendar “%(name)s” saved.") % {"name": calendar.name}, report)
            return HttpResponseRedirect(calendar.get_absolute_url())
    context = {"form": form, "calendar": calendar}
    return render(request, "planning/calendar_form.html", context, status=400 if form.errors else 200)


@require_POST
def calendar_archive(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    _check_manage(request)
    try:
        calendars.calendar_archive(actor=request.user, calendar=calendar, version=posted_version(request))
    except StaleWrite as error:
        messages.error(request, _stale_message(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Calendar “%(name)s” archived.") % {"name": calendar.name})
        return HttpResponseRedirect(reverse("planning:calendar_list"))
    return HttpResponseRedirect(calendar.get_absolute_url())


def calendar_exception_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _exception_form(request, _calendar(pk), None)


def calendar_exception_edit(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    return _exception_form(request, calendar, get_object_or_404(CalendarException, pk=exception_pk, calendar=calendar))


def _exception_form(request: HttpRequest, calendar: WorkCalendar, exception: CalendarException | None) -> HttpResponse:
    """Add an exception to the calendar (``exception`` None) or change one."""
    _check_manage(request)
    form = ExceptionForm(request.POST or None, exception=exception)
    if request.method == "POST" and form.is_valid():
        try:
            if exception is None:
                saved, report = calendars.calendar_exception_create(
                    actor=request.user, calendar=calendar, values=form.values(), version=posted_version(request)
                )
                done = _("Exception “%(name)s” added.")
            else:
                saved, report = calendars.calendar_exception_update(
                    actor=request.user, exception=exception, values=form.values(), version=posted_version(request)
                )
                done = _("Exception “%(name)s” saved.")
        except StaleWrite as error:
            form.add_error(None, _stale_message(error))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            _tell(request, done % {"name": saved}, report)
            return HttpResponseRedirect(calendar.get_absolute_url())
    context = {"form": form, "calendar": calendar, "exception": exception}
    return render(request, "planning/calendar_exception_form.html", context, status=400 if form.errors else 200)


@require_POST
def calendar_exception_delete(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    calendar = _calendar(pk)
    exception = get_object_or_404(CalendarException, pk=exception_pk, calendar=calendar)
    _check_manage(request)
    name = str(exception)
    try:
        report = calendars.calendar_exception_delete(actor=request.user, exception=exception, version=posted_version(request))
    except StaleWrite as error:
        messages.error(request, _stale_message(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _tell(request, _("Exception “%(name)s” deleted.") % {"name": name}, report)
    return HttpResponseRedirect(calendar.get_absolute_url())
