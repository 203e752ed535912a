"""The demo organisation's documents (idempotent: looked up by reference). Small real files are made
here: a PDF with a few lines of text, or Markdown, so that every version can be downloaded and opened."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from regie.core.models import Domain, Person
from regie.engagement.choices import Capacity, DocumentStatus, Verdict
from regie.engagement.models import Document, DocumentEvent, DocumentReview, DocumentVersion, EventKind
from regie.portfolio.models import Project


def pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF showing a title and lines of text (Helvetica, no images)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace").decode("latin-1")

    body = [f"BT /F1 18 Tf 72 770 Td ({escape(title)}) Tj ET"]
    for index, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 72 {740 - 16 * index} Td ({escape(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@northbridge.example")


# reference, title, kind, where (project code or "domain:IT"), author, reviewers, approvers, story
# A story lists the versions: (file name, note, lines) and what happened to the last one.
DOCUMENTS: list[dict[str, Any]] = [
    {
        "reference": "P-001-PLAN",
        "title": "Project plan",
        "kind": "project_plan",
        "where": "P-001",
        "author": "johan.berg",
        "reviewers": ["fatima.elamrani"],
        "approvers": ["maarten.bakker"],
        "versions": [
            (
                "project-plan-v1.pdf",
                "First plan for the definition gate.",
                ["Scope: 1,200 laptops in four waves.", "Budget: EUR 480,000."],
            ),
            (
                "project-plan-v2.pdf",
                "Waves re-planned after the supplier's delivery dates.",
                ["Scope: 1,200 laptops in four waves.", "Wave 1 moves two weeks later.", "Budget: EUR 480,000."],
            ),
        ],
        "end": "approved",
    },
    {
        "reference": "P-001-BC",
        "title": "Business case",
        "kind": "business_case",
        "where": "P-001",
        "author": "johan.berg",
        "reviewers": ["fatima.elamrani"],
        "approvers": ["maarten.bakker", "ingrid.svensson"],
        "versions": [
            (
                "business-case.pdf",
                "For the steering committee of this month.",
                ["Benefits: fewer incidents, 30% less time lost on old laptops.", "Costs: EUR 480,000 over 2026."],
            ),
        ],
        "end": "in_review",
    },
    {
        "reference": "P-001-CON",
        "title": "Support contract with the laptop supplier",
        "kind": "contract",
        "where": "P-001",
        "author": "fatima.elamrani",
        "reviewers": ["johan.berg"],
        "approvers": ["maarten.bakker"],
        "versions": [
            (
                "support-contract-draft.pdf",
                "Draft from purchasing; the service levels are still open.",
                ["Next-business-day replacement.", "Service levels: to be agreed."],
            ),
        ],
        "end": "draft",
    },
    {
        "reference": "P-001-DES",
        "title": "Roll-out design",
        "kind": "design",
        "where": "P-001",
        "author": "johan.berg",
        "reviewers": ["fatima.elamrani"],
        "approvers": ["ingrid.svensson"],
        "versions": [
            (
                "rollout-design.md",
                "Outline of the waves and the hand-over to the service desk.",
                ["# Roll-out design", "", "- Four waves of 300 laptops", "- Hand-over to the service desk after each wave"],
            ),
        ],
        "end": "draft",
    },
    {
        "reference": "P-003-SURVEY",
        "title": "Wi-Fi site survey report",
        "kind": "report",
        "where": "P-003",
        "author": "johan.berg",
        "reviewers": [],
        "approvers": ["liam.oconnor"],
        "versions": [
            (
                "site-survey.pdf",
                "Survey of the three campus buildings.",
                ["Building A: 42 access points to replace.", "Building B: cabling in poor state."],
            ),
        ],
        "end": "approved",
    },
    {
        "reference": "IT-PMH",
        "title": "IT project management handbook",
        "kind": "other",
        "where": "domain:IT",
        "author": "fatima.elamrani",
        "reviewers": ["johan.berg", "lotte.jansen"],
        "approvers": ["maarten.bakker"],
        "versions": [
            (
                "pm-handbook.pdf",
                "The IT domain's way of running projects.",
                ["Life cycles: light and full.", "Status reports: monthly.", "Documents: reviewed and approved by named people."],
            ),
        ],
        "end": "approved",
    },
]


def _event(document: Document, person: Person, kind: str, at: Any, version: int | None = None, detail: str = "") -> None:
    DocumentEvent.objects.create(
        document=document, at=at, user=person.user, who=str(person), kind=kind, version_number=version, detail=detail
    )


def _load_one(spec: dict[str, Any]) -> None:
    if Document.objects.filter(reference=spec["reference"]).exists():
        return
    where = spec["where"]
    if where.startswith("domain:"):
        scope, project = Domain.objects.get(code=where.split(":", 1)[1]).scope, None
    else:
        project = Project.objects.get(code=where)
        scope = project.scope
    author = _person(spec["author"])
    approvers = [_person(p) for p in spec["approvers"]]
    reviewers = [_person(p) for p in spec["reviewers"]]
    versions = spec["versions"]
    start = timezone.now() - timedelta(days=10 * len(versions) + 5)
    document = Document.objects.create(
        scope=scope,
        project=project,
        title=spec["title"],
        reference=spec["reference"],
        kind=spec["kind"],
        author=author,
        description=versions[-1][1],
        latest_version=len(versions),
        created_at=start,
    )
    document.reviewers.set(reviewers)
    document.approvers.set(approvers)
    _event(document, author, EventKind.CREATED, start, detail=str(document))
    rounds = 0
    for number, (name, note, lines) in enumerate(versions, start=1):
        at = start + timedelta(days=10 * (number - 1), hours=2)
        data = pdf(spec["title"], lines) if name.endswith(".pdf") else ("\n".join(lines) + "\n").encode()
        version = DocumentVersion(
            document=document,
            number=number,
            original_name=name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content_type="application/pdf" if name.endswith(".pdf") else "text/markdown",
            uploaded_by=author,
            uploaded_at=at,
            note=note,
        )
        version.file.save(name, ContentFile(data), save=False)
        version.save()
        _event(document, author, EventKind.UPLOADED, at, number, name)
        last = number == len(versions)
        if not last or spec["end"] in ("approved", "in_review"):
            rounds += 1
            _event(document, author, EventKind.SUBMITTED, at + timedelta(hours=1), number, ", ".join(map(str, approvers)))
            for reviewer in reviewers:
                DocumentReview.objects.create(
                    document=document,
                    version=version,
                    round=rounds,
                    reviewer=reviewer,
                    capacity=Capacity.REVIEWER,
                    verdict=Verdict.COMMENT,
                    comment="Checked against the PMO template; fine.",
                    created_at=at + timedelta(days=1),
                )
                _event(document, reviewer, EventKind.REVIEWED, at + timedelta(days=1), number, "reviewer: comment")
            deciding = approvers if not last or spec["end"] == "approved" else approvers[:1]
            for approver in deciding:
                DocumentReview.objects.create(
                    document=document,
                    version=version,
                    round=rounds,
                    reviewer=approver,
                    capacity=Capacity.APPROVER,
                    verdict=Verdict.APPROVE,
                    created_at=at + timedelta(days=2),
                )
                _event(document, approver, EventKind.REVIEWED, at + timedelta(days=2), number, "approver: approve")
            if deciding == approvers:
                DocumentVersion.objects.filter(pk=version.pk).update(approved_at=at + timedelta(days=2))
                _event(document, approvers[-1], EventKind.APPROVED, at + timedelta(days=2), number)
                document.approved_version = number
    document.review_round = rounds
    document.status = {"approved": DocumentStatus.APPROVED, "in_review": DocumentStatus.IN_REVIEW}.get(
        spec["end"], DocumentStatus.DRAFT
    )
    if document.status == DocumentStatus.IN_REVIEW:
        document.submitted_at = start + timedelta(days=10 * (len(versions) - 1), hours=3)
    document.save()


def load(write: Callable[[str], Any]) -> None:
    for spec in DOCUMENTS:
        _load_one(spec)
    write("  documents: registers with approved, in-review and draft documents on P-001, P-003 and the IT domain")
    _meetings()
    _communication()
    # The full life cycle's definition gate asks for an approved business case, as its criteria say.
    from regie.portfolio.models import Phase

    Phase.objects.filter(lifecycle__code="FULL", name="Definition", required_documents="").update(
        required_documents="business_case"
    )
    write("  meetings: P-001's next steering committee, its agenda assembled from the project's data")


def _meetings() -> None:
    """P-001's next steering committee, prepared by its PMO officer from the project's data."""
    from datetime import datetime, time

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from regie.engagement import meetings
    from regie.engagement.models import Meeting
    from regie.portfolio.models import Project

    project = Project.objects.filter(code="P-001").first()
    pmo = get_user_model()._default_manager.filter(username="pmo").first()
    if project is None or pmo is None or Meeting.objects.filter(project=project).exists():
        return
    day = timezone.localdate() + timedelta(days=(3 - timezone.localdate().weekday()) % 7 or 7)  # next Thursday
    attendees = [p for p in [project.sponsor, project.project_manager] if p]
    attendees += list(project.steering_committee.all()) + list(project.pmo_officers.all())
    meetings.meeting_prepare(
        actor=pmo,
        project=project,
        title=f"Steering committee {project.code}",
        starts_at=timezone.make_aware(datetime.combine(day, time(10, 0))),
        location="Room 4.12, Harbour building",
        chair=project.sponsor,
        attendees=list(dict.fromkeys(attendees)),
        risk_threshold=9,  # the committee also looks at the amber risks
    )


def _communication() -> None:
    """P-001's communication plan: a weekly email to the first wave's key users, milestone announcements,
    and the works council's monthly consultation."""
    from django.utils import timezone

    from regie.core.models import Person
    from regie.engagement.models import CommunicationItem
    from regie.portfolio.models import Project

    project = Project.objects.filter(code="P-001").first()
    if project is None or CommunicationItem.objects.filter(project=project).exists():
        return
    today = timezone.localdate()
    people = {p.email.split("@")[0]: p for p in Person.objects.filter(email__endswith="@northbridge.example")}
    key_users = [people[k] for k in ("tom.hendriks", "noor.smit", "oskar.nilsson") if k in people]
    lines = [
        (
            "Key users of floor 3",
            "What changes this week in the laptop refresh, and what we need from you.",
            "email",
            "weekly",
            "Laptop refresh: this week",
            today + timedelta(days=(7 - today.weekday()) % 7 or 7),
            key_users,
        ),
        (
            "All staff of the IT department",
            "A milestone of the laptop refresh has been reached.",
            "email",
            "milestones",
            "Laptop refresh news",
            None,
            key_users,
        ),
        (
            "Works council",
            "Progress, the planning of the next wave and the questions raised.",
            "meeting",
            "monthly",
            "",
            today + timedelta(days=20),
            [],
        ),
    ]
    owner = people.get("johan.berg")
    if owner is None:
        return
    for audience, message, channel, frequency, subject, next_date, recipients in lines:
        item = CommunicationItem.objects.create(
            project=project,
            audience=audience,
            message=message,
            channel=channel,
            frequency=frequency,
            subject=subject,
            next_date=next_date,
            owner=owner,
        )
        item.recipients.set(recipients)
