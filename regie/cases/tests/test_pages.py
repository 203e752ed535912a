"""The case pages: a customer logs an incident on the form, the desk assigns it, the team works it through
its workflow's steps (a step missing a required field says which), the queue and "My work" show it, and
what a person may not see stays hidden."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regie.cases import services
from regie.cases.models import Case, CaseEvent
from regie.cases.tests.conftest import at

pytestmark = pytest.mark.django_db


def _log(desk, **extra) -> Case:
    return services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title=extra.pop("title", "No mail"), **extra
    )


def test_a_customer_logs_an_incident_on_the_form(desk):
    client = desk.client_for("requester")
    form = client.get("/cases/new/").content.decode()
    assert f'value="{desk.service.pk}"' in form  # the service serves the requester's unit
    response = client.post(
        "/cases/new/",
        {"kind": "incident", "service": desk.service.pk, "title": "Laptop cannot reach mail", "impact": 2, "urgency": 1},
    )
    case = Case.objects.get(title="Laptop cannot reach mail")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.number, case.state, case.priority, case.requester) == (
        f"INC-{case.pk:06d}",
        "logged",
        2,
        desk.person("requester"),
    )
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Laptop cannot reach mail" in page and 'id="work-instruction"' in page
    assert 'data-step="cancel"' in page and 'data-step="assign"' not in page  # the requester may only cancel


def test_a_form_without_a_title_or_with_someone_elses_service_stores_nothing(desk):
    client = desk.client_for("outsider")
    page = client.post("/cases/new/", {"kind": "incident", "service": desk.service.pk, "title": "", "impact": 2, "urgency": 2})
    assert page.status_code == 200 and not Case.objects.exists()
    text = page.content.decode()
    assert "Select a valid choice" in text  # the outsider's unit is not a customer of the service


def test_the_desk_assigns_and_the_team_resolves_through_the_pages(desk):
    case = _log(desk)
    agent, engineer = desk.client_for("agent"), desk.client_for("engineer")
    assert engineer.get(case.get_absolute_url()).status_code == 404  # not the team's yet
    response = agent.post(
        f"/cases/{case.pk}/assign/",
        {"team": desk.team.pk, "assignee": desk.person("engineer").pk, "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert agent.post(f"/cases/{case.pk}/steps/assign/", {"version": case.version}).status_code == 302
    case.refresh_from_db()
    assert engineer.post(f"/cases/{case.pk}/steps/start/", {"version": case.version}).status_code == 302
    case.refresh_from_db()
    refused = engineer.post(f"/cases/{case.pk}/steps/resolve/", {"version": case.version, "resolution": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    case.refresh_from_db()
    assert case.state == "in_progress"
    done = engineer.post(f"/cases/{case.pk}/steps/resolve/", {"version": case.version, "resolution": "Mailbox moved back"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.resolution) == ("resolved", "Mailbox moved back") and case.resolved_at is not None
    kinds = list(CaseEvent.objects.filter(case=case).exclude(kind="mail_out").values_list("kind", "transition"))
    assert kinds == [("created", ""), ("assigned", ""), ("state", "assign"), ("state", "start"), ("state", "resolve")]
    page = agent.get(case.get_absolute_url()).content.decode()
    assert 'data-clock="resolution"' in page and "SLA-WPL" in page and "OLA-HOST" in page


def test_a_stale_form_changes_nothing(desk):
    case = _log(desk)
    agent = desk.client_for("agent")
    stale = case.version
    services.case_assign(actor=desk.users["agent"], case=case, team=desk.team, expected_version=stale)
    response = agent.post(f"/cases/{case.pk}/priority/", {"impact": 1, "urgency": 1, "version": stale})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == 3


def test_the_queue_and_my_work_show_the_teams_cases_with_breaches_marked(desk):
    case = _log(desk, at=at(2, 9))
    services.case_assign(actor=desk.users["agent"], case=case, team=desk.team, expected_version=case.version)
    late = _log(desk, title="Printer", at=at(2, 9))
    services.case_assign(actor=desk.users["agent"], case=late, team=desk.team, expected_version=late.version)
    queue = desk.client_for("agent").get(f"/cases/queue/?team={desk.team.pk}").content.decode()
    assert f'data-case="{case.number}"' in queue and f'data-case="{late.number}"' in queue
    assert 'data-breached="1"' in queue  # logged on 2 March, resolution target 480 business minutes: long gone
    my_work = desk.client_for("engineer").get("/my-work/").content.decode()
    assert case.number in my_work and "in your team" in my_work
    assert case.number in desk.client_for("requester").get("/my-work/").content.decode()


def test_the_outsider_sees_no_case_and_the_list_reads_a_fixed_number_of_queries(desk):
    for n in range(2):
        _log(desk, title=f"Case {n}")
    agent = desk.client_for("agent")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent.get("/cases/").status_code == 200
        return len(queries)

    count()
    before = count()
    for n in range(8):
        _log(desk, title=f"More {n}")
    assert count() == before
    assert "No cases." in desk.client_for("outsider").get("/cases/").content.decode()


def test_an_incident_is_linked_to_its_problem_whose_workaround_is_a_known_error(desk):
    incident = _log(desk, title="Mail stops every morning")
    problem = services.case_register(
        actor=desk.users["agent"], kind="problem", service=desk.service, title="Mail server memory leak"
    )
    Case.objects.filter(pk=problem.pk).update(cause="A memory leak in the mail filter", workaround="Restart the filter at 07:00")
    agent = desk.client_for("agent")
    assert agent.post(f"/cases/{incident.pk}/links/", {"kind": "caused_by", "number": problem.number}).status_code == 302
    assert incident.links_out.get().target == problem
    page = agent.get(incident.get_absolute_url()).content.decode()
    assert problem.number in page and "is caused by" in page
    assert problem.number in agent.get(problem.get_absolute_url()).content.decode()
    agent.post(f"/cases/{incident.pk}/links/", {"kind": "caused_by", "number": incident.number})
    assert incident.links_out.count() == 1  # not to itself
    # The requester may not link cases.
    desk.client_for("requester").post(f"/cases/{incident.pk}/links/", {"kind": "related", "number": problem.number})
    assert incident.links_out.count() == 1
    known = agent.get("/cases/known-errors/?q=filter").content.decode()
    assert "Restart the filter at 07:00" in known and problem.number in known
    assert "Restart the filter" not in desk.client_for("outsider").get("/cases/known-errors/").content.decode()


def test_a_realisation_task_is_on_my_work_of_its_team(desk):
    from regie.cases.models import CaseTask

    change = services.case_register(actor=desk.users["requester"], kind="change", service=desk.service, title="New mail filter")
    CaseTask.objects.create(case=change, title="Install the filter on the mail servers", team=desk.team)
    assert "Install the filter on the mail servers" in desk.client_for("engineer").get("/my-work/").content.decode()
    assert "Install the filter" not in desk.client_for("agent").get("/my-work/").content.decode()


def test_a_new_workflow_version_is_checked_whole_and_running_cases_keep_theirs(desk):
    import json

    from regie.cases.models import Workflow

    running = _log(desk)
    workflow = Workflow.objects.get(kind="incident", domain__isnull=True)
    smo = desk.client_for("smo")
    listed = smo.get("/workflows/").content.decode()
    assert 'data-kind="incident"' in listed and 'data-kind="change"' in listed
    assert smo.get(f"/workflows/{workflow.pk}/new-version/").status_code == 403  # the default is the organisation's
    admin = desk.client_for("administrator")
    assert "This is not valid JSON" in admin.post(f"/workflows/{workflow.pk}/new-version/", {"definition": "{"}).content.decode()
    definition = running.workflow_version.definition
    broken = json.loads(json.dumps(definition))
    broken["transitions"][0]["to"] = "nowhere"
    page = admin.post(f"/workflows/{workflow.pk}/new-version/", {"definition": json.dumps(broken)}).content.decode()
    assert 'id="workflow-problems"' in page and "transitions[0].to" in page
    assert workflow.versions.count() == 1
    changed = json.loads(json.dumps(definition))
    changed["states"][0]["instruction"] = "Ask for the asset tag first."
    done = admin.post(f"/workflows/{workflow.pk}/new-version/", {"definition": json.dumps(changed), "note": "Asset tag"})
    assert done.status_code == 302 and workflow.versions.count() == 2
    running.refresh_from_db()
    assert running.workflow_version.number == 1  # running cases keep their version
    new = _log(desk, title="Another")
    assert new.workflow_version.number == 2
    assert "Ask for the asset tag first." in desk.client_for("requester").get(new.get_absolute_url()).content.decode()


def test_the_smo_makes_its_domain_a_workflow_of_its_own_then_changes_it(desk):
    from regie.cases.models import Workflow

    smo = desk.client_for("smo")
    assert 'id="workflow-new"' in smo.get("/workflows/").content.decode()
    assert 'id="workflow-new"' not in desk.client_for("agent").get("/workflows/").content.decode()
    assert desk.client_for("agent").get("/workflows/new/").status_code == 403
    form = smo.get("/workflows/new/").content.decode()
    assert f'value="{desk.org.it.pk}"' in form and f'value="{desk.org.hr.pk}"' not in form  # only where it may add
    missing = smo.post("/workflows/new/", {"kind": "", "domain": ""}).content.decode()
    assert 'id="workflow-problems"' in missing and "Choose one of the processes" in missing and "Choose the domain" in missing
    done = smo.post("/workflows/new/", {"kind": "change", "domain": desk.org.it.pk, "name": "IT changes"})
    own = Workflow.objects.get(kind="change", domain=desk.org.it)
    assert done.status_code == 302 and done["Location"] == own.get_absolute_url()
    assert (own.name, own.current_version().number) == ("IT changes", 1)
    twice = smo.post("/workflows/new/", {"kind": "change", "domain": desk.org.it.pk}).content.decode()
    assert "This domain already has a workflow for this process." in twice
    # Its own: the officer of the domain may change it (the organisation's default is not theirs).
    assert smo.get(f"/workflows/{own.pk}/new-version/").status_code == 200


def test_the_change_manager_keeps_freeze_windows_the_desk_reads_them(desk):
    from regie.cases.models import FreezeWindow

    manager = desk.client_for("change_manager")
    bad = manager.post(
        "/freeze-windows/add/",
        {"name": "Year-end close", "domain": desk.org.it.pk, "start": "2026-12-31T08:00", "end": "2026-12-20T08:00"},
    )
    assert bad.status_code == 400 and not FreezeWindow.objects.exists()
    assert "ends after it starts" in bad.content.decode()
    done = manager.post(
        "/freeze-windows/add/",
        {"name": "Year-end close", "domain": desk.org.it.pk, "start": "2026-12-20T08:00", "end": "2026-12-31T18:00"},
    )
    assert done.status_code == 302 and FreezeWindow.objects.get().name == "Year-end close"
    assert "Year-end close" in desk.client_for("agent").get("/freeze-windows/").content.decode()
    assert desk.client_for("agent").get("/freeze-windows/add/").status_code == 403
    assert desk.client_for("requester").get("/freeze-windows/").status_code == 403


def test_each_clock_shows_its_timeline(desk):
    from regie.cases.tests.test_clocks import _incident_via_the_supplier

    case = _incident_via_the_supplier(desk)
    page = desk.client_for("agent").get(case.get_absolute_url()).content.decode()
    supplier = page[page.index(f'data-link="{desk.supplier_link.pk}"') :]
    supplier = supplier[: supplier.index("</details>")]
    # The supplier held the case 11:00–15:00: 180 business minutes (the lunch hour does not count).
    assert "held by this link" in supplier and "+180 = 180" in supplier
    customer = page[page.index('data-clock="resolution" data-link=""') :]
    customer = customer[: customer.index("</details>")]
    assert customer.count('data-mode="paused"') == 1 and "Waiting for supplier" in customer


def test_a_team_with_a_task_on_a_change_sees_the_change(desk):
    from regie.cases.models import CaseTask
    from regie.core.models import Team

    change = services.case_register(actor=desk.users["requester"], kind="change", service=desk.service, title="New mail filter")
    other = Team.objects.create(code="NET", name="Network", org_unit=desk.org.unit_b, domain=desk.org.it)
    other.members.add(desk.person("outsider"))
    outsider = desk.client_for("outsider")
    assert outsider.get(change.get_absolute_url()).status_code == 404
    CaseTask.objects.create(case=change, title="Open the firewall for the filter", team=other)
    page = outsider.get(change.get_absolute_url())
    assert page.status_code == 200 and "Open the firewall for the filter" in page.content.decode()
