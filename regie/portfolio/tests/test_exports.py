"""The steering-committee deck and the portfolio workbook: what they show, how they look, and that they
cost no queries beyond the ones that load the projects."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import load_workbook
from pptx import Presentation

from regie.portfolio import exports
from regie.portfolio.models import (
    GateCondition,
    GateDecision,
    LifecycleModel,
    Phase,
    Portfolio,
    Programme,
    Project,
    StatusReport,
)

pytestmark = pytest.mark.django_db

LONG_SUMMARY = "The migration continues. " * 120
DECISIONS = "Approve the extra budget of 40,000 EUR for the second supplier"


def loaded(projects=None):
    """Projects loaded as the caller of the exports loads them."""
    queryset = Project.objects.filter(pk__in=[p.pk for p in projects]) if projects is not None else Project.objects.all()
    return list(
        queryset.select_related(
            "portfolio", "programme", "current_phase", "project_manager", "sponsor", "latest_report", "latest_report__previous"
        )
        .prefetch_related(
            Prefetch(
                "gate_conditions",
                queryset=GateCondition.objects.filter(status="open", archived_at__isnull=True).select_related("owner"),
                to_attr="open_conditions",
            )
        )
        .order_by("code")
    )


def report(project, start, *, previous=None, **content):
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    row = StatusReport.objects.create(
        project=project, period_start=start, period_end=end, state="submitted", previous=previous, **content
    )
    Project.objects.filter(pk=project.pk).update(latest_report=row)
    return row


@pytest.fixture
def portfolio(org):
    model = LifecycleModel.objects.create(code="EXP", name="Export life cycle")
    phases = [Phase.objects.create(lifecycle=model, order=i, name=name) for i, name in enumerate(["Initiation", "Execution"], 1)]
    portfolio = Portfolio.objects.create(code="XPF", name="Export portfolio", domain=org.it)
    programme = Programme.objects.create(code="XPR", name="Export programme", portfolio=portfolio)
    manager, sponsor = org.users["norole"].person, org.users["member_it"].person

    def project(code, name, **fields):
        return Project.objects.create(
            code=code,
            name=name,
            portfolio=portfolio,
            lifecycle=model,
            project_manager=manager,
            sponsor=sponsor,
            planned_start=date(2026, 1, 1),
            planned_end=date(2027, 6, 30),
            expected_costs="125000.50",
            **fields,
        )

    green = project("X1", "Green project", programme=programme)
    amber = project("X2", "Amber project")
    red = project("X3", '=HYPERLINK("http://evil.example")')
    silent = project("X4", "Project without report")

    report(green, date(2026, 9, 1), summary="All on track.")
    before = report(amber, date(2026, 8, 1), summary="Fine.")
    report(
        amber,
        date(2026, 9, 1),
        previous=before,
        overall="amber",
        overall_rationale="Supplier late",
        schedule="amber",
        schedule_rationale="Supplier late by three weeks",
        summary="Waiting for the supplier.",
    )
    report(
        red,
        date(2026, 9, 1),
        overall="red",
        overall_rationale="Budget exhausted",
        cost="red",
        cost_rationale="Overrun of 40%",
        summary=LONG_SUMMARY,
        decisions_needed=DECISIONS,
        top_risks="Supplier capacity\nKey developer leaving",
        achievements="-5% costs",
    )
    Project.objects.filter(pk=red.pk).update(report_due=timezone.localdate() - timedelta(days=3))
    Project.objects.filter(pk=amber.pk).update(current_phase=phases[1])

    decision = GateDecision.objects.create(
        project=amber, phase=phases[0], outcome="go_with_conditions", rationale="Go", decided_by=sponsor
    )
    GateCondition.objects.create(
        project=amber, decision=decision, description="Hire a tester", owner=manager, due_date=date(2026, 12, 31)
    )
    GateCondition.objects.create(
        project=amber, decision=decision, description="Closed one", owner=manager, due_date=date(2026, 11, 1), status="done"
    )
    return {"green": green, "amber": amber, "red": red, "silent": silent}


def texts(slide):
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)
        if shape.has_table:
            found.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(found)


def table_of(slide):
    return next(shape.table for shape in slide.shapes if shape.has_table)


def test_the_deck_has_a_summary_and_one_slide_per_project(portfolio):
    projects = loaded()
    calls = []
    deck = Presentation(io.BytesIO(exports.build_deck(projects, title="Steering committee", progress=lambda *a: calls.append(a))))

    assert (deck.slide_width.inches, deck.slide_height.inches) == (pytest.approx(13.333, abs=0.01), 7.5)
    slides = list(deck.slides)
    assert len(slides) == 1 + len(projects)
    assert calls == [(i, len(projects)) for i in range(1, len(projects) + 1)]
    assert deck.core_properties.title == "Steering committee" and deck.core_properties.author == "Regie"

    summary = texts(slides[0])
    assert "Steering committee" in summary and "4 projects" in summary
    assert "Initiation: 3" in summary and "Execution: 1" in summary
    assert all(p.code in summary for p in projects)
    overall = {row.cells[0].text: row.cells[3] for row in list(table_of(slides[0]).rows)[1:]}
    assert str(overall["X3"].fill.fore_color.rgb) == "D63939" and overall["X3"].text == "Red"
    assert str(overall["X2"].fill.fore_color.rgb) == "F59F00"
    assert overall["X4"].text == "No report"

    titles = [slide.shapes.title.text for slide in slides[1:]]
    assert titles == [f"{p.code} {p.name}" for p in projects]


def test_a_project_slide_shows_the_report(portfolio):
    deck = Presentation(io.BytesIO(exports.build_deck(loaded(), title="SC")))
    slides = {slide.shapes.title.text.split()[0]: slide for slide in deck.slides}

    red = slides["X3"]
    rows = {row.cells[0].text: row.cells for row in list(table_of(red).rows)[1:]}
    assert list(rows) == ["Overall", "Schedule", "Cost", "Scope", "Risks", "Resources", "Quality"]
    assert str(rows["Cost"][1].fill.fore_color.rgb) == "D63939" and rows["Cost"][1].text == "Red"
    assert rows["Cost"][2].text == "Overrun of 40%"
    assert str(rows["Schedule"][1].fill.fore_color.rgb) == "2FB344"
    content = texts(red)
    assert DECISIONS in content and "Key developer leaving" in content
    summary = next(s.text_frame.text for s in red.shapes if s.has_text_frame and s.text_frame.text.startswith("Summary"))
    body = summary.split("\n", 1)[1]
    assert body.endswith("…") and len(body) <= exports.SUMMARY_CHARS and body[:-1] in LONG_SUMMARY

    amber = texts(slides["X2"])
    assert "Supplier late by three weeks" in amber
    assert "Hire a tester" in amber and "Closed one" not in amber and "Current phase: Execution" in amber

    silent = texts(slides["X4"])
    assert "No status report submitted yet." in silent and "Planned start" in silent


def test_the_exports_issue_no_queries_for_loaded_projects(portfolio, django_assert_num_queries):
    projects = loaded()
    with django_assert_num_queries(0):
        exports.build_deck(projects, title="SC")
        exports.build_workbook(projects)


def test_open_conditions_are_read_when_not_prefetched(portfolio):
    project = Project.objects.get(code="X2")
    deck = Presentation(io.BytesIO(exports.build_deck([project], title="SC")))
    assert "Hire a tester" in texts(deck.slides[1])


def test_many_projects_continue_the_summary_on_further_slides(org):
    portfolio = Portfolio.objects.create(code="MPF", name="Many", domain=org.it)
    for i in range(60):
        Project.objects.create(code=f"M{i:02d}", name=f"Project {i}", portfolio=portfolio)
    projects = loaded()
    deck = Presentation(io.BytesIO(exports.build_deck(projects, title="Everything")))

    pages = math.ceil(60 / exports.SUMMARY_ROWS_PER_SLIDE)
    assert pages > 1
    slides = list(deck.slides)
    assert len(slides) == pages + 60
    listed = [row.cells[0].text for slide in slides[:pages] for row in list(table_of(slide).rows)[1:]]
    assert listed == [p.code for p in projects]
    assert "continued" in slides[1].shapes.title.text
    assert slides[pages].shapes.title.text == "M00 Project 0"


def test_clip_cuts_at_words_and_lines():
    assert exports.clip("short", 10) == "short"
    assert exports.clip("alpha beta gamma delta", 19) == "alpha beta gamma…"
    assert exports.clip("a\n\nb\nc\nd", 100, max_lines=2) == "a\nb…"
    assert exports.clip("bad\x00char", 20) == "badchar"


def test_the_workbook(portfolio):
    projects = loaded()
    calls = []
    workbook = load_workbook(io.BytesIO(exports.build_workbook(projects, progress=lambda *a: calls.append(a))))
    assert calls == [(i, 4) for i in range(1, 5)]
    assert workbook.sheetnames == ["Portfolio", "Status reports"]

    sheet = workbook["Portfolio"]
    header = [cell.value for cell in sheet[1]]
    assert header[:10] == [
        "Code",
        "Name",
        "Portfolio",
        "Programme",
        "Phase",
        "Project manager",
        "Sponsor",
        "Planned start",
        "Planned end",
        "Overall",
    ]
    assert header[10:16] == ["Schedule", "Cost", "Scope", "Risks", "Resources", "Quality"]
    assert header[16:] == ["Trend", "Period", "Report due", "Overdue", "Expected costs", "Currency"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:V{1 + len(projects)}" and sheet.max_row == 1 + len(projects)

    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"X1", "X2", "X3", "X4"}
    red, amber, green, silent = rows["X3"], rows["X2"], rows["X1"], rows["X4"]
    assert red["Overall"].value == "Red" and red["Overall"].fill.fgColor.rgb.endswith("D63939")
    assert red["Cost"].fill.fgColor.rgb.endswith("D63939") and red["Schedule"].fill.fgColor.rgb.endswith("2FB344")
    assert amber["Overall"].fill.fgColor.rgb.endswith("F59F00")
    assert silent["Overall"].value is None and silent["Period"].value is None
    assert isinstance(green["Planned start"].value, datetime) and green["Planned start"].value.date() == date(2026, 1, 1)
    assert green["Planned start"].is_date and green["Report due"].is_date
    assert isinstance(green["Expected costs"].value, float) and green["Expected costs"].value == 125000.5
    assert green["Expected costs"].number_format == "#,##0.00"
    assert green["Programme"].value == "Export programme" and green["Project manager"].value == "Norole Tester"
    assert (amber["Trend"].value, green["Trend"].value) == ("worse", None)
    assert amber["Phase"].value == "Execution" and amber["Period"].value == "2026-09-01 – 2026-09-30"
    assert (red["Overdue"].value, green["Overdue"].value) == ("yes", "no")
    assert red["Name"].value == '\'=HYPERLINK("http://evil.example")' and red["Name"].data_type == "s"

    reports = workbook["Status reports"]
    assert [cell.value for cell in reports[1]][:4] == ["Code", "Name", "Period", "Summary"]
    assert reports.freeze_panes == "A2" and reports.auto_filter.ref == "A1:H5"
    by_code = {row[0].value: row for row in reports.iter_rows(min_row=2)}
    assert by_code["X3"][6].value == DECISIONS and by_code["X3"][4].value == "'-5% costs"


def test_trend_better_and_same(portfolio):
    amber = Project.objects.get(code="X2")
    latest = report(amber, date(2026, 10, 1), previous=amber.latest_report, summary="Recovered")
    assert exports.trend(latest) == "better"
    again = report(amber, date(2026, 11, 1), previous=latest)
    assert exports.trend(again) == "same"
    assert exports.trend(None) == ""


def test_libreoffice_opens_both_files(portfolio, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        if os.environ.get("REGIE_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice conversion is required here but soffice is missing.")
        pytest.skip("LibreOffice (soffice) is not installed, so the files cannot be converted to PDF here")
    projects = loaded()
    files = {"deck.pptx": exports.build_deck(projects, title="SC"), "portfolio.xlsx": exports.build_workbook(projects)}
    for name, data in files.items():
        source = tmp_path / name
        source.write_bytes(data)
        subprocess.run(
            [
                office,
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path / "pdf"),
                str(source),
            ],
            check=True,
            timeout=240,
            capture_output=True,
        )
        pdf = tmp_path / "pdf" / (source.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 0
        assert pdf.read_bytes().startswith(b"%PDF")
