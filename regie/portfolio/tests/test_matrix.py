"""Who may do what on a project, through the pages and through the API.

The project below names: sponsor = member_it, project manager = norole, steering committee = member_a,
PMO officer = pmo_it (who also holds the pmo_officer role on the IT domain) and named_pmo (no role at
all). portfolio_manager_it holds the portfolio_manager role on IT; administrator holds every action on
the whole organisation; member_all is a member of the whole organisation; manager_a manages unit A only.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from regie.core.models import Person
from regie.portfolio import reporting
from regie.portfolio.models import GateDecision, GateReview, LifecycleModel, Phase, Portfolio, Project, StatusReport

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "edit", "draft", "submit", "comment", "prepare", "decide")
# fmt: off
MATRIX = {
    #                       view  edit  draft submit comment prepare decide
    "administrator":        (1,    1,    1,    0,     0,      1,      0),
    "superuser":            (1,    1,    1,    0,     0,      1,      0),
    "portfolio_manager_it": (1,    1,    1,    0,     0,      1,      0),
    "pmo_it":               (1,    1,    1,    0,     0,      1,      0),
    "named_pmo":            (1,    1,    1,    0,     0,      1,      0),
    "norole":               (1,    1,    1,    1,     0,      0,      0),
    "member_it":            (1,    0,    0,    0,     1,      0,      1),
    "member_a":             (1,    0,    0,    0,     1,      0,      1),
    "member_all":           (1,    0,    0,    0,     0,      0,      0),
    "manager_a":            (0,    0,    0,    0,     0,      0,      0),
}
# fmt: on
CASES = [(who, action, allowed[i]) for who, allowed in MATRIX.items() for i, action in enumerate(ACTIONS)]


@pytest.fixture
def setup(org):
    user = get_user_model().objects.create_user("named_pmo@example.org", password="x")
    Person.objects.create(given_name="Nina", family_name="Named", email="named_pmo@example.org", user=user)
    org.users["named_pmo"] = user
    model = LifecycleModel.objects.create(code="M", name="Matrix")
    for order, name in enumerate(["Start", "Run", "Close"], 1):
        Phase.objects.create(lifecycle=model, order=order, name=name, gate_criteria="Plan approved\nBudget agreed")
    portfolio = Portfolio.objects.create(code="MPF", name="Matrix portfolio", domain=org.it)
    project = Project.objects.create(
        code="M1",
        name="Matrix project",
        portfolio=portfolio,
        lifecycle=model,
        sponsor=org.users["member_it"].person,
        project_manager=org.users["norole"].person,
    )
    project.steering_committee.set([org.users["member_a"].person])
    project.pmo_officers.set([org.users["pmo_it"].person, user.person])
    pm = org.users["norole"]
    fresh = Project.objects.get(pk=project.pk)
    done = reporting.report_start(actor=pm, project=fresh, period_start=date(2026, 9, 1), period_end=date(2026, 9, 30))
    done = reporting.report_submit(actor=pm, report=StatusReport.objects.get(pk=done.pk), expected_version=None)
    draft = reporting.report_start(actor=pm, project=Project.objects.get(pk=project.pk))
    return Project.objects.get(pk=project.pk), StatusReport.objects.get(pk=done.pk), draft


def _client(org, who) -> Client:
    client = Client()
    client.force_login(org.users[who])
    return client


def _json(client, method, url, body=None, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def _api(client, action, project, submitted, draft):
    """Try the action through the API; True when it was done."""
    p = project.pk
    if action == "view":
        return client.get(f"/api/projects/{p}").status_code == 200
    if action == "edit":
        return _json(client, "patch", f"/api/projects/{p}", {"goal": "Changed"}, project.version).status_code == 200
    if action == "draft":
        return _json(client, "patch", f"/api/status-reports/{draft.pk}", {"summary": "Drafted"}, draft.version).status_code == 200
    if action == "submit":
        return _json(client, "post", f"/api/status-reports/{draft.pk}/submit", version=draft.version).status_code == 200
    if action == "comment":
        commented = _json(client, "post", f"/api/status-reports/{submitted.pk}/comments", {"text": "Noted"}).status_code == 201
        acknowledged = _json(client, "post", f"/api/status-reports/{submitted.pk}/acknowledge").status_code == 200
        assert commented == acknowledged
        return commented
    if action == "prepare":
        body = {"recommendation": "go", "items": [{"assessment": "met", "evidence": "Signed plan"}]}
        return _json(client, "put", f"/api/projects/{p}/gate-review", body).status_code == 200
    if action == "decide":
        body = {"outcome": "go", "rationale": "Ready"}
        return _json(client, "post", f"/api/projects/{p}/gate-decisions", body, project.version).status_code == 201
    raise AssertionError(action)


def _ui(client, action, project, submitted, draft):
    """Try the action through the pages; True when it was done."""
    p = project.pk
    if action == "view":
        return client.get(f"/projects/{p}/").status_code == 200
    if action == "edit":
        return client.get(f"/projects/{p}/edit/").status_code == 200
    if action == "draft":
        shown = client.get(f"/status-reports/{draft.pk}/edit/").status_code == 200
        data = {name: getattr(draft, name) for name in reporting.CONTENT_FIELDS}
        data.update(period_start=draft.period_start, period_end=draft.period_end, summary="Drafted", version=draft.version)
        client.post(f"/status-reports/{draft.pk}/edit/", data)
        saved = StatusReport.objects.get(pk=draft.pk).summary == "Drafted"
        assert shown == saved
        return saved
    if action == "submit":
        client.post(f"/status-reports/{draft.pk}/submit/", {"version": draft.version})
        return StatusReport.objects.get(pk=draft.pk).state == "submitted"
    if action == "comment":
        client.post(f"/status-reports/{submitted.pk}/comment/", {"text": "Noted"})
        client.post(f"/status-reports/{submitted.pk}/acknowledge/")
        commented, acknowledged = submitted.comments.exists(), submitted.acknowledgements.exists()
        assert commented == acknowledged
        return commented
    if action == "prepare":
        shown = client.get(f"/projects/{p}/gate/review/").status_code == 200
        client.post(f"/projects/{p}/gate/review/", {"recommendation": "go", "assessment_0": "met", "evidence_0": "Signed"})
        saved = GateReview.objects.filter(project=project, recommendation="go").exists()
        assert shown == saved
        return saved
    if action == "decide":
        shown = client.get(f"/projects/{p}/gate/").status_code == 200
        client.post(
            f"/projects/{p}/gate/",
            {
                "outcome": "go",
                "rationale": "Ready",
                "version": project.version,
                "conditions-TOTAL_FORMS": "0",
                "conditions-INITIAL_FORMS": "0",
            },
        )
        decided = GateDecision.objects.filter(project=project).exists()
        assert shown == decided
        return decided
    raise AssertionError(action)


@pytest.mark.parametrize(("who", "action", "allowed"), CASES)
@pytest.mark.parametrize("channel", ["api", "ui"])
def test_permission_matrix(org, setup, who, action, allowed, channel):
    project, submitted, draft = setup
    attempt = _api if channel == "api" else _ui
    assert attempt(_client(org, who), action, project, submitted, draft) == bool(allowed)


@pytest.mark.parametrize("who", ["pmo_it", "portfolio_manager_it", "administrator"])
def test_what_the_pmo_sees_it_cannot_use_to_decide_or_submit(org, setup, who):
    """The buttons follow the rules: the PMO sees "prepare", never "decide" or "submit"."""
    project, submitted, draft = setup
    client = _client(org, who)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="prepare-gate"' in page and f'/projects/{project.pk}/gate/"' not in page
    assert 'id="submit-report"' not in client.get(f"/status-reports/{draft.pk}/").content.decode()
