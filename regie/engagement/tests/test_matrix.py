"""Who may do what with a project's documents, through the pages and through the API.

See ``conftest.py`` for the people: the project manager ``norole`` wrote the documents (and is named as
reviewer), ``approver`` and ``reviewer`` are named on them without any role, ``steering`` sits on the
project's steering committee, ``member_it`` is its sponsor and a member of IT, ``pmo_it`` is its PMO
officer and holds the PMO officer role on IT; ``member_a`` and ``manager_a`` hold roles elsewhere.
"""

from __future__ import annotations

import json

import pytest

from regie.engagement import services
from regie.engagement.models import Document, DocumentReview

from .conftest import PDF, pdf_file, text_file

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "download", "add", "change", "upload", "submit", "review", "approve", "archive")
# fmt: off
MATRIX = {
    #                        view dl  add chg upl sub rev apr arch
    "anonymous":            (0,   0,  0,  0,  0,  0,  0,  0,  0),
    "norole":               (1,   1,  1,  1,  1,  1,  1,  0,  0),
    "member_a":             (0,   0,  0,  0,  0,  0,  0,  0,  0),
    "manager_a":            (0,   0,  0,  0,  0,  0,  0,  0,  0),
    "member_it":            (1,   1,  0,  0,  0,  0,  0,  0,  0),
    "member_all":           (1,   1,  0,  0,  0,  0,  0,  0,  0),
    "steering":             (1,   1,  0,  0,  0,  0,  0,  0,  0),
    "pmo_it":               (1,   1,  1,  1,  1,  1,  0,  0,  1),
    "portfolio_manager_it": (1,   1,  1,  1,  1,  1,  0,  0,  1),
    "administrator":        (1,   1,  1,  1,  1,  1,  0,  0,  1),
    "approver":             (1,   1,  0,  0,  0,  0,  1,  1,  0),
    "reviewer":             (1,   1,  0,  0,  0,  0,  1,  0,  0),
}
# fmt: on
CASES = [(who, action, allowed[i]) for who, allowed in MATRIX.items() for i, action in enumerate(ACTIONS)]


@pytest.fixture
def docs(register):
    pm = register.users["norole"]
    in_review = services.document_create(
        actor=pm,
        scope=register.project.scope,
        title="Business case",
        reviewers=[register.person("reviewer"), register.person("norole")],
        approvers=[register.person("approver")],
        upload=pdf_file("case.pdf"),
    )
    in_review = services.document_submit(actor=pm, document=in_review, expected_version=in_review.version)
    return register, register.fresh(), Document.objects.get(pk=in_review.pk)


def _ui(client, action, register, draft, review):
    if action == "view":
        return client.get(f"/documents/{draft.pk}/").status_code == 200
    if action == "download":
        response = client.get(f"/documents/{draft.pk}/versions/1/download/")
        return response.status_code == 200 and b"".join(response.streaming_content) == PDF
    if action == "add":
        client.post(
            "/documents/add/", {"scope": register.project.scope.pk, "title": "Added", "kind": "minutes", "file": pdf_file()}
        )
        return Document.objects.filter(title="Added").exists()
    if action == "change":
        client.post(f"/documents/{draft.pk}/edit/", {"title": "Changed", "kind": "design", "version": draft.version})
        return Document.objects.get(pk=draft.pk).title == "Changed"
    if action == "upload":
        client.post(f"/documents/{draft.pk}/versions/", {"file": text_file(), "version": draft.version})
        return Document.objects.get(pk=draft.pk).latest_version == 2
    if action == "submit":
        client.post(f"/documents/{draft.pk}/submit/", {"version": draft.version})
        return Document.objects.get(pk=draft.pk).status == "in_review"
    if action == "review":
        client.post(f"/documents/{review.pk}/review/", {"verdict": "comment", "comment": "Noted", "version_number": 1})
        return DocumentReview.objects.filter(document=review, comment="Noted").exists()
    if action == "approve":
        client.post(f"/documents/{review.pk}/review/", {"verdict": "approve", "version_number": 1})
        return Document.objects.get(pk=review.pk).status == "approved"
    if action == "archive":
        client.post(f"/documents/{draft.pk}/archive/", {"version": draft.version})
        return Document.objects.get(pk=draft.pk).archived_at is not None
    raise AssertionError(action)


