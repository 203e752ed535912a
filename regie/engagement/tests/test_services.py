"""The register's rules, called directly: versions, review and approval, the author never approving,
superseding, and every kind of bad upload refused with nothing stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from regie.core.services import StaleWrite
from regie.engagement import files, services
from regie.engagement.models import Document, DocumentEvent, DocumentReview, DocumentVersion

from .conftest import PDF, pdf_file, send_for_review, text_file

pytestmark = pytest.mark.django_db


def _stored_names(document: Document) -> list[str]:
    return list(DocumentVersion.objects.filter(document=document).values_list("file", flat=True))


def test_a_registered_document_keeps_its_first_version_under_a_generated_name(register):
    document = register.fresh()
    version = document.versions.get()
    assert (document.status, document.latest_version, document.author) == ("draft", 1, register.person("norole"))
    assert document.project == register.project
    assert version.original_name == "plan.pdf" and version.size == len(PDF) and version.content_type == "application/pdf"
    assert version.file.name.startswith(f"documents/{document.pk}/1/") and version.file.name.endswith(".pdf")
    assert "plan" not in version.file.name
    assert default_storage.open(version.file.name).read() == PDF
    import hashlib

    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert [e.kind for e in document.events.order_by("id")] == ["created", "uploaded"]


def test_every_upload_is_a_new_version_and_the_old_ones_stay(register):
    actor = register.users["norole"]
    document = register.fresh()
    services.version_upload(actor=actor, document=document, upload=text_file(), expected_version=document.version)
    document = register.fresh()
    services.version_upload(
        actor=actor, document=document, upload=pdf_file("plan v3.pdf", b"%three"), expected_version=document.version
    )
    document = register.fresh()
    assert document.latest_version == 3
    versions = {v.number: v for v in document.versions.all()}
    assert sorted(versions) == [1, 2, 3]
    assert default_storage.open(versions[1].file.name).read() == PDF
    assert default_storage.open(versions[2].file.name).read() == b"# Notes\n\nAgreed.\n"
    assert versions[3].original_name == "plan_v3.pdf"  # display text made safe


def test_an_identical_file_is_not_a_new_version(register):
    document = register.fresh()
    with pytest.raises(ValidationError) as error:
        services.version_upload(actor=register.users["norole"], document=document, upload=pdf_file(), expected_version=None)
    assert "identical to version 1" in str(error.value.message_dict["file"])
    assert register.fresh().latest_version == 1


def test_a_stale_upload_is_refused_and_stores_nothing(register):
    document = register.fresh()
    with pytest.raises(StaleWrite):
        services.version_upload(
            actor=register.users["norole"], document=document, upload=text_file(), expected_version=document.version - 1
        )
    assert register.fresh().latest_version == 1
    assert len(_stored_names(document)) == 1


def test_approval_needs_every_approver_and_marks_the_approved_version(register):
    second = register.users["steering"].person
    document = register.fresh()
    services.document_update(
        actor=register.users["norole"],
        document=document,
        data={"approvers": [register.person("approver"), second]},
        expected_version=document.version,
    )
    document = send_for_review(register)
    assert (document.status, document.review_round) == ("in_review", 1)
    services.document_review(actor=register.users["approver"], document=document, verdict="approve")
    assert register.fresh().status == "in_review"  # one of two approvers
    services.document_review(actor=register.users["reviewer"], document=document, verdict="approve", comment="Fine")
    assert register.fresh().status == "in_review"  # a reviewer's approval is advice, not a decision
    services.document_review(actor=register.users["steering"], document=document, verdict="approve")
    document = register.fresh()
    assert (document.status, document.approved_version) == ("approved", 1)
    assert document.versions.get(number=1).approved_at is not None
    assert "approved" in [e.kind for e in document.events.all()]


def test_the_author_can_never_approve(register):
    document = send_for_review(register)
    with pytest.raises(PermissionDenied, match="author"):
        services.document_review(actor=register.users["norole"], document=document, verdict="approve")
    assert not DocumentReview.objects.filter(verdict="approve").exists()
    # ... but may comment, as the reviewer they are named as.
    services.document_review(actor=register.users["norole"], document=document, verdict="comment", comment="Typo on page 2")
    assert register.fresh().status == "in_review"


def test_the_author_cannot_be_named_approver(register):
    document = register.fresh()
    with pytest.raises(ValidationError) as error:
        services.document_update(
            actor=register.users["norole"],
            document=document,
            data={"approvers": [register.person("norole")]},
            expected_version=document.version,
        )
    assert "approvers" in error.value.message_dict


def test_the_uploader_of_the_version_cannot_approve_it(register):
    """The PMO officer is named approver, then uploads the next version: that version needs someone else."""
    pmo = register.users["pmo_it"]
    document = register.fresh()
    services.document_update(
        actor=pmo, document=document, data={"approvers": [register.person("pmo_it")]}, expected_version=document.version
    )
    document = register.fresh()
    services.version_upload(actor=pmo, document=document, upload=text_file(), expected_version=document.version)
    document = register.fresh()
    with pytest.raises(ValidationError) as error:
        services.document_submit(actor=pmo, document=document, expected_version=document.version)
    assert "cannot approve" in str(error.value.message_dict["approvers"])
    # Even if it got into review another way, the approval is refused.
    Document.objects.filter(pk=document.pk).update(status="in_review", review_round=1)
    with pytest.raises(PermissionDenied):
        services.document_review(actor=pmo, document=register.fresh(), verdict="approve")
    assert register.fresh().status == "in_review"


def test_only_named_people_review(register):
    document = send_for_review(register)
    for who in ("pmo_it", "administrator", "member_it", "steering"):
        with pytest.raises(PermissionDenied):
            services.document_review(actor=register.users[who], document=document, verdict="approve")
    assert register.fresh().status == "in_review"


def test_a_rejection_sends_the_document_back_to_draft_with_a_reason(register):
    document = send_for_review(register)
    with pytest.raises(ValidationError) as error:
        services.document_review(actor=register.users["approver"], document=document, verdict="reject")
    assert "comment" in error.value.message_dict
    services.document_review(actor=register.users["approver"], document=document, verdict="reject", comment="Add the budget")
    document = register.fresh()
    assert (document.status, document.approved_version) == ("draft", None)
    # a new round starts afresh, and one verdict per person per round
    document = send_for_review(register)
    services.document_review(actor=register.users["approver"], document=document, verdict="approve")
    with pytest.raises(ValidationError):
        services.document_review(actor=register.users["approver"], document=register.fresh(), verdict="approve")
    assert register.fresh().status == "approved"


def test_a_verdict_on_an_older_version_is_refused(register):
    document = send_for_review(register)
    with pytest.raises(ValidationError) as error:
        services.document_review(actor=register.users["approver"], document=document, verdict="approve", version_number=7)
    assert "version_number" in error.value.message_dict


def test_a_new_version_of_an_approved_document_is_a_draft_and_the_approved_one_stays(register):
    document = send_for_review(register)
    services.document_review(actor=register.users["approver"], document=document, verdict="approve")
    document = register.fresh()
    services.version_upload(
        actor=register.users["norole"], document=document, upload=text_file(), expected_version=document.version
    )
    document = register.fresh()
    assert (document.status, document.latest_version, document.approved_version) == ("draft", 2, 1)
    assert document.versions.get(number=1).approved_at is not None


def test_uploading_during_review_ends_the_round(register):
    document = send_for_review(register)
    services.version_upload(
        actor=register.users["norole"], document=document, upload=text_file(), expected_version=document.version
    )
    assert register.fresh().status == "draft"


def test_names_cannot_change_during_review(register):
    document = send_for_review(register)
    with pytest.raises(ValidationError):
        services.document_update(
            actor=register.users["norole"], document=document, data={"approvers": []}, expected_version=document.version
        )
    document = services.document_withdraw(actor=register.users["norole"], document=document, expected_version=document.version)
    assert document.status == "draft"


def test_submitting_needs_a_file_and_an_approver(register):
    pm = register.users["norole"]
    empty = services.document_create(
        actor=pm, scope=register.project.scope, title="Empty", approvers=[register.person("approver")]
    )
    with pytest.raises(ValidationError) as error:
        services.document_submit(actor=pm, document=empty, expected_version=empty.version)
    assert "file" in error.value.message_dict
    nobody = services.document_create(actor=pm, scope=register.project.scope, title="Nobody", upload=text_file())
    with pytest.raises(ValidationError) as error:
        services.document_submit(actor=pm, document=nobody, expected_version=nobody.version)
    assert "approvers" in error.value.message_dict


def test_a_superseded_document_is_read_only(register):
    pm = register.users["norole"]
    newer = services.document_create(actor=pm, scope=register.project.scope, title="Plan 2027", upload=text_file())
    document = register.fresh()
    services.document_supersede(actor=pm, document=document, by=newer, expected_version=document.version)
    document = register.fresh()
    assert (document.status, document.superseded_by) == ("superseded", newer)
    with pytest.raises(ValidationError):
        services.version_upload(actor=pm, document=document, upload=text_file(), expected_version=document.version)
    with pytest.raises(ValidationError):
        services.document_update(actor=pm, document=document, data={"title": "x"}, expected_version=document.version)
    with pytest.raises(ValidationError):
        services.document_submit(actor=pm, document=document, expected_version=document.version)
    version, handle = services.version_open(actor=pm, document=document, number=1)
    assert handle.read() == PDF  # still downloadable


def test_adding_follows_roles_and_named_project_people(register):
    scope = register.project.scope
    assert services.may_add(register.users["norole"], scope)  # project manager, no role
    assert services.may_add(register.users["pmo_it"], scope)  # role on IT, and named
    assert services.may_add(register.users["portfolio_manager_it"], scope)
    assert not services.may_add(register.users["steering"], scope)
    assert not services.may_add(register.users["member_it"], scope)
    assert not services.may_add(register.users["norole"], register.other_project.scope)
    assert not services.may_add(register.users["administrator"], register.org.unit_a.scope)  # not a register kind
    with pytest.raises(PermissionDenied):
        services.document_create(actor=register.users["member_it"], scope=scope, title="Nope")
    assert not Document.objects.filter(title="Nope").exists()


# --- bad uploads ------------------------------------------------------------------------------------


def _refused(register, upload, *, filename="", field="file"):
    before = (Document.objects.count(), DocumentVersion.objects.count(), DocumentEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.document_create(
            actor=register.users["norole"], scope=register.project.scope, title="Refused", upload=upload, filename=filename
        )
    assert field in error.value.message_dict, error.value.message_dict
    assert (Document.objects.count(), DocumentVersion.objects.count(), DocumentEvent.objects.count()) == before
    document = register.fresh()
    with pytest.raises(ValidationError):
        services.version_upload(
            actor=register.users["norole"], document=document, upload=upload, filename=filename, expected_version=document.version
        )
    assert register.fresh().latest_version == 1
    return " ".join(error.value.message_dict[field])


@override_settings(REGIE_DOCUMENT_MAX_BYTES=1000)
def test_too_big(register):
    message = _refused(register, pdf_file(extra=b"x" * 2000))
    assert "limit" in message and "1000 bytes" in message


@pytest.mark.parametrize("name", ["setup.exe", "macro.docm", "page.html", "script.js", "noextension"])
def test_forbidden_type(register, name):
    message = _refused(register, SimpleUploadedFile(name, b"hello"))
    assert "not accepted" in message and "pdf" in message


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "reports/plan.pdf", "..pdf", ".hidden.pdf"])
def test_a_name_that_tries_a_path(register, name):
    message = _refused(register, pdf_file(), filename=name, field="filename")
    assert message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.pdf", b"MZ\x90\x00\x03 this is a Windows program"),
        ("plan.pdf", b"<html>not a pdf</html>"),
        ("budget.xlsx", b"%PDF-1.4 a pdf renamed"),
        ("notes.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00"),
        ("notes.md", b"binary\x00\x00\x00junk"),
        ("photo.png", b"GIF89a...."),
    ],
)
def test_contents_that_do_not_match_the_type(register, name, content):
    message = _refused(register, SimpleUploadedFile(name, content))
    assert "do not match" in message


def test_an_empty_file(register):
    assert "empty" in _refused(register, SimpleUploadedFile("empty.txt", b""))


def test_valid_types_pass_the_light_check():
    for name, content in (
        ("a.docx", b"PK\x03\x04rest"),
        ("a.odt", b"PK\x03\x04rest"),
        ("a.png", b"\x89PNG\r\n\x1a\nrest"),
        ("a.jpg", b"\xff\xd8\xffrest"),
        ("a.mpp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("a.csv", "name;amount\nÅsa;12\n".encode()),
        ("a.txt", "\ufeffhello".encode("utf-16")),
    ):
        checked = files.check_upload(SimpleUploadedFile(name, content))
        assert checked.extension == name.rsplit(".", 1)[1]


def test_nothing_is_left_in_the_storage_when_the_write_fails(register, monkeypatch):
    from regie.engagement import services as module

    stored_before = set(_all_stored())

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, "_event", boom)
    document = register.fresh()
    with pytest.raises(RuntimeError):
        services.version_upload(
            actor=register.users["norole"], document=document, upload=text_file(), expected_version=document.version
        )
    assert register.fresh().latest_version == 1
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert set(_all_stored()) == stored_before


def _all_stored() -> list[str]:
    found: list[str] = []

    def walk(path: str) -> None:
        directories, names = default_storage.listdir(path)
        found.extend(f"{path}/{n}".lstrip("/") for n in names)
        for directory in directories:
            walk(f"{path}/{directory}".lstrip("/"))

    walk("")
    return found
