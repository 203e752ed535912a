"""Stage gates: support is not decision. The PMO prepares; only the sponsor or the steering committee decides."""

from __future__ import annotations

import json

import pytest

from regie.portfolio.models import GateDecision, LifecycleModel, Phase, Portfolio, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated(org):
    model = LifecycleModel.objects.create(code="T", name="Test life cycle")
    phases = [Phase.objects.create(lifecycle=model, order=i, name=name) for i, name in enumerate(["One", "Two", "Three"], 1)]
    portfolio = Portfolio.objects.create(code="GPF", name="Gated", domain=org.it)
    project = Project.objects.create(
        code="G1",
        name="Gated project",
        portfolio=portfolio,
        lifecycle=model,
        sponsor=org.users["member_it"].person,
        project_manager=org.users["norole"].person,
    )
    project.steering_committee.set([org.users["member_a"].person])
    project.pmo_officers.set([org.users["pmo_it"].person])
    return project, phases


def _decide(client, project, **body):
    project.refresh_from_db()
    return client.post(
        f"/api/projects/{project.pk}/gate-decisions",
        json.dumps(body),
        content_type="application/json",
        headers={"If-Match": f'"{project.version}"'},
    )


def test_a_project_starts_in_the_first_phase(gated):
    project, phases = gated
    assert project.current_phase == phases[0]


@pytest.mark.parametrize("who", ["pmo_it", "norole", "portfolio_manager_it", "administrator", "superuser"])
def test_support_is_not_decision(org, gated, who):
    """PMO officers, the project manager, portfolio managers and even administrators cannot decide."""
    project, phases = gated
    client = org.client_for(who)
    response = _decide(client, project, outcome="go", rationale="Looks fine")
    assert response.status_code in (403, 404)
    assert client.get(f"/projects/{project.pk}/gate/").status_code in (403, 404)
    assert client.post(
        f"/projects/{project.pk}/gate/", {"outcome": "go", "rationale": "x", "version": project.version}
    ).status_code in (403, 404)
    project.refresh_from_db()
    assert project.current_phase == phases[0] and not GateDecision.objects.exists()


@pytest.mark.parametrize("who", ["member_it", "member_a"])
def test_sponsor_and_steering_committee_decide(org, gated, who):
    project, phases = gated
    response = _decide(org.client_for(who), project, outcome="go", rationale="Business case approved")
    assert response.status_code == 201, response.content
    project.refresh_from_db()
    assert project.current_phase == phases[1]
    decision = GateDecision.objects.get()
    assert decision.phase == phases[0] and decision.decided_by == org.users[who].person


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "go", "rationale": " "}, "rationale"),
        ({"outcome": "go_with_conditions", "rationale": "ok"}, "conditions"),
        ({"outcome": "skip", "rationale": "x"}, "outcome"),
    ],
)
def test_bad_decisions_are_named_and_change_nothing(org, gated, body, field):
    project, phases = gated
    response = _decide(org.client_for("member_it"), project, **body)
    assert response.status_code == 422
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()
    project.refresh_from_db()
    assert project.current_phase == phases[0] and not GateDecision.objects.exists()


def test_go_never_skips_a_phase_and_the_last_gate_cannot_go(org, gated):
    project, phases = gated
    client = org.client_for("member_it")
    assert _decide(client, project, outcome="go", rationale="1").status_code == 201
    conditions = [{"description": "Hire a tester", "owner": project.project_manager_id, "due_date": "2026-12-31"}]
    assert _decide(client, project, outcome="go_with_conditions", rationale="2", conditions=conditions).status_code == 201
    project.refresh_from_db()
    assert project.current_phase == phases[2]
    last = _decide(client, project, outcome="go", rationale="3")
    assert last.status_code == 422 and last.json()["errors"][0]["field"] == "outcome"


def test_hold_redo_and_stop(org, gated):
    project, phases = gated
    client = org.client_for("member_it")
    assert _decide(client, project, outcome="hold", rationale="Budget freeze").status_code == 201
    assert _decide(client, project, outcome="redo", rationale="Plan incomplete").status_code == 201
    project.refresh_from_db()
    assert project.current_phase == phases[0] and project.archived_at is None
    assert _decide(client, project, outcome="stop", rationale="No longer needed").status_code == 201
    project.refresh_from_db()
    assert project.archived_at is not None
    assert [d["outcome"] for d in client.get(f"/api/projects/{project.pk}/gate-decisions").json()] == ["stop", "redo", "hold"]


def test_a_stale_decision_is_refused(org, gated):
    project, _phases = gated
    client = org.client_for("member_it")
    response = client.post(
        f"/api/projects/{project.pk}/gate-decisions",
        json.dumps({"outcome": "go", "rationale": "x"}),
        content_type="application/json",
        headers={"If-Match": '"999"'},
    )
    assert response.status_code == 409 and not GateDecision.objects.exists()


CONDITIONS_NONE = {"conditions-TOTAL_FORMS": "3", "conditions-INITIAL_FORMS": "0"}


def test_the_gate_page_records_a_decision(org, gated):
    project, phases = gated
    client = org.client_for("member_a")
    detail = client.get(project.get_absolute_url()).content.decode()
    assert f"/projects/{project.pk}/gate/" in detail
    page = f"/projects/{project.pk}/gate/"
    bad = client.post(page, {"outcome": "go", "rationale": "", "version": project.version, **CONDITIONS_NONE})
    assert bad.status_code == 400 and "rationale" in bad.content.decode()
    good = client.post(page, {"outcome": "go", "rationale": "Ready", "version": project.version, **CONDITIONS_NONE})
    assert good.status_code == 302
    project.refresh_from_db()
    assert project.current_phase == phases[1]
    assert "Ready" in client.get(project.get_absolute_url()).content.decode()


def test_a_running_project_keeps_its_life_cycle(org, gated):
    project, _phases = gated
    other = LifecycleModel.objects.create(code="O", name="Other")
    Phase.objects.create(lifecycle=other, order=1, name="Only")
    client = org.client_for("portfolio_manager_it")
    etag = client.get(f"/api/projects/{project.pk}")["ETag"]
    response = client.patch(
        f"/api/projects/{project.pk}",
        json.dumps({"lifecycle": other.pk}),
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "lifecycle"