def _api(client, action, register, draft, review):
    etag = {"If-Match": f'"{draft.version}"'}
    if action == "view":
        return client.get(f"/api/documents/{draft.pk}").status_code == 200
    if action == "download":
        response = client.get(f"/api/documents/{draft.pk}/versions/1/file")
        return response.status_code == 200 and b"".join(response.streaming_content) == PDF
    if action == "add":
        response = client.post("/api/documents/", {"scope": register.project.scope.pk, "title": "Added", "file": pdf_file()})
        assert (response.status_code == 201) == Document.objects.filter(title="Added").exists()
        return response.status_code == 201
    if action == "change":
        body = json.dumps({"title": "Changed"})
        return client.patch(f"/api/documents/{draft.pk}", body, content_type="application/json", headers=etag).status_code == 200
    if action == "upload":
        response = client.post(f"/api/documents/{draft.pk}/versions", {"file": text_file()}, headers=etag)
        assert (response.status_code == 201) == (Document.objects.get(pk=draft.pk).latest_version == 2)
        return response.status_code == 201
    if action == "submit":
        return client.post(f"/api/documents/{draft.pk}/submit", headers=etag).status_code == 200
    if action == "review":
        body = json.dumps({"verdict": "comment", "comment": "Noted", "version_number": 1})
        return client.post(f"/api/documents/{review.pk}/reviews", body, content_type="application/json").status_code == 201
    if action == "approve":
        body = json.dumps({"verdict": "approve", "version_number": 1})
        client.post(f"/api/documents/{review.pk}/reviews", body, content_type="application/json")
        return Document.objects.get(pk=review.pk).status == "approved"
    if action == "archive":
        return client.post(f"/api/documents/{draft.pk}/archive", headers=etag).status_code == 200
    raise AssertionError(action)


@pytest.mark.parametrize(("who", "action", "allowed"), CASES)
@pytest.mark.parametrize("channel", ["api", "ui"])
def test_permission_matrix(docs, who, action, allowed, channel):
    register, draft, review = docs
    attempt = _api if channel == "api" else _ui
    assert attempt(register.client(who), action, register, draft, review) == bool(allowed)


def test_the_author_is_told_they_cannot_approve_through_the_page_and_the_api(docs):
    register, _draft, review = docs
    client = register.client("norole")
    page = client.get(f"/documents/{review.pk}/").content.decode()
    assert 'id="review-card"' in page and 'value="approve"' not in page
    assert "You wrote this version" in page
    response = client.post(f"/documents/{review.pk}/review/", {"verdict": "approve", "version_number": 1})
    assert response.status_code == 400 and "The author of a document cannot approve it." in response.content.decode()
    body = json.dumps({"verdict": "approve", "version_number": 1})
    response = client.post(f"/api/documents/{review.pk}/reviews", body, content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "author" in response.json()["detail"]
    assert not DocumentReview.objects.filter(document=review, verdict="approve").exists()
    assert Document.objects.get(pk=review.pk).status == "in_review"


def test_the_buttons_follow_the_rules(docs):
    register, draft, review = docs
    approver_page = register.client("approver").get(f"/documents/{review.pk}/").content.decode()
    assert 'value="approve"' in approver_page and 'id="upload-form"' not in approver_page
    pmo_draft = register.client("pmo_it").get(f"/documents/{draft.pk}/").content.decode()
    assert 'id="submit-document"' in pmo_draft and 'id="upload-form"' in pmo_draft
    pmo_review = register.client("pmo_it").get(f"/documents/{review.pk}/").content.decode()
    assert 'id="review-card"' not in pmo_review and 'id="withdraw-document"' in pmo_review
    sponsor = register.client("member_it").get(f"/documents/{draft.pk}/").content.decode()
    assert 'id="edit-button"' not in sponsor and 'id="download-v1"' in sponsor


def test_the_project_page_lists_its_documents_for_the_people_named_on_it(docs):
    register, draft, review = docs
    page = register.client("steering").get(f"/projects/{register.project.pk}/").content.decode()
    assert 'id="project-documents"' in page and draft.get_absolute_url() in page and review.get_absolute_url() in page
    assert 'id="add-document"' not in page
    assert 'id="add-document"' in register.client("norole").get(f"/projects/{register.project.pk}/").content.decode()


def test_my_work_lists_the_documents_waiting_for_me(docs):
    register, _draft, review = docs
    page = register.client("approver").get("/my-work/").content.decode()
    assert "Documents waiting for my review or approval" in page and review.get_absolute_url() in page
    assert "to approve" in page
    assert review.get_absolute_url() in register.client("reviewer").get("/my-work/").content.decode()
    services.document_review(actor=register.users["approver"], document=review, verdict="reject", comment="Add the risks")
    assert review.get_absolute_url() not in register.client("approver").get("/my-work/").content.decode()
    author = register.client("norole").get("/my-work/").content.decode()
    assert "My documents sent back" in author and review.get_absolute_url() in author
