"""Importing people from CSV and Excel: all or nothing, each problem named by row and column."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from regie.core import jobs
from regie.core.models import Job, JobStatus, Person

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, name, content):
    response = client.post("/people/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    jobs.run_pending()
    return Job.objects.latest("id")


def test_csv_import_creates_everyone(org):
    client = org.client_for("manager_a")
    content = (
        b"given_name,family_name,email,org_unit,job_profile,language\n"
        b"Ada,Lovelace,ada@example.org,A,DEV,en\n"
        b"Alan,Turing,alan@example.org,a1,,sv\n"
    )
    job = _upload(client, "people.csv", content)
    assert job.status == JobStatus.SUCCEEDED, job.result
    ada = Person.objects.get(email="ada@example.org")
    assert ada.org_unit == org.unit_a and ada.job_profile == org.profile
    assert Person.objects.get(email="alan@example.org").org_unit == org.unit_a_sub
    assert ada.history.first().history_user == org.users["manager_a"]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "2 people imported" in page


def test_excel_import_with_dutch_headers_and_semicolons_in_csv(org):
    client = org.client_for("manager_a")
    content = _xlsx([["Voornaam", "Achternaam", "E-mail", "Afdeling"], ["Els", "Bakker", "els@example.org", "A"]])
    assert _upload(client, "mensen.xlsx", content).status == JobStatus.SUCCEEDED
    assert Person.objects.filter(email="els@example.org").exists()
    semicolons = b"given_name;family_name;org_unit\nPer;Olsson;A\n"
    assert _upload(client, "semi.csv", semicolons).status == JobStatus.SUCCEEDED
    assert Person.objects.filter(family_name="Olsson").exists()


def test_one_bad_row_imports_nothing_and_names_every_problem(org):
    client = org.client_for("manager_a")
    before = Person.objects.count()
    content = (
        b"given_name,family_name,email,org_unit,language\n"
        b"Good,Row,good@example.org,A,en\n"
        b",Nameless,nameless@example.org,A,en\n"
        b"Bad,Email,not-an-email,A,en\n"
        b"Wrong,Unit,wrong@example.org,NOPE,en\n"
        b"Dup,Licate,good@example.org,A,en\n"
        b"Bad,Language,lang@example.org,A,fr\n"
        b"Out,Side,out@example.org,B,en\n"
    )
    job = _upload(client, "people.csv", content)
    assert job.status == JobStatus.FAILED
    problems = {(e["row"], e["column"]) for e in job.result["errors"]}
    assert {
        (3, "given_name"),
        (4, "email"),
        (5, "org_unit"),
        (6, "email"),
        (7, "language"),
        (8, "org_unit"),
    } <= problems
    assert not any(row == 2 for row, _ in problems)
    assert Person.objects.count() == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="import-errors"' in page and "NOPE" in page


def test_existing_email_is_refused(org):
    client = org.client_for("manager_a")
    content = f"given_name,family_name,email,org_unit\nX,Y,{org.person_a.email},A\n".encode()
    job = _upload(client, "people.csv", content)
    assert job.status == JobStatus.FAILED
    assert job.result["errors"][0] == {
        "row": 2,
        "column": "email",
        "message": "A person with this email address already exists.",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.xlsx", b"this is not a zip", "not a valid Excel workbook"),
        ("people.csv", b"\n \n", "empty"),
        ("people.csv", b"colour,size\nred,4\n", "Unknown column"),
        ("people.csv", b"\xff\xfe\x00\x00garbage\x81\x8d", "not text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(org, name, content, message):
    client = org.client_for("manager_a")
    before = Person.objects.count()
    job = _upload(client, name, content)
    assert job.status == JobStatus.FAILED
    text = job.error + " " + " ".join(e["message"] + " " + e["column"] for e in job.result["errors"])
    assert message in text
    assert Person.objects.count() == before


def test_wrong_file_type_is_refused_by_the_form(org):
    client = org.client_for("manager_a")
    response = client.post("/people/import/", {"file": SimpleUploadedFile("people.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and ".csv or .xlsx" in response.content.decode()
    assert not Job.objects.exists()


def test_import_needs_the_import_action(org):
    assert org.client_for("member_all").get("/people/import/").status_code == 403
