"""Uploads and downloads through the pages and the API: bad files get clear answers naming the field,
every version stays downloadable under its sanitised name, lists and exports stay bounded."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from regie.engagement import services
from regie.engagement.models import Document, DocumentVersion

from .conftest import PDF, pdf_file, text_file

pytestmark = pytest.mark.django_db

BAD = [
    ("too big", SimpleUploadedFile("plan.pdf", PDF + b"x" * 5000), "", "file", "limit"),
    ("forbidden type", SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "", "file", "not accepted"),
    ("path in the name", pdf_file(), "../../etc/passwd.pdf", "filename", "contains a path"),
    ("renamed executable", SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00"), "", "file", "do not match"),
]


@override_settings(REGIE_DOCUMENT_MAX_BYTES=4096)
@pytest.mark.parametrize(("case", "upload", "filename", "field", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_uploads_through_the_api_name_the_field_and_store_nothing(register, case, upload, filename, field, words):
    client = register.client("norole")
    upload.seek(0)
    count = (Document.objects.count(), DocumentVersion.objects.count())
    response = client.post(
        "/api/documents/", {"scope": register.project.scope.pk, "title": "Bad", "file": upload, "filename": filename}
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == field and words in problem["errors"][0]["message"]
    upload.seek(0)
    document = register.fresh()
    response = client.post(
        f"/api/documents/{document.pk}/versions",
        {"file": upload, "filename": filename},
        headers={"If-Match": f'"{document.version}"'},
    )
    assert response.status_code == 422 and words in response.json()["detail"]
    assert (Document.objects.count(), DocumentVersion.objects.count()) == count


@override_settings(REGIE_DOCUMENT_MAX_BYTES=4096)
@pytest.mark.parametrize(("case", "upload", "filename", "field", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_uploads_through_the_page_show_a_clear_error(register, case, upload, filename, field, words):
    client = register.client("norole")
    upload.seek(0)
    document = register.fresh()
    response = client.post(
        f"/documents/{document.pk}/versions/", {"file": upload, "filename": filename, "version": document.version}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page and "invalid-feedback" in page
    assert register.fresh().latest_version == 1
    upload.seek(0)
    response = client.post(
        "/documents/add/",
        {"scope": register.project.scope.pk, "title": "Bad", "kind": "other", "file": upload, "filename": filename},
    )
    assert response.status_code == 400 and words in response.content.decode()
    assert not Document.objects.filter(title="Bad").exists()


def test_a_path_sent_as_the_uploaded_name_never_reaches_the_storage(register):
    """Django strips a path from the multipart file name; the stored name is generated anyway."""
    client = register.client("norole")
    document = register.fresh()
    upload = SimpleUploadedFile("notes.md", b"# v2\n")
    upload.name = "../../../../tmp/evil.md"
    response = client.post(
        f"/api/documents/{document.pk}/versions", {"file": upload}, headers={"If-Match": f'"{document.version}"'}
    )
    assert response.status_code == 201, response.content
    version = DocumentVersion.objects.get(document=document, number=2)
    assert version.original_name == "evil.md"
    assert version.file.name.startswith(f"documents/{document.pk}/2/") and ".." not in version.file.name


def test_every_version_stays_downloadable_under_its_own_name(register):
    client = register.client("member_it")
    pm = register.users["norole"]
    document = register.fresh()
    services.version_upload(
        actor=pm, document=document, upload=text_file("Plan (final).md", "# Final\n"), expected_version=document.version
    )
    first = client.get(f"/documents/{document.pk}/versions/1/download/")
    assert first.status_code == 200 and b"".join(first.streaming_content) == PDF
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    second = client.get(f"/api/documents/{document.pk}/versions/2/file")
    assert b"".join(second.streaming_content) == b"# Final\n"
    assert second["Content-Disposition"] == 'attachment; filename="Plan_final.md"'
    assert client.get(f"/documents/{document.pk}/versions/3/download/").status_code == 404
    assert client.get(f"/api/documents/{document.pk}/versions/3/file").status_code == 404
    versions = client.get(f"/api/documents/{document.pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    # the storage's own address is never shown
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "/media/" not in page and DocumentVersion.objects.get(document=document, number=1).file.name not in page
    kinds = [e["kind"] for e in client.get(f"/api/documents/{document.pk}/trail").json()]
    assert kinds[:2] == ["downloaded", "downloaded"]


def test_an_outsider_cannot_download(register):
    document = register.fresh()
    for who in ("member_a", "manager_a"):
        client = register.client(who)
        assert client.get(f"/documents/{document.pk}/versions/1/download/").status_code == 404
        assert client.get(f"/api/documents/{document.pk}/versions/1/file").status_code == 404
    assert register.client("anonymous").get(f"/api/documents/{document.pk}/versions/1/file").status_code == 401


def test_the_api_flow_from_upload_to_approval(register):
    pm, approver = register.client("norole"), register.client("approver")
    created = pm.post(
        "/api/documents/",
        {
            "scope": register.project.scope.pk,
            "title": "Design",
            "kind": "design",
            "approvers": [register.person("approver").pk, register.person("steering").pk],
            "file": pdf_file("design.pdf"),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert sorted(created.json()["approver_ids"]) == sorted([register.person("approver").pk, register.person("steering").pk])
    submitted = pm.post(f"/api/documents/{pk}/submit", headers={"If-Match": created["ETag"]})
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    stale = pm.post(f"/api/documents/{pk}/withdraw", headers={"If-Match": created["ETag"]})
    assert stale.status_code == 409
    for client in (approver, register.client("steering")):
        response = client.post(
            f"/api/documents/{pk}/reviews",
            json.dumps({"verdict": "approve", "version_number": 1}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    document = pm.get(f"/api/documents/{pk}").json()
    assert (document["status"], document["approved_version"]) == ("approved", 1)
    assert document["versions"][0]["approved_at"] is not None
    reviews = pm.get(f"/api/documents/{pk}/reviews").json()
    assert [r["verdict"] for r in reviews] == ["approve", "approve"]
    twice = approver.post(f"/api/documents/{pk}/reviews", json.dumps({"verdict": "approve"}), content_type="application/json")
    assert twice.status_code == 422


def test_unknown_people_and_unknown_fields_are_named(register):
    client = register.client("norole")
    response = client.post("/api/documents/", {"scope": register.project.scope.pk, "title": "X", "approvers": [999999]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "approvers"
    response = client.post("/api/documents/", {"scope": register.project.scope.pk, "title": "X", "colour": "red"})
    assert response.status_code == 422 and "colour" in response.json()["detail"]
    document = register.fresh()
    response = client.patch(
        f"/api/documents/{document.pk}",
        json.dumps({"approvers": [register.person("norole").pk]}),
        content_type="application/json",
        headers={"If-Match": f'"{document.version}"'},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "approvers"


def test_the_register_filters_by_scope_and_below(register):
    pm = register.users["norole"]
    services.document_create(actor=register.users["pmo_it"], scope=register.org.it.scope, title="Domain handbook")
    client = register.client("member_it")
    project_scope, domain_scope = register.project.scope.pk, register.org.it.scope.pk
    titles = {d["title"] for d in client.get("/api/documents/", {"scope_id": domain_scope}).json()["items"]}
    assert titles == {"Domain handbook"}
    titles = {d["title"] for d in client.get("/api/documents/", {"within": domain_scope}).json()["items"]}
    assert titles == {"Domain handbook", "Plan"}
    page = client.get("/documents/", {"scope": project_scope}).content.decode()
    assert "Plan" in page and "Domain handbook" not in page
    assert services.may_add(pm, register.project.scope)


def test_register_list_and_api_list_use_a_fixed_number_of_queries(register):
    pm = register.users["norole"]
    people = [register.person("approver"), register.person("reviewer"), register.person("steering")]
    for n in range(25):
        services.document_create(
            actor=pm, scope=register.project.scope, title=f"Doc {n}", reviewers=people[1:], approvers=people[:1]
        )
    for who in ("member_it", "steering"):
        client = register.client(who)
        counts = []
        for limit in (5, 25):
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/api/documents/", {"limit": limit}).status_code == 200
            counts.append(len(captured.captured_queries))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/documents/", {"per_page": 25}).status_code == 200
        small = len(captured.captured_queries)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/documents/", {"per_page": 100}).status_code == 200
        assert counts[0] == counts[1] and small == len(captured.captured_queries), (who, counts)


def test_the_audit_trail_exports_as_csv_and_excel(register):
    from openpyxl import load_workbook

    client = register.client("member_it")
    document = register.fresh()
    csv = client.get(f"/documents/{document.pk}/trail/", {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and "attachment" in csv["Content-Disposition"]
    text = csv.content.decode()
    assert "registered" in text and "new version uploaded" in text and "Norole Tester" in text
    xlsx = client.get(f"/documents/{document.pk}/trail/", {"export": "xlsx"})
    values = {str(c.value) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row}
    assert "plan.pdf" in values
    assert register.client("member_a").get(f"/documents/{document.pk}/trail/", {"export": "csv"}).status_code == 404


def test_the_demo_documents_load_twice_without_change(db):
    from regie.core.demo import load_demo

    load_demo(lambda _line: None)
    count = (Document.objects.count(), DocumentVersion.objects.count())
    load_demo(lambda _line: None)
    assert (Document.objects.count(), DocumentVersion.objects.count()) == count
    plan = Document.objects.get(reference="P-001-PLAN")
    assert (plan.status, plan.approved_version, plan.latest_version) == ("approved", 2, 2)
    case = Document.objects.get(reference="P-001-BC")
    assert case.status == "in_review"
    from regie.core.models import Person
    from regie.engagement import selectors

    ingrid = Person.objects.get(email="ingrid.svensson@northbridge.example")
    assert case in selectors.waiting_for(ingrid.user)
    version = plan.versions.get(number=2)
    assert version.file.open("rb").read().startswith(b"%PDF-")
