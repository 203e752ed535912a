"""Exports and imports as background jobs, from the page and the API: the file comes back through the
job, only to the person who asked for it."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pptx import Presentation

from regie.core import jobs
from regie.core.models import Job
from regie.portfolio.models import Portfolio, Project, StatusReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(org):
    portfolio = Portfolio.objects.create(code="XPF", name="Export portfolio", domain=org.it)
    made = []
    for code, overall in (("X1", "red"), ("X2", "green"), ("X3", "amber")):
        project = Project.objects.create(code=code, name=f"Export {code}", portfolio=portfolio)
        rationale = "" if overall == "green" else "Because"
        report = StatusReport.objects.create(
            project=project,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            state="submitted",
            overall=overall,
            overall_rationale=rationale,
            decisions_needed=f"Decide on {code}",
        )
        Project.objects.filter(pk=project.pk).update(latest_report=report, health=overall)
        made.append(project)
    return portfolio, made


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def test_the_deck_from_the_overview_page(org, projects):
    client = org.client_for("pmo_it")
    response = client.post("/portfolio-overview/?rag=red", {"kind": "deck"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get()
    assert job.task == "portfolio.export" and job.arguments["filters"]["rag"] == "red"
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/download/" in page
    deck = Presentation(io.BytesIO(_download(client, f"/jobs/{job.pk}/download/")))
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "X1" in text and "X2" not in text
    # Nobody else gets the file.
    assert org.client_for("portfolio_manager_it").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_workbook_through_the_api(org, projects):
    client = org.client_for("portfolio_manager_it")
    response = client.post("/api/portfolio-overview/exports", json.dumps({"kind": "workbook"}), content_type="application/json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    jobs.run_pending()
    state = client.get(f"/api/jobs/{job_id}").json()
    assert state["status"] == "succeeded" and state["result"]["projects"] == 3
    book = openpyxl.load_workbook(io.BytesIO(_download(client, f"/api/jobs/{job_id}/file")))
    codes = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert codes == ["X1", "X2", "X3"]


def test_exports_need_the_export_action(org, projects):
    response = org.client_for("member_it").post(
        "/api/portfolio-overview/exports", json.dumps({"kind": "deck"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert org.client_for("member_it").post("/portfolio-overview/", {"kind": "deck"}).status_code == 302
    assert not Job.objects.exists()


def test_an_export_with_nothing_to_show_fails_clearly(org, projects):
    client = org.client_for("pmo_it")
    client.post("/portfolio-overview/?q=nothing-matches", {"kind": "workbook"})
    jobs.run_pending()
    job = Job.objects.get()
    assert job.status == "failed" and "No projects match" in client.get(f"/api/jobs/{job.pk}").json()["error"]


def test_importing_projects_from_the_page(org, projects):
    client = org.client_for("portfolio_manager_it")
    assert client.get("/projects/import/").status_code == 200
    wrong = client.post("/projects/import/", {"file": SimpleUploadedFile("projects.txt", b"code,name\n")})
    assert wrong.status_code == 400 and "Upload a .csv or .xlsx file." in wrong.content.decode()
    sheet = "code,name,portfolio,planned_start,planned_end\nI-1,Imported one,XPF,2027-01-04,2027-06-30\n"
    response = client.post("/projects/import/", {"file": SimpleUploadedFile("projects.csv", sheet.encode())})
    assert response.status_code == 302
    jobs.run_pending()
    assert Job.objects.get(task="portfolio.import_projects").status == "succeeded"
    assert Project.objects.get(code="I-1").planned_end == date(2027, 6, 30)
    assert org.client_for("member_it").get("/projects/import/").status_code == 403


def test_importing_projects_through_the_api(org, projects):
    client = org.client_for("pmo_it")
    bad = "code,name,portefeuille,budget\nI-2,Two,XPF,100\n"
    response = client.post("/api/projects/import", {"file": SimpleUploadedFile("p.csv", bad.encode())})
    assert response.status_code == 202, response.content
    jobs.run_pending()
    state = client.get(response.json()["url"]).json()
    assert state["status"] == "failed"
    assert any(e["column"] == "budget" for e in state["result"]["errors"])
    assert not Project.objects.filter(code="I-2").exists()
