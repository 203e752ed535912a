"""Service-level reporting: per service (and agreement), targets against achievements per month, as
charts and a table, exported to Excel."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.generic import ID_MAX
from regie.services import selectors
from regie.services.models import Service, ServiceLevelMeasurement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    end = forms.DateField(
        label=gettext_lazy("Until month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    agreement = forms.TypedChoiceField(label=gettext_lazy("Agreement"), required=False, coerce=int, empty_value=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The last month comes after the first."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366 * 10:
            self.add_error("start", _("Report at most ten years at once."))
        for name in ("start", "end"):
            if data.get(name) and data[name].year > 9998:
                self.add_error(name, _("Give a month before the year %(year)s.") % {"year": 9999})
        return data


def last_twelve_months() -> tuple[datetime.date, datetime.date]:
    """The first days of the twelve complete months before this one."""
    end = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    start = end
    for _month in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start, end


def _metric_label(target: Any) -> str:
    label = str(target.get_metric_display())
    if target.priority:
        label += " · " + _("priority %(n)s") % {"n": target.priority}
    if getattr(target, "offering_id", None):
        label += f" · {target.offering.name}"
    return label


def service_levels(request: HttpRequest, pk: int) -> HttpResponse:
    """The service-level report of one service."""
    if pk > ID_MAX:
        raise Http404
    service = Service.objects.visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    agreements = list(
        ServiceLevelMeasurement.objects.filter(service=service)
        .values_list("target__version__agreement_id", "target__version__agreement__code", "target__version__agreement__name")
        .distinct()
        .order_by("target__version__agreement__code")
    )
    form = PeriodForm(request.GET or None)
    choices: Any = form.fields["agreement"]
    choices.choices = [("", _("All agreements"))] + [(pk_, f"{code} {name}") for pk_, code, name in agreements]
    start, end = last_twelve_months()
    agreement = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            start = (form.cleaned_data["start"] or start).replace(day=1)
            end = (form.cleaned_data["end"] or end).replace(day=1)
            agreement = form.cleaned_data["agreement"]
        else:
            status = 400
    reports = selectors.service_levels(service, start, end, agreement=agreement) if status == 200 else []
    if request.GET.get("format") == "xlsx" and status == 200:
        return _workbook(service, reports, start, end)
    charts = [
        {
            "id": f"levels-{n}",
            "title": f"{r.target.version.agreement.code} · {_metric_label(r.target)}",
            "agreed": float(r.agreed) if r.agreed is not None else None,
            "months": [row.period.strftime("%Y-%m") for row in r.rows],
            "achieved": [float(row.achieved) if row.achieved is not None else None for row in r.rows],
            "met": [row.met for row in r.rows],
        }
        for n, r in enumerate(reports)
    ]
    context = {
        "service": service,
        "form": form,
        "reports": list(zip(reports, charts, strict=True)),
        "charts": charts,
        "start": start,
        "end": end,
        "start_value": f"{start:%Y-%m}",
        "end_value": f"{end:%Y-%m}",
        "query": request.GET.urlencode(),
    }
    return render(request, "services/service_levels.html", context, status=status)


def _workbook(service: Service, reports: list[selectors.TargetReport], start: Any, end: Any) -> HttpResponse:
    """Two sheets: the months per target (missed months in red) and the breaches per chain link."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = _("Service levels")[:31]
    bold = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    sheet.append([f"{service.code} {service.name}", f"{start:%Y-%m} – {end:%Y-%m}"])
    sheet.append([])
    header = [
        _("Agreement"),
        _("Version"),
        _("Target"),
        _("Agreed"),
        _("Month"),
        _("Achieved (%)"),
        _("Cases"),
        _("Breaches"),
        _("Met"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = bold
    for report in reports:
        target = report.target
        for row in report.rows:
            sheet.append(
                [
                    target.version.agreement.code,
                    target.version.number,
                    _metric_label(target),
                    report.agreed,
                    row.period.strftime("%Y-%m"),
                    row.achieved,
                    row.cases,
                    row.breaches,
                    "" if row.met is None else (_("yes") if row.met else _("no")),
                ]
            )
            if row.met is False:
                for cell in sheet[sheet.max_row]:
                    cell.fill = red
    for column, width in zip("ABCDEFGHI", (14, 8, 34, 10, 10, 14, 8, 10, 6), strict=True):
        sheet.column_dimensions[column].width = width
    # One chart per target, beside the table, so the sheet shows what the page shows.
    first = 4
    anchor_row = 3
    for report in reports:
        last = first + len(report.rows) - 1
        if report.rows:
            bars = BarChart()
            bars.title = f"{report.target.version.agreement.code} · {_metric_label(report.target)}"
            bars.y_axis.title = "%"
            bars.add_data(Reference(sheet, min_col=6, min_row=first, max_row=last), titles_from_data=False)
            bars.set_categories(Reference(sheet, min_col=5, min_row=first, max_row=last))
            line = LineChart()
            line.add_data(Reference(sheet, min_col=4, min_row=first, max_row=last), titles_from_data=False)
            bars += line
            bars.legend = None
            bars.height, bars.width = 6, 14
            sheet.add_chart(bars, f"K{anchor_row}")
            anchor_row += 13
        first = last + 1
    links = book.create_sheet(_("Breaches by link")[:31])
    links.append([_("Agreement"), _("Target"), _("Depends on"), _("Responsible"), _("Breaches")])
    for cell in links[1]:
        cell.font = bold
    for report in reports:
        for link, breaches in sorted(report.by_link.items(), key=lambda item: -item[1]):
            links.append(
                [
                    report.target.version.agreement.code,
                    _metric_label(report.target),
                    str(link.provider),
                    str(link.responsible or ""),
                    breaches,
                ]
            )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="service-levels-{service.code}-{start:%Y%m}-{end:%Y%m}.xlsx"'
    return response


def levels_section(request: HttpRequest, record: Service) -> dict[str, Any]:
    """A line on the service page leading to its service-level report, with the months missed lately."""
    start, end = last_twelve_months()
    reports = selectors.service_levels(record, start, end)
    missed = [(r, r.months_missed) for r in reports if r.months_missed]
    from django.urls import reverse

    lines = [
        _("%(target)s: missed in %(n)s of the last 12 months")
        % {"target": f"{r.target.version.agreement.code} · {_metric_label(r.target)}", "n": n}
        for r, n in missed
    ]
    if reports and not lines:
        lines = [_("Every target met in the last 12 months.")]
    return {
        "title": _("Service levels"),
        "lines": lines,
        "empty": _("No service levels measured yet."),
        "action": {"url": reverse("services:service_levels", args=[record.pk]), "label": _("Service-level report")},
    }
