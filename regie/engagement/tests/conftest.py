"""A project with named people and a document register, on top of the ``org`` fixture.

The project M1 sits in the IT domain. Its project manager is ``norole`` (no role at all), its PMO officer
``pmo_it`` (who also holds the pmo_officer role on IT), its sponsor ``member_it`` (member of IT) and its
steering committee ``steering`` (no role). The document "Plan" is written by the project manager, who is
also named as its reviewer; ``approver`` (no role) is its only approver and ``reviewer`` (no role) a
reviewer. ``member_a`` is a member elsewhere (unit A); ``member_all`` a member of the whole organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from regie.core.models import Person
from regie.engagement import services
from regie.engagement.models import Document
from regie.portfolio.models import Portfolio, Project

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_file(name: str = "plan.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def text_file(name: str = "notes.md", text: str = "# Notes\n\nAgreed.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


@dataclass
class Register:
    org: Any
    project: Project
    other_project: Project
    document: Document
    users: dict[str, Any]

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client

    def person(self, who: str) -> Person:
        return self.users[who].person

    def fresh(self) -> Document:
        return Document.objects.get(pk=self.document.pk)


def _user(name: str) -> Any:
    user = get_user_model().objects.create_user(name, password="x")
    Person.objects.create(given_name=name.capitalize(), family_name="Named", user=user)
    return user


@pytest.fixture
def register(org: Any) -> Register:
    users = dict(org.users)
    for name in ("approver", "reviewer", "steering"):
        users[name] = _user(name)
    portfolio = Portfolio.objects.create(code="DPF", name="Document portfolio", domain=org.it)
    project = Project.objects.create(
        code="M1",
        name="Matrix project",
        portfolio=portfolio,
        sponsor=users["member_it"].person,
        project_manager=users["norole"].person,
    )
    project.pmo_officers.set([users["pmo_it"].person])
    project.steering_committee.set([users["steering"].person])
    other_portfolio = Portfolio.objects.create(code="HPF", name="HR portfolio", domain=org.hr)
    other_project = Project.objects.create(code="H1", name="HR project", portfolio=other_portfolio)
    project = Project.objects.get(pk=project.pk)
    document = services.document_create(
        actor=users["norole"],
        scope=project.scope,
        title="Plan",
        kind="project_plan",
        reviewers=[users["reviewer"].person, users["norole"].person],
        approvers=[users["approver"].person],
        upload=pdf_file(),
    )
    return Register(org, project, other_project, document, users)


def send_for_review(register: Register) -> Document:
    document = register.fresh()
    return services.document_submit(actor=register.users["norole"], document=document, expected_version=document.version)
