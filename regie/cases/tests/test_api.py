"""The cases API on the desk: a requester logs an incident, the desk assigns it, the team works it through
its workflow; refused steps name their rule, stale writes are refused, and every answer is problem
details naming the field when the input is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regie.cases import services
from regie.cases.models import Case, Workflow
from regie.core.tests.test_api_fuzz import keep_connection  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _api(client: Any, method: str, url: str, body: Any = None, etag: str | None = None) -> Any:
    headers = {"If-Match": etag} if etag is not None else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def _log(desk: Any, who: str = "requester", **extra: Any) -> Any:
    body = {"kind": "incident", "service": desk.service.pk, "title": "Laptop cannot reach mail", **extra}
    return _api(desk.client_for(who), "post", "/api/cases/", body)


def _etag(client: Any, pk: int) -> str:
    return client.get(f"/api/cases/{pk}")["ETag"]


# --- logging and seeing a case --------------------------------------------------------------------


def test_the_requester_logs_an_incident_and_sees_it(desk):
    created = _log(desk, description="Since this morning")
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["number"].startswith("INC-")
    assert (case["state"]["code"], case["state"]["label"], case["priority"]) == ("logged", "Logged", 3)
    assert case["service"] == {"id": desk.service.pk, "code": "WPL", "name": "Workplace"}
    assert case["requester"]["id"] == desk.person("requester").pk
    assert case["workflow_version"]["number"] == 1
    assert created["ETag"] == '"1"'

    client = desk.client_for("requester")
    listed = client.get("/api/cases/").json()
    assert [row["number"] for row in listed["items"]] == [case["number"]] and listed["count"] == 1
    got = client.get(f"/api/cases/{case['id']}")
    assert got.status_code == 200 and got.json()["title"] == "Laptop cannot reach mail"
    assert got["ETag"] == '"1"'
    # The requester may cancel their own case, and take nothing else from "logged".
    assert [step["code"] for step in got.json()["steps"]] == ["cancel"]

    events = client.get(f"/api/cases/{case['id']}/events").json()
    assert [(e["kind"], e["state"], e["actor"]) for e in events["items"] if e["kind"] != "mail_out"] == [
        ("created", "logged", "Requester Tester")
    ]
    assert "mail_out" in [e["kind"] for e in events["items"]]  # the requester was told by email


def test_the_outsider_may_neither_log_nor_see(desk):
    refused = _log(desk, "outsider")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    pk = _log(desk).json()["id"]
    outsider = desk.client_for("outsider")
    missing = outsider.get(f"/api/cases/{pk}")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert outsider.get(f"/api/cases/{pk}/events").status_code == 404
    assert outsider.get("/api/cases/").json() == {"items": [], "count": 0}


def test_the_desk_and_a_superuser_see_every_case_of_the_scope(desk):
    pk = _log(desk).json()["id"]
    for who in ("agent", "smo", "superuser"):
        assert desk.client_for(who).get(f"/api/cases/{pk}").status_code == 200, who
    # The engineer sees it only once it is with their team.
    assert desk.client_for("engineer").get(f"/api/cases/{pk}").status_code == 404


# --- working a case through its workflow ----------------------------------------------------------


def test_an_incident_is_assigned_started_and_resolved(desk):
    pk = _log(desk).json()["id"]
    agent, engineer, requester = desk.client_for("agent"), desk.client_for("engineer"), desk.client_for("requester")

    assigned = _api(
        agent,
        "post",
        f"/api/cases/{pk}/assign",
        {"team": desk.team.pk, "assignee": desk.person("engineer").pk, "note": "Mail servers"},
        _etag(agent, pk),
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["team"] == {"id": desk.team.pk, "name": "Operations"}
    assert assigned.json()["assignee"]["id"] == desk.person("engineer").pk
    assert "assign" in [step["code"] for step in assigned.json()["steps"]]

    taken = _api(agent, "post", f"/api/cases/{pk}/transition", {"transition": "assign"}, assigned["ETag"])
    assert taken.status_code == 200, taken.content
    assert taken.json()["state"]["code"] == "assigned"

    # The requester is not among those who may start the work.
    refused = _api(requester, "post", f"/api/cases/{pk}/transition", {"transition": "start"}, taken["ETag"])
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"

    started = _api(engineer, "post", f"/api/cases/{pk}/transition", {"transition": "start"}, _etag(engineer, pk))
    assert started.status_code == 200, started.content
    assert started.json()["state"]["code"] == "in_progress"

    missing = _api(engineer, "post", f"/api/cases/{pk}/transition", {"transition": "resolve"}, started["ETag"])
    assert missing.status_code == 409
    problem = missing.json()
    assert problem["rule"] == "fields_required"
    assert [e["field"] for e in problem["errors"]] == ["resolution"]
    assert "resolution" in problem["detail"]

    not_from_here = _api(engineer, "post", f"/api/cases/{pk}/transition", {"transition": "assign"}, started["ETag"])
    assert not_from_here.status_code == 409 and not_from_here.json()["rule"] == "transition_not_allowed"
    unknown = _api(engineer, "post", f"/api/cases/{pk}/transition", {"transition": "teleport"}, started["ETag"])
    assert unknown.status_code == 409 and unknown.json()["rule"] == "transition_not_allowed"

    resolved = _api(
        engineer,
        "post",
        f"/api/cases/{pk}/transition",
        {"transition": "resolve", "note": "Done", "fields": {"resolution": "Mailbox moved back"}},
        started["ETag"],
    )
    assert resolved.status_code == 200, resolved.content
    body = resolved.json()
    assert (body["state"]["code"], body["resolution"]) == ("resolved", "Mailbox moved back")
    assert body["resolved_at"] is not None and body["closed_at"] is None

    # Nothing was changed by the refused attempts: one write each for assign, assign, start and resolve.
    assert Case.objects.get(pk=pk).version == 5
    kinds = [e["kind"] for e in requester.get(f"/api/cases/{pk}/events").json()["items"] if e["kind"] != "mail_out"]
    assert kinds == ["created", "assigned", "state", "state", "state"]


def test_a_stale_version_is_refused_and_changes_nothing(desk):
    pk = _log(desk).json()["id"]
    agent = desk.client_for("agent")
    stale = _etag(agent, pk)
    first = _api(agent, "post", f"/api/cases/{pk}/priority", {"impact": 1, "urgency": 1}, stale)
    assert first.status_code == 200 and first.json()["priority"] == 1
    again = _api(agent, "post", f"/api/cases/{pk}/assign", {"team": desk.team.pk}, stale)
    assert again.status_code == 409
    assert again.json()["current_version"] == 2 and again["ETag"] == '"2"'
    assert Case.objects.get(pk=pk).team_id is None
    # An update without If-Match is refused too.
    assert _api(agent, "post", f"/api/cases/{pk}/transition", {"transition": "assign"}).status_code == 428
    huge = '"99999999999999999999999"'
    assert _api(agent, "post", f"/api/cases/{pk}/priority", {"impact": 1, "urgency": 1}, huge).status_code == 400


def test_the_requester_may_not_assign_or_prioritise(desk):
    pk = _log(desk).json()["id"]
    requester = desk.client_for("requester")
    etag = _etag(requester, pk)
    assert _api(requester, "post", f"/api/cases/{pk}/assign", {"team": desk.team.pk}, etag).status_code == 403
    assert _api(requester, "post", f"/api/cases/{pk}/priority", {"impact": 1, "urgency": 1}, etag).status_code == 403


def test_an_assignee_outside_the_team_is_named(desk):
    pk = _log(desk).json()["id"]
    agent = desk.client_for("agent")
    answer = _api(agent, "post", f"/api/cases/{pk}/assign", {"team": desk.team.pk, "assignee": desk.person("agent").pk}, '"1"')
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["assignee"]


# --- clocks ---------------------------------------------------------------------------------------


def test_the_clocks_of_the_customer_and_of_the_chain_link(desk):
    pk = _log(desk).json()["id"]
    agent = desk.client_for("agent")
    clocks = agent.get(f"/api/cases/{pk}").json()["clocks"]
    customer = [c for c in clocks if c["link_id"] is None]
    assert {c["name"] for c in customer} == {"response", "resolution"}
    resolution = next(c for c in customer if c["name"] == "resolution")
    assert (resolution["agreement_code"], resolution["target_minutes"], resolution["link_label"]) == ("SLA-WPL", 480, None)

    assigned = _api(agent, "post", f"/api/cases/{pk}/assign", {"team": desk.team.pk}, '"1"')
    assert assigned.status_code == 200, assigned.content
    ops = [c for c in assigned.json()["clocks"] if c["link_id"] == desk.ops_link.pk]
    assert [(c["name"], c["agreement_code"], c["target_minutes"]) for c in ops] == [("resolution", "OLA-HOST", 240)]
    assert ops[0]["link_label"] == str(desk.ops_link)
    assert ops[0]["status"] in ("running", "not_started", "paused")


def test_the_list_filters(desk):
    first = _log(desk, title="Printer jammed").json()
    second = _log(desk, title="Mail down", impact=1, urgency=1).json()
    agent = desk.client_for("agent")
    _api(agent, "post", f"/api/cases/{second['id']}/assign", {"team": desk.team.pk}, '"1"')

    def numbers(**params: Any) -> list[str]:
        answer = agent.get("/api/cases/", params)
        assert answer.status_code == 200, answer.content
        return [row["number"] for row in answer.json()["items"]]

    assert numbers() == [second["number"], first["number"]]
    assert numbers(q="printer") == [first["number"]]
    assert numbers(q=first["number"]) == [first["number"]]
    assert numbers(team=desk.team.pk) == [second["number"]]
    assert numbers(service=desk.hosting.pk) == []
    assert numbers(kind="change") == []
    assert numbers(state="logged", open="true") == [second["number"], first["number"]]
    assert numbers(open="false") == []
    assert numbers(breached="true") == []
    assert numbers(breached="false", limit=1) == [second["number"]]
    assert numbers(assignee=desk.person("engineer").pk) == []
    assert agent.get("/api/cases/", {"team": 2**70}).status_code == 422


def test_the_list_reads_a_fixed_number_of_queries(desk):
    agent = desk.client_for("agent")
    _log(desk)
    with CaptureQueriesContext(connection) as one:
        assert len(agent.get("/api/cases/").json()["items"]) == 1
    for number in range(9):
        logged = _log(desk, "agent", title=f"Case {number}", team=desk.team.pk, assignee=desk.person("engineer").pk)
        assert logged.status_code == 201, logged.content
    # A requester does not choose who handles their case.
    refused = _log(desk, title="Mine first", team=desk.team.pk)
    assert refused.status_code == 403
    with CaptureQueriesContext(connection) as ten:
        assert len(agent.get("/api/cases/").json()["items"]) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# --- comments -------------------------------------------------------------------------------------


def test_comments(desk):
    pk = _log(desk).json()["id"]
    answer = _api(desk.client_for("requester"), "post", f"/api/cases/{pk}/comments", {"note": "Still broken"})
    assert answer.status_code == 201, answer.content
    comment = answer.json()
    assert (comment["kind"], comment["note"], comment["actor"]) == ("comment", "Still broken", "Requester Tester")
    assert _api(desk.client_for("outsider"), "post", f"/api/cases/{pk}/comments", {"note": "Hi"}).status_code in (403, 404)
    assert _api(desk.client_for("agent"), "post", f"/api/cases/{pk}/comments", {"note": "On it"}).status_code == 201
    assert _api(desk.client_for("agent"), "post", f"/api/cases/{pk}/comments", {"note": "   "}).status_code == 422


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_gets_problem_details_naming_the_field(desk):
    def fields(answer: Any) -> list[str]:
        assert answer.status_code == 422, answer.content
        assert answer["Content-Type"] == "application/problem+json"
        return [e["field"] for e in answer.json()["errors"]]

    assert fields(_log(desk, service=2**40)) == ["service"]
    assert fields(_log(desk, team=2**40, offering=2**40)) == ["offering", "team"]
    assert fields(_log(desk, impact=7)) == ["impact"]
    assert fields(_log(desk, colour="red")) == ["colour"]
    assert fields(_log(desk, service=2**70)) == ["service"]
    assert fields(_log(desk, kind="complaint")) == ["kind"]
    assert fields(_log(desk, title="")) == ["title"]
    assert fields(_log(desk, title="A\x00B")) == ["title"]
    assert fields(_log(desk, requester_email="not an address")) == ["requester_email"]
    assert not Case.objects.exists()

    pk = _log(desk).json()["id"]
    agent = desk.client_for("agent")
    assert agent.get(f"/api/cases/{2**70}").status_code == 404
    bad = _api(agent, "post", f"/api/cases/{pk}/transition", {"transition": "assign", "fields": {"colour": 1}}, '"1"')
    assert fields(bad) == ["fields.colour"]
    naive = {"transition": "assign", "fields": {"planned_start": "2026-03-02T09:00:00"}}
    assert fields(_api(agent, "post", f"/api/cases/{pk}/transition", naive, '"1"')) == ["fields.planned_start"]
    assert fields(_api(agent, "post", f"/api/cases/{pk}/priority", {"impact": 0, "urgency": 2}, '"1"')) == ["impact"]


# --- workflows ------------------------------------------------------------------------------------


def test_workflows_are_listed_read_and_versioned(desk):
    _log(desk)
    workflow = Workflow.objects.get(kind="incident")
    smo, agent = desk.client_for("smo"), desk.client_for("agent")
    listed = agent.get("/api/workflows/").json()
    assert [(w["kind"], w["domain"], w["current_version"]) for w in listed["items"]] == [("incident", None, 1)]
    detail = agent.get(f"/api/workflows/{workflow.pk}").json()
    assert detail["current"]["definition"]["initial"] == "logged"
    assert desk.client_for("requester").get(f"/api/workflows/{workflow.pk}").status_code == 404
    assert desk.client_for("requester").get("/api/workflows/").json()["count"] == 0

    definition = detail["current"]["definition"]
    broken = {**definition, "transitions": [{**definition["transitions"][0], "to": "nowhere"}, *definition["transitions"][1:]]}
    refused = _api(smo, "post", f"/api/workflows/{workflow.pk}/versions", {"definition": broken})
    # The default workflow belongs to no domain: only a holder of the change action at the root may change it.
    assert refused.status_code == 403

    superuser = desk.client_for("superuser")
    refused = _api(superuser, "post", f"/api/workflows/{workflow.pk}/versions", {"definition": broken})
    assert refused.status_code == 422, refused.content
    problem = refused.json()
    assert {e["field"] for e in problem["errors"]} == {"definition"}
    assert "transitions[0].to" in problem["detail"]
    not_an_object = _api(superuser, "post", f"/api/workflows/{workflow.pk}/versions", {"definition": [1]})
    assert not_an_object.status_code == 422 and "definition" in not_an_object.json()["detail"]

    added = _api(superuser, "post", f"/api/workflows/{workflow.pk}/versions", {"definition": definition, "note": "Same again"})
    assert added.status_code == 201, added.content
    assert (added.json()["number"], added.json()["note"]) == (2, "Same again")
    assert agent.get(f"/api/workflows/{workflow.pk}").json()["current_version"] == 2


def test_the_smo_changes_the_workflow_of_its_domain(desk):
    _log(desk)
    definition = Workflow.objects.get(kind="incident").current_version().definition
    own = Workflow.objects.create(kind="incident", domain=desk.org.it, name="IT incidents")
    services.workflow_version_add(actor=desk.users["superuser"], workflow=own, definition=definition)
    smo = desk.client_for("smo")
    added = _api(smo, "post", f"/api/workflows/{own.pk}/versions", {"definition": definition, "note": "Reviewed"})
    assert added.status_code == 201, added.content
    assert added.json()["created_by"] == "Smo Tester"
    listed = desk.client_for("agent").get("/api/workflows/", {"domain": desk.org.it.pk}).json()
    assert [(w["name"], w["domain"]["code"], w["current_version"]) for w in listed["items"]] == [("IT incidents", "IT", 2)]


# --- the schema and fuzzing -----------------------------------------------------------------------

PREFIXES = ("/api/cases", "/api/workflows")


def test_every_field_of_the_cases_schemas_is_documented(desk):
    schema = desk.client_for("agent").get("/api/openapi.json").json()
    names: set[str] = set()

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in names:
                    names.add(name)
                    refs(schema["components"]["schemas"][name])
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    for path, operations in schema["paths"].items():
        if path.startswith(PREFIXES):
            refs(operations)
    ours = {name for name in names if name.startswith(("Case", "SlaClock", "Workflow"))}
    assert {"CaseOut", "CaseIn", "CaseTransitionIn", "SlaClockOut", "WorkflowVersionIn"} <= ours
    undocumented = [
        f"{name}.{field}"
        for name in sorted(ours)
        for field, spec in schema["components"]["schemas"][name].get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []


def test_no_request_makes_the_cases_api_fail(desk, keep_connection):  # noqa: F811
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from regie.core import services as core_services
    from regie.wsgi import application

    # Not through the test client: it would connect again the signal that closes the connection after a
    # request, which ``keep_connection`` takes away for the WSGI calls below (on PostgreSQL it would close
    # the test's connection).
    pk = services.case_register(actor=desk.users["requester"], kind="incident", service=desk.service, title="No mail").pk
    workflow = Workflow.objects.get().pk
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    _token, raw = core_services.token_create(user=desk.users["agent"], name="fuzz")
    ours = [result.ok() for result in schema.get_all_operations()]
    ours = [op for op in ours if op.path.startswith(PREFIXES)]
    assert len(ours) == 12
    for operation in ours:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            if case.path_parameters and case.path_parameters.get("pk", 0) % 2 == 0:
                # Half of the requests name a record that exists, so that they reach the services.
                case.path_parameters["pk"] = workflow if case.path.startswith("/api/workflows") else pk
            response = case.call(headers={"Authorization": f"Bearer {raw}", "If-Match": '"1"'})
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])

        check()


def test_the_smo_gives_its_domain_its_own_workflow(desk):
    """A copy of the organisation's workflow, for the domain's new cases; one per process and domain; only
    where the caller may add workflows."""
    _log(desk)
    default = Workflow.objects.get(kind="incident", domain=None)
    smo = desk.client_for("smo")
    refused = _api(smo, "post", "/api/workflows/", {"kind": "incident", "domain": desk.org.hr.pk})
    assert refused.status_code == 422 and "domain" in refused.json()["detail"]  # not a domain the officer sees
    assert (
        _api(desk.client_for("agent"), "post", "/api/workflows/", {"kind": "incident", "domain": desk.org.it.pk}).status_code
        == 403
    )
    made = _api(smo, "post", "/api/workflows/", {"kind": "incident", "domain": desk.org.it.pk})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["domain"]["code"], body["current_version"]) == ("Incident (Information technology)", "IT", 1)
    assert body["current"]["definition"] == default.current_version().definition
    again = _api(smo, "post", "/api/workflows/", {"kind": "incident", "domain": desk.org.it.pk, "name": "Twice"})
    assert again.status_code == 422 and "already has a workflow" in again.json()["detail"]
    assert _api(smo, "post", "/api/workflows/", {"kind": "outage", "domain": desk.org.it.pk}).status_code == 422
    # The domain's next case follows its own workflow; the case logged before keeps the default's version.
    case = _log(desk).json()
    assert Case.objects.get(pk=case["id"]).workflow_version.workflow_id == body["id"]
    assert Case.objects.exclude(pk=case["id"]).get().workflow_version.workflow_id == default.pk
