"""A gate can require approved documents: "go" is refused, naming what is missing, until the project's
register holds an approved document of each required kind."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from regie.engagement import services
from regie.engagement.tests.conftest import pdf_file, send_for_review
from regie.portfolio.models import LifecycleModel, Phase, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated(register):
    model = LifecycleModel.objects.create(code="G", name="Gated")
    first = Phase.objects.create(lifecycle=model, order=1, name="Definition", required_documents="project_plan, business_case")
    Phase.objects.create(lifecycle=model, order=2, name="Realisation")
    Project.objects.filter(pk=register.project.pk).update(lifecycle=model, current_phase=first)
    register.project.refresh_from_db()
    return register


def _go(register):
    project = Project.objects.get(pk=register.project.pk)
    return register.client("member_it").post(
        f"/api/projects/{project.pk}/gate-decisions",
        json.dumps({"outcome": "go", "rationale": "Ready."}),
        content_type="application/json",
        headers={"If-Match": f'"{project.version}"'},
    )


def test_go_waits_for_approved_documents_of_each_required_kind(gated):
    refused = _go(gated)
    assert refused.status_code == 422
    detail = json.dumps(refused.json())
    assert "an approved project plan" in detail and "an approved business case" in detail
    # the plan (kind project plan) is approved by its approver: only the business case is missing now
    document = send_for_review(gated)
    services.document_review(actor=gated.users["approver"], document=document, verdict="approve")
    refused = _go(gated)
    assert "an approved project plan" not in json.dumps(refused.json()) and "an approved business case" in json.dumps(
        refused.json()
    )
    case = services.document_create(
        actor=gated.users["norole"],
        scope=gated.project.scope,
        title="Business case",
        kind="business_case",
        approvers=[gated.person("approver")],
        upload=pdf_file("case.pdf"),
    )
    case = services.document_submit(actor=gated.users["norole"], document=case, expected_version=case.version)
    services.document_review(actor=gated.users["approver"], document=case, verdict="approve")
    assert _go(gated).status_code in (200, 201)
    assert Project.objects.get(pk=gated.project.pk).current_phase.name == "Realisation"


def test_a_phase_names_only_known_kinds(gated):
    phase = Phase.objects.get(name="Definition")
    phase.required_documents = "business_case, blueprint"
    with pytest.raises(ValidationError) as refused:
        phase.full_clean()
    assert "blueprint" in str(refused.value.message_dict["required_documents"])
