"""Importing projects from CSV and Excel: all or nothing, each problem named by row and column."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openpyxl import Workbook

from regie.core import jobs
from regie.core.models import Job, JobStatus, RoleAssignment
from regie.core.sheets import ImportRejected, read_sheet
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.portfolio.importing import parse_amount, parse_date, project_import
from regie.portfolio.models import LifecycleModel, Phase, Portfolio, Programme, Project

pytestmark = pytest.mark.django_db

HEADER = (
    "code,name,goal,portfolio,programme,sponsor,project_manager,pmo_officers,steering_committee,"
    "planned_start,planned_end,lifecycle,reporting_frequency,expected_costs,currency,expected_benefits,strategic_contribution"
)


@pytest.fixture
def setup(org):
    lifecycle = LifecycleModel.objects.create(code="STD", name="Standard")
    phases = [Phase.objects.create(lifecycle=lifecycle, order=i, name=name) for i, name in enumerate(["Idea", "Build"], 1)]
    it = Portfolio.objects.create(code="ITPF", name="IT portfolio", domain=org.it)
    it_two = Portfolio.objects.create(code="ITPF2", name="Second IT portfolio", domain=org.it)
    hr = Portfolio.objects.create(code="HRPF", name="HR portfolio", domain=org.hr)
    programme = Programme.objects.create(code="PG1", name="Cloud", portfolio=it)
    hr_programme = Programme.objects.create(code="PGHR", name="People", portfolio=hr)
    people = {
        name: PersonFactory(email=f"{name}@example.org", given_name=name.capitalize()) for name in ("ada", "bo", "cy", "di")
    }
    return {
        "lifecycle": lifecycle,
        "phases": phases,
        "it": it,
        "it_two": it_two,
        "hr": hr,
        "programme": programme,
        "hr_programme": hr_programme,
        "people": people,
    }


def _rows(text: str) -> list[dict[str, str]]:
    return read_sheet(text.encode(), "projects.csv")[1]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problems(rejected: pytest.ExceptionInfo[ImportRejected]) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in rejected.value.errors}


def _run_job(user, content: bytes, filename: str) -> tuple[Job, str]:
    path = default_storage.save(f"imports/test-{filename}", ContentFile(content))
    job = jobs.enqueue("portfolio.import_projects", label="Import", requested_by=user, path=path, filename=filename)
    jobs.run_pending()
    job.refresh_from_db()
    return job, path


def test_a_good_csv_creates_every_project_with_all_fields(org, setup):
    actor = org.users["portfolio_manager_it"]
    content = (
        HEADER + "\n"
        "P-1,Cloud move,Move to the cloud,itpf,pg1,ADA@example.org,bo@example.org,cy@example.org;di@example.org,"
        '"ada@example.org, di@example.org",2025-01-15,31-12-2025,std,fortnightly,"1.234,50",sek,Lower costs,Resilience\n'
        "P-2,Small one,,ITPF,,,,,,,,,,1234.50,,,\n"
    )
    projects = project_import(actor=actor, rows=_rows(content))
    assert [p.code for p in projects] == ["P-1", "P-2"]
    one = Project.objects.get(code="P-1")
    people = setup["people"]
    assert one.name == "Cloud move" and one.goal == "Move to the cloud"
    assert one.portfolio == setup["it"] and one.programme == setup["programme"]
    assert one.sponsor == people["ada"] and one.project_manager == people["bo"]
    assert set(one.pmo_officers.all()) == {people["cy"], people["di"]}
    assert set(one.steering_committee.all()) == {people["ada"], people["di"]}
    assert one.planned_start == date(2025, 1, 15) and one.planned_end == date(2025, 12, 31)
    assert one.lifecycle == setup["lifecycle"] and one.current_phase == setup["phases"][0]
    assert one.reporting_frequency == "fortnightly"
    assert one.expected_costs == Decimal("1234.50") and one.currency == "SEK"
    assert one.expected_benefits == "Lower costs" and one.strategic_contribution == "Resilience"
    assert one.history.first().history_user == actor
    assert one.scope.is_within(setup["programme"].scope)
    two = Project.objects.get(code="P-2")
    assert two.programme is None and two.lifecycle is None and two.current_phase is None
    assert two.reporting_frequency == "monthly" and two.currency == "EUR" and two.expected_costs == Decimal("1234.50")
    assert two.scope.is_within(setup["it"].scope)


def test_a_good_xlsx_with_a_real_date_cell(org, setup):
    actor = org.users["pmo_it"]
    content = _xlsx(
        [
            ["Code", "Name", "Portfolio", "Planned start", "Planned end", "Life-cycle model", "Expected costs", "PMO officers"],
            ["X-1", "Excel project", "ITPF", date(2025, 3, 1), "2025-06-30", "STD", 250000.5, "cy@example.org"],
            ["X-2", "Second", "ITPF", None, None, None, 1000, None],
        ]
    )
    _header, rows = read_sheet(content, "projects.xlsx")
    projects = project_import(actor=actor, rows=rows)
    assert len(projects) == 2
    project = Project.objects.get(code="X-1")
    assert project.planned_start == date(2025, 3, 1) and project.planned_end == date(2025, 6, 30)
    assert project.expected_costs == Decimal("250000.50")
    assert project.current_phase == setup["phases"][0]
    assert list(project.pmo_officers.all()) == [setup["people"]["cy"]]
    assert project.history.first().history_user == actor
    assert Project.objects.get(code="X-2").expected_costs == Decimal("1000")


def test_dutch_and_swedish_headers_and_values(org, setup):
    actor = org.users["portfolio_manager_it"]
    dutch = (
        "Code;Naam;Doel;Portefeuille;Programma;Opdrachtgever;Projectleider;PMO-medewerkers;Stuurgroep;"
        "Startdatum;Einddatum;Levenscyclus;Rapportagefrequentie;Verwachte kosten;Valuta\n"
        "NL-1;Nederlands;Doel;ITPF;PG1;ada@example.org;bo@example.org;cy@example.org;di@example.org;"
        "01-02-2025;2025-09-30;STD;wekelijks;1.234,50;EUR\n"
    )
    (project,) = project_import(actor=actor, rows=_rows(dutch))
    assert project.programme == setup["programme"] and project.sponsor == setup["people"]["ada"]
    assert project.planned_start == date(2025, 2, 1) and project.reporting_frequency == "weekly"
    assert project.expected_costs == Decimal("1234.50")
    assert list(project.steering_committee.all()) == [setup["people"]["di"]]
    swedish = (
        "Kod;Namn;Mål;Portfölj;Projektledare;Slutdatum;Livscykel;Rapporteringsfrekvens;Förväntade kostnader\n"
        "SE-1;Svenskt;Mål;ITPF;bo@example.org;2025-12-31;STD;varannan vecka;1 234,50\n"
        "SE-2;Till;;ITPF;;;;månadsvis;\n"
    )
    first, second = project_import(actor=actor, rows=_rows(swedish))
    assert first.reporting_frequency == "fortnightly" and first.expected_costs == Decimal("1234.50")
    assert first.planned_end == date(2025, 12, 31) and first.project_manager == setup["people"]["bo"]
    assert second.reporting_frequency == "monthly"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1 234,5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1,234", "1234"),
        ("0", "0"),
    ],
)
def test_amounts_in_english_and_continental_form(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "12,34,5", "1,2.3", "€", "1e5"])
def test_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_date_forms():
    assert parse_date("2025-03-01") == parse_date("01-03-2025") == parse_date("2025-03-01 00:00:00") == date(2025, 3, 1)
    with pytest.raises(ValueError):
        parse_date("03/32/2025")


def test_unknown_column_is_named(org, setup):
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=org.users["portfolio_manager_it"], rows=_rows("code,name,portfolio,colour\nA,B,ITPF,red\n"))
    assert rejected.value.errors[0].as_dict() == {"row": 1, "column": "colour", "message": "Unknown column(s)."}
    assert not Project.objects.exists()


def test_missing_required_column_is_named(org, setup):
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=org.users["portfolio_manager_it"], rows=_rows("code,name\nA,B\n"))
    assert _problems(rejected) == {(1, "portfolio")}
    assert "required" in rejected.value.errors[0].message
    assert not Project.objects.exists()


def test_two_headers_for_one_field_are_refused(org, setup):
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=org.users["portfolio_manager_it"], rows=_rows("code,name,naam,portfolio\nA,B,C,ITPF\n"))
    assert _problems(rejected) == {(1, "name, naam")}


def test_one_bad_row_imports_nothing_and_names_every_problem(org, setup):
    Project.objects.create(code="OLD", name="Existing", portfolio=setup["it"])
    content = (
        "code,name,portfolio,programme,sponsor,pmo_officers,planned_start,planned_end,reporting_frequency,expected_costs,currency\n"
        "OK-1,Good,ITPF,PG1,ada@example.org,cy@example.org,2025-01-01,2025-02-01,monthly,10,EUR\n"
        "BAD-DATE,Bad date,ITPF,,,,2025-13-40,,,,\n"
        "BAD-PF,Unknown portfolio,NOPE,,,,,,,,\n"
        "BAD-PG,Programme elsewhere,ITPF,PGHR,,,,,,,\n"
        "OK-1,Duplicate in sheet,ITPF,,,,,,,,\n"
        "old,Existing code,ITPF,,,,,,,,\n"
        "BAD-END,End before start,ITPF,,,,2025-05-01,2025-04-01,,,\n"
        "BAD-MAIL,Unknown person,ITPF,,nobody@example.org,cy@example.org;ghost@example.org,,,,,\n"
        "BAD-FREQ,Frequency,ITPF,,,,,,daily,,\n"
        "BAD-COST,Costs,ITPF,,,,,,,lots,\n"
        "BAD-NEG,Negative,ITPF,,,,,,,-5,\n"
        "BAD-CUR,Currency,ITPF,,,,,,,,euro\n"
        ",No code,ITPF,,,,,,,,\n"
        "bad code!,Code,ITPF,,,,,,,,\n"
        "NO-PF,No portfolio,,,,,,,,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=org.users["portfolio_manager_it"], rows=_rows(content))
    problems = _problems(rejected)
    assert problems == {
        (3, "planned_start"),
        (4, "portfolio"),
        (5, "programme"),
        (6, "code"),
        (7, "code"),
        (8, "planned_end"),
        (9, "sponsor"),
        (9, "pmo_officers"),
        (10, "reporting_frequency"),
        (11, "expected_costs"),
        (12, "expected_costs"),
        (13, "currency"),
        (14, "code"),
        (15, "code"),
        (16, "portfolio"),
    }
    messages = {(e.row, e.column): e.message for e in rejected.value.errors}
    assert messages[(4, "portfolio")] == "No portfolio with code “NOPE”."
    assert messages[(6, "code")] == "The same code is on row 2."
    assert messages[(7, "code")] == "A project with this code already exists."
    assert messages[(8, "planned_end")] == "The planned end is before the planned start."
    assert messages[(9, "sponsor")] == "No person with email address “nobody@example.org”."
    assert "ghost@example.org" in messages[(9, "pmo_officers")]
    assert "2025-13-40" in messages[(3, "planned_start")]
    assert "PGHR" in messages[(5, "programme")]
    assert Project.objects.count() == 1


def test_an_archived_project_keeps_its_code(org, setup):
    old = Project.objects.create(code="GONE", name="Archived", portfolio=setup["it"])
    Project.objects.filter(pk=old.pk).update(archived_at=old.created_at)
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=org.users["portfolio_manager_it"], rows=_rows("code,name,portfolio\ngone,Again,ITPF\n"))
    assert _problems(rejected) == {(2, "code")}


def test_archived_portfolios_and_people_are_not_matched(org, setup):
    Portfolio.objects.filter(pk=setup["it_two"].pk).update(archived_at=setup["it_two"].created_at)
    person = setup["people"]["di"]
    type(person).objects.filter(pk=person.pk).update(archived_at=person.created_at)
    with pytest.raises(ImportRejected) as rejected:
        project_import(
            actor=org.users["portfolio_manager_it"],
            rows=_rows("code,name,portfolio,sponsor\nA,One,ITPF2,\nB,Two,ITPF,di@example.org\n"),
        )
    assert _problems(rejected) == {(2, "portfolio"), (3, "sponsor")}


def test_a_member_without_the_import_action_is_refused(org, setup):
    with pytest.raises(PermissionDenied):
        project_import(actor=org.users["member_it"], rows=_rows("code,name,portfolio\nA,B,ITPF\n"))
    assert not Project.objects.exists()


def test_a_pmo_officer_imports_only_where_the_role_reaches(org, setup):
    user = UserFactory(username="pmo_one")
    person = PersonFactory(user=user)
    RoleAssignment.objects.create(person=person, role="pmo_officer", scope=setup["it"].scope)
    content = "code,name,portfolio,programme\nIN-1,Mine,ITPF,PG1\nOUT-1,Other,ITPF2,\nOUT-2,Far,HRPF,PGHR\n"
    with pytest.raises(ImportRejected) as rejected:
        project_import(actor=user, rows=_rows(content))
    messages = {(e.row, e.column): e.message for e in rejected.value.errors}
    assert messages == {
        (3, "portfolio"): "You may not add projects in this portfolio.",
        (4, "programme"): "You may not add projects in this programme.",
    }
    assert not Project.objects.exists()
    (project,) = project_import(actor=user, rows=_rows("code,name,portfolio,programme\nIN-1,Mine,ITPF,PG1\n"))
    assert project.programme == setup["programme"]


def test_progress_is_reported(org, setup):
    calls = []
    rows = _rows("code,name,portfolio\n" + "".join(f"P{i},Project {i},ITPF\n" for i in range(3)))
    project_import(actor=org.users["portfolio_manager_it"], rows=rows, progress=lambda *args: calls.append(args))
    assert calls[0] == (0, 6, "Checking row 2") and calls[-1] == (3, 6, "Saving row 2")


def test_the_job_imports_and_removes_the_file(org, setup):
    user = org.users["portfolio_manager_it"]
    content = _xlsx([["code", "name", "portfolio", "planned_start"], ["J-1", "By job", "ITPF", date(2025, 4, 1)]])
    job, path = _run_job(user, content, "projects.xlsx")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert job.result == {"created": 1, "message": "1 project imported."}
    project = Project.objects.get(code="J-1")
    assert project.planned_start == date(2025, 4, 1) and project.history.first().history_user == user
    assert not default_storage.exists(path)


def test_a_failing_job_names_the_problems_and_imports_nothing(org, setup):
    content = b"code,name,portfolio,planned_start\nJ-1,Good,ITPF,2025-01-01\nJ-2,Bad,ITPF,someday\n"
    job, path = _run_job(org.users["portfolio_manager_it"], content, "projects.csv")
    assert job.status == JobStatus.FAILED
    assert job.result == {
        "errors": [
            {
                "row": 3,
                "column": "planned_start",
                "message": "“someday” is not a date: write it as yyyy-mm-dd or dd-mm-yyyy.",
            }
        ]
    }
    assert "nothing was imported" in job.error
    assert not Project.objects.exists()
    assert not default_storage.exists(path)


def test_an_unreadable_file_fails_the_job(org, setup):
    job, path = _run_job(org.users["portfolio_manager_it"], b"not a workbook", "projects.xlsx")
    assert job.status == JobStatus.FAILED
    assert "not a valid Excel workbook" in job.result["errors"][0]["message"]
    assert not default_storage.exists(path)


def test_a_job_for_someone_without_the_import_action_fails(org, setup):
    job, path = _run_job(org.users["member_it"], b"code,name,portfolio\nA,B,ITPF\n", "projects.csv")
    assert job.status == JobStatus.FAILED and job.result["errors"][0]["message"] == "You may not import projects."
    assert not Project.objects.exists()
    assert not default_storage.exists(path)


def test_checking_costs_the_same_queries_for_many_rows(org, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(n: int) -> int:
        rows = _rows(
            "code,name,portfolio,programme,sponsor,pmo_officers,lifecycle,planned_start\n"
            + "".join(
                f"Q{i},Project {i},ITPF,PG1,ada@example.org,cy@example.org;di@example.org,STD,2025-01-01\n" for i in range(n)
            )
            + "LAST,Bad date,ITPF,,,,,someday\n"
        )
        actor = UserFactory()
        RoleAssignment.objects.create(person=PersonFactory(user=actor), role="portfolio_manager", scope=org.it.scope)
        with CaptureQueriesContext(connection) as queries, pytest.raises(ImportRejected):
            project_import(actor=actor, rows=rows)
        return len(queries)

    assert count(2) == count(40)
