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


# --- gate reviews and conditions ------------------------------------------------------------------


def _review(client, project, body, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.put(
        f"/api/projects/{project.pk}/gate-review", json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_pmo_prepares_evidence_per_criterion_and_a_recommendation(org, gated):
    project, phases = gated
    Phase.objects.filter(pk=phases[0].pk).update(gate_criteria="Business case approved\nRisks assessed")
    client = org.client_for("pmo_it")
    first = _review(client, project, {"recommendation": "go", "items": [{"assessment": "met", "evidence": "Signed 3 Nov"}]})
    assert first.status_code == 200, first.content
    body = first.json()
    assert [i["criterion"] for i in body["items"]] == ["Business case approved", "Risks assessed"]
    assert body["items"][0]["assessment"] == "met" and body["items"][1]["assessment"] == ""
    # Changing the life-cycle model leaves the review in preparation as it was.
    Phase.objects.filter(pk=phases[0].pk).update(gate_criteria="Something else entirely")
    without_version = _review(client, project, {"summary": "Ready"})
    assert without_version.status_code == 428
    second = _review(
        client,
        project,
        {
            "recommendation": "go_with_conditions",
            "summary": "Ready",
            "items": [{}, {"assessment": "partly_met", "evidence": "Top 5"}],
        },
        version=body["version"],
    )
    assert second.status_code == 200
    assert [i["criterion"] for i in second.json()["items"]] == ["Business case approved", "Risks assessed"]
    assert second.json()["items"][1]["assessment"] == "partly_met"
    too_many = _review(client, project, {"items": [{}, {}, {}]}, version=second.json()["version"])
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "items"
    # The decision closes the review.
    assert _decide(org.client_for("member_it"), project, outcome="go", rationale="As recommended").status_code == 201
    decision = GateDecision.objects.get()
    assert decision.review_id == second.json()["id"] and decision.review.state == "decided"
    assert client.get(f"/api/projects/{project.pk}/gate-review").status_code == 404


def test_a_gate_requires_its_fields_before_go(org, gated):
    project, phases = gated
    Phase.objects.filter(pk=phases[0].pk).update(required_fields="planned_end, expected_benefits")
    client = org.client_for("member_it")
    refused = _decide(client, project, outcome="go", rationale="Go")
    assert refused.status_code == 422
    assert (
        "planned end" in refused.json()["errors"][0]["message"] and "expected benefits" in refused.json()["errors"][0]["message"]
    )
    assert _decide(client, project, outcome="hold", rationale="Fill in the plan first").status_code == 201
    Project.objects.filter(pk=project.pk).update(planned_end="2027-06-30", expected_benefits="Faster service")
    assert _decide(client, project, outcome="go", rationale="Go").status_code == 201


def test_unknown_required_fields_are_refused_in_the_model(gated):
    from django.core.exceptions import ValidationError

    _project, phases = gated
    phases[0].required_fields = "planned_end, budget"
    with pytest.raises(ValidationError) as error:
        phases[0].full_clean()
    assert "budget" in str(error.value)


def test_conditions_become_tracked_actions(org, gated):
    project, phases = gated
    owner = org.users["pmo_it"].person
    client = org.client_for("member_a")
    bad = _decide(
        client,
        project,
        outcome="go_with_conditions",
        rationale="Go, if",
        conditions=[{"description": "Hire a tester", "owner": 999999, "due_date": "2026-12-31"}],
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "conditions.0.owner"
    assert not GateDecision.objects.exists()
    ok = _decide(
        client,
        project,
        outcome="go_with_conditions",
        rationale="Go, if",
        conditions=[
            {"description": "Hire a tester", "owner": owner.pk, "due_date": "2026-12-31"},
            {"description": "Security review", "owner": org.users["norole"].person.pk, "due_date": "2027-01-15"},
        ],
    )
    assert ok.status_code == 201
    conditions = ok.json()["conditions"]
    assert [(c["description"], c["status"]) for c in conditions] == [("Hire a tester", "open"), ("Security review", "open")]
    listed = org.client_for("member_all").get(f"/api/projects/{project.pk}/gate-conditions").json()
    assert len(listed) == 2
    # The owner marks a condition done; someone with no part in the project cannot.
    first = conditions[0]
    outsider = org.client_for("member_all").patch(
        f"/api/gate-conditions/{first['id']}",
        json.dumps({"status": "done"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert outsider.status_code == 403
    done = org.client_for("pmo_it").patch(
        f"/api/gate-conditions/{first['id']}",
        json.dumps({"status": "done", "note": "Tester started 1 Dec"}),
        content_type="application/json",
        headers={"If-Match": f'"{first["version"]}"'},
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completed_at"]
    # Conditions appear on their owner's My work page.
    my_work = org.client_for("norole").get("/my-work/").content.decode()
    assert "Security review" in my_work and "Hire a tester" not in my_work


def test_the_decision_page_takes_conditions(org, gated):
    project, phases = gated
    client = org.client_for("member_it")
    page = f"/projects/{project.pk}/gate/"
    base = {"outcome": "go_with_conditions", "rationale": "Go, if", "version": project.version, **CONDITIONS_NONE}
    missing = client.post(page, base)
    assert missing.status_code == 400 and "Name the conditions" in missing.content.decode()
    owner = org.users["norole"].person.pk
    no_date = client.post(page, {**base, "conditions-0-description": "Train users", "conditions-0-owner": owner})
    assert no_date.status_code == 400 and "Give a due date." in no_date.content.decode()
    good = client.post(
        page,
        {**base, "conditions-0-description": "Train users", "conditions-0-owner": owner, "conditions-0-due_date": "2027-02-01"},
    )
    assert good.status_code == 302
    assert project.gate_conditions.get().description == "Train users"
    assert "Train users" in client.get(project.get_absolute_url()).content.decode()


def test_the_project_form_chooses_a_life_cycle_once(org, gated):
    project, phases = gated
    other = LifecycleModel.objects.create(code="T2", name="Other life cycle")
    Phase.objects.create(lifecycle=other, order=1, name="Only")
    client = org.client_for("norole")
    form = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'name="lifecycle"' in form
    data = {
        "code": project.code,
        "name": project.name,
        "portfolio": project.portfolio_id,
        "sponsor": project.sponsor_id,
        "project_manager": project.project_manager_id,
        "pmo_officers": [org.users["pmo_it"].person.pk],
        "steering_committee": [org.users["member_a"].person.pk],
        "lifecycle": other.pk,
        "health": "green",
        "reporting_frequency": "monthly",
        "expected_costs": "0",
        "currency": "EUR",
        "version": project.version,
    }
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 400 and "A running project keeps its life-cycle model." in response.content.decode()
    project.refresh_from_db()
    assert project.lifecycle.code == "T" and project.current_phase == phases[0]
