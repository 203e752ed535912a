"""Change management on the desk's Workplace service: the requester logs a change, the change manager
assesses it, the change advisory board (two approvals for a high risk, one otherwise; any rejection
rejects) decides, and a third person, the engineer of team Operations, realises it with realisation tasks
for several teams; freeze windows refuse realisation, overlapping changes are warnings on the calendar.
Segregation of duties is checked as a matrix of people × actions, through the services and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from regie.cases import change_views, changes, services
from regie.cases.models import Case, CaseEvent, CaseTask, ChangeApproval, FreezeWindow
from regie.cases.tests.conftest import at
from regie.core.models import RoleAssignment, Team
from regie.core.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

WINDOW = {"planned_start": at(10, 20), "planned_end": at(10, 22)}
WINDOW_FORM = {"planned_start": "2026-03-10T20:00", "planned_end": "2026-03-10T22:00"}


def _login(desk: Any, name: str, role: str | None = None, team: Team | None = None) -> Any:
    user = UserFactory(username=name)
    person = PersonFactory(user=user, given_name=name.replace("_", " ").title(), family_name="Tester")
    if role:
        RoleAssignment.objects.create(person=person, role=role, scope=desk.org.it.scope)
    if team is not None:
        team.members.add(person)
    desk.users[name] = user
    return user


@pytest.fixture
def cab(desk: Any) -> Any:
    """A second approver: a member of the change advisory board on the IT domain."""
    return _login(desk, "cab", "cab_member")


@pytest.fixture
def network(desk: Any) -> Team:
    """A second team, with an engineer of its own."""
    team = Team.objects.create(code="NET", name="Network", org_unit=desk.org.unit_b, domain=desk.org.it)
    _login(desk, "network_engineer", "member", team)
    return team


def _step(desk: Any, case: Case, who: str, transition: str, **extra: Any) -> Case:
    case.refresh_from_db()
    return services.case_transition(
        actor=desk.users[who], case=case, transition=transition, expected_version=case.version, **extra
    )


def _logged(desk: Any, title: str = "Replace the mail gateway", **fields: Any) -> Case:
    return services.case_register(actor=desk.users["requester"], kind="change", service=desk.service, title=title, **fields)


def _assessed(desk: Any, risk: int = 1, **fields: Any) -> Case:
    case = _logged(desk, **fields)
    return _step(desk, case, "change_manager", "assess", fields={"risk": risk, "impact_assessment": "Mail stops for ten minutes"})


def _decide(desk: Any, case: Case, who: str, approved: bool = True, note: str = "Agreed") -> ChangeApproval:
    return changes.change_decide(actor=desk.users[who], case=case, approved=approved, note=note)


def _approved(desk: Any, risk: int = 2) -> Case:
    """Assessed by the change manager, approved by the board member, held by team Operations."""
    case = _assessed(desk, risk=risk)
    _decide(desk, case, "cab")
    case.refresh_from_db()
    assert case.state == "approved"
    return services.case_assign(actor=desk.users["agent"], case=case, team=desk.team, expected_version=case.version)


def _in_realisation(desk: Any) -> Case:
    return _step(desk, _approved(desk), "engineer", "realise", fields=WINDOW)


def _offered(desk: Any, who: str, case: Case) -> set[str]:
    case.refresh_from_db()
    return {step.code for step in services.steps_for(desk.users[who], case)}


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the whole life of a high-risk change ----------------------------------------------------------------


def test_a_high_risk_change_from_request_to_realisation(desk, cab, network):
    case = _logged(desk)
    assert case.state == "specified" and case.requester == desk.person("requester")
    with pytest.raises(PermissionDenied):
        _step(desk, case, "requester", "assess", fields={"risk": 1, "impact_assessment": "x"})
    with pytest.raises(ValidationError) as missing:
        _step(desk, case, "change_manager", "assess")
    assert set(missing.value.message_dict) == {"risk", "impact_assessment"}
    case = _assessed(desk, risk=1)

    # The requester may not decide, neither on the board's form nor by taking the step.
    with pytest.raises(PermissionDenied):
        _decide(desk, case, "requester")
    assert "approve" not in _offered(desk, "requester", case)
    with pytest.raises(PermissionDenied):
        _step(desk, case, "requester", "approve", note="Mine")

    # The assessor may approve; a high risk needs a second approval.
    _decide(desk, case, "change_manager", note="Risk is covered by the fallback")
    case.refresh_from_db()
    status = changes.approval_status(case)
    assert (case.state, status.approvals, status.needed, status.describe()) == ("assessed", 1, 2, "1 of 2 approvals")
    with pytest.raises(ValidationError, match="already decided"):
        _decide(desk, case, "change_manager")
    _decide(desk, case, "cab", note="Go ahead")
    case.refresh_from_db()
    assert case.state == "approved"
    last = CaseEvent.objects.filter(case=case, kind="state").latest("at", "id")
    assert (last.transition, last.actor, last.note) == ("approve", cab, "Go ahead")
    assert sorted(case.approvals.values_list("approver__user__username", "approved")) == [
        ("cab", True),
        ("change_manager", True),
    ]

    # Neither the assessor nor the approver realises it, even as a member of the team that does.
    desk.team.members.add(desk.person("change_manager"), cab.person)
    case = services.case_assign(actor=desk.users["agent"], case=case, team=desk.team, expected_version=case.version)
    for who in ("change_manager", "cab"):
        assert "realise" not in _offered(desk, who, case)
        with pytest.raises(PermissionDenied):
            _step(desk, case, who, "realise", fields=WINDOW)
    case = _step(desk, case, "engineer", "realise", fields=WINDOW)
    assert (case.state, case.planned_start, case.planned_end) == ("in_realisation", at(10, 20), at(10, 22))

    # Realisation tasks for two teams: "complete" waits for them.
    ops = changes.task_add(actor=desk.users["change_manager"], case=case, title="Swap the gateway", team=desk.team)
    net = changes.task_add(
        actor=desk.users["change_manager"],
        case=case,
        title="Open the firewall",
        team=network,
        assignee=desk.person("network_engineer"),
        due_at=at(10, 21),
    )
    with pytest.raises(ValidationError, match="2 realisation tasks are still open"):
        _step(desk, case, "engineer", "complete", note="Done")
    network.members.add(desk.person("change_manager"))
    for who in ("change_manager", "cab", "requester", "engineer"):  # approvers, no member, another team
        with pytest.raises(PermissionDenied):
            changes.task_done(actor=desk.users[who], task=net)
    changes.task_done(actor=desk.users["network_engineer"], task=net)
    with pytest.raises(ValidationError, match="1 realisation task is still open"):
        _step(desk, case, "engineer", "complete", note="Done")
    changes.task_done(actor=desk.users["engineer"], task=ops)
    net.refresh_from_db()
    assert (net.done_by, net.version) == (desk.person("network_engineer"), 2)
    with pytest.raises(ValidationError, match="already done"):
        changes.task_done(actor=desk.users["engineer"], task=ops)

    for who in ("change_manager", "cab"):
        assert "complete" not in _offered(desk, who, case)
        with pytest.raises(PermissionDenied):
            _step(desk, case, who, "complete", note="Done")
    case = _step(desk, case, "engineer", "complete", note="Gateway replaced")
    assert case.state == "realised"
    transitions = list(CaseEvent.objects.filter(case=case, kind="state").values_list("transition", "actor__username"))
    assert transitions == [
        ("assess", "change_manager"),
        ("approve", "cab"),
        ("realise", "engineer"),
        ("complete", "engineer"),
    ]


# --- the approval rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("risk", "needed"), [(1, 2), (2, 1), (3, 1)])
def test_the_approvals_a_change_needs_follow_its_risk(desk, cab, risk, needed):
    case = _assessed(desk, risk=risk)
    _decide(desk, case, "change_manager")
    case.refresh_from_db()
    assert changes.approval_status(case).needed == needed
    assert case.state == ("approved" if needed == 1 else "assessed")


def test_the_change_manager_alone_approves_a_medium_risk_change_by_taking_the_step(desk):
    case = _assessed(desk, risk=2)
    assert "approve" in _offered(desk, "change_manager", case)
    case = _step(desk, case, "change_manager", "approve", note="Standard gateway swap")
    assert case.state == "approved"
    assert list(case.approvals.values_list("approver__user__username", "approved")) == [("change_manager", True)]


def test_taking_approve_directly_records_the_decision_and_needs_the_rule(desk, cab):
    case = _assessed(desk, risk=1)
    with pytest.raises(ValidationError, match="needs 2 approvals, has 1"):
        _step(desk, case, "change_manager", "approve", note="Fine by me")
    case.refresh_from_db()
    assert case.state == "assessed"
    assert list(case.approvals.values_list("approver__user__username", "approved")) == [("change_manager", True)]
    # Taking it again adds nothing: one decision per person.
    with pytest.raises(ValidationError, match="needs 2 approvals, has 1"):
        _step(desk, case, "change_manager", "approve", note="Still fine")
    assert case.approvals.count() == 1
    case = _step(desk, case, "cab", "approve", note="Agreed")
    assert case.state == "approved" and case.approvals.filter(approved=True).count() == 2


def test_any_rejection_rejects(desk, cab):
    case = _assessed(desk, risk=1)
    _decide(desk, case, "change_manager")
    _decide(desk, case, "cab", approved=False, note="No way back if it fails")
    case.refresh_from_db()
    assert case.state == "rejected" and case.closed_at is not None
    last = CaseEvent.objects.filter(case=case, kind="state").latest("at", "id")
    assert (last.transition, last.actor) == ("reject", cab)
    assert changes.approval_status(case).outcome == "reject"


def test_a_rejection_by_taking_the_step_is_recorded(desk):
    case = _step(desk, _assessed(desk, risk=1), "change_manager", "reject", note="Too risky")
    assert case.state == "rejected"
    assert list(case.approvals.values_list("approved", flat=True)) == [False]


def test_whoever_specified_a_change_does_not_decide_on_it_even_as_an_approver(desk, cab):
    case = services.case_register(
        actor=desk.users["change_manager"], kind="change", service=desk.service, title="Upgrade the gateway"
    )
    _step(desk, case, "smo", "assess", fields={"risk": 1, "impact_assessment": "Short outage"})
    with pytest.raises(PermissionDenied, match="specified this change"):
        _decide(desk, case, "change_manager")
    assert "approve" not in _offered(desk, "change_manager", case)
    response = desk.client_for("change_manager").post(f"/changes/{case.pk}/approvals/", {"decision": "approve", "note": "Mine"})
    assert response.status_code == 403 and not case.approvals.exists()
    _decide(desk, case, "cab")
    case.refresh_from_db()
    assert case.state == "assessed" and changes.approval_status(case).describe() == "1 of 2 approvals"


def test_decisions_are_taken_only_while_the_change_is_assessed(desk, cab):
    case = _logged(desk)
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        _decide(desk, case, "cab")
    case = _approved(desk)
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        _decide(desk, case, "change_manager")
    assert not ChangeApproval.objects.filter(approver=desk.person("change_manager")).exists()


def test_a_decision_needs_a_reason(desk, cab):
    case = _assessed(desk)
    with pytest.raises(ValidationError) as refused:
        _decide(desk, case, "cab", note="  ")
    assert "note" in refused.value.message_dict and not case.approvals.exists()


def test_only_approvers_of_the_service_scope_decide(desk):
    _login(desk, "cab_hr", "cab_member")
    RoleAssignment.objects.filter(person__user__username="cab_hr").update(scope=desk.org.hr.scope)
    case = _assessed(desk)
    for who in ("cab_hr", "agent", "smo", "engineer"):
        with pytest.raises(PermissionDenied):
            _decide(desk, case, who)
    assert not case.approvals.exists()


# --- planned window, freeze windows and conflicts ------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "start", "end", "refused"),
    [
        ("IT", at(10, 18), at(11, 6), True),  # the whole window
        (None, at(10, 21), at(10, 23), True),  # every domain, the end of the window
        ("HR", at(10, 18), at(11, 6), False),  # another domain's freeze
        ("IT", at(10, 22), at(11, 6), False),  # starts as the change ends
    ],
)
def test_a_freeze_window_refuses_realisation(desk, cab, domain, start, end, refused):
    domains = {"IT": desk.org.it, "HR": desk.org.hr, None: None}
    freeze = FreezeWindow.objects.create(name="Month-end close", domain=domains[domain], start=start, end=end)
    case = _approved(desk)
    if not refused:
        assert _step(desk, case, "engineer", "realise", fields=WINDOW).state == "in_realisation"
        assert changes.conflicts(case).freeze_windows == []
        return
    with pytest.raises(ValidationError) as error:
        _step(desk, case, "engineer", "realise", fields=WINDOW)
    assert list(error.value.message_dict) == ["planned_start"]
    assert "Month-end close" in _messages(error.value)
    case.refresh_from_db()
    assert (case.state, case.planned_start) == ("approved", None)
    case.planned_start, case.planned_end = WINDOW["planned_start"], WINDOW["planned_end"]
    assert changes.conflicts(case).freeze_windows == [freeze]


def test_the_realise_form_names_the_freeze_window_at_the_planned_start(desk, cab):
    FreezeWindow.objects.create(name="Year-end close", domain=desk.org.it, start=at(10, 0), end=at(12, 0))
    case = _approved(desk)
    response = desk.client_for("engineer").post(f"/cases/{case.pk}/steps/realise/", {"version": case.version, **WINDOW_FORM})
    assert response.status_code == 200
    form = response.context["steps"][0]["form"]
    assert list(form.errors) == ["planned_start"] and "Year-end close" in form.errors["planned_start"][0]
    case.refresh_from_db()
    assert case.state == "approved"


def test_the_planned_end_comes_after_the_start(desk, cab):
    case = _approved(desk)
    with pytest.raises(ValidationError) as error:
        _step(desk, case, "engineer", "realise", fields={"planned_start": at(10, 22), "planned_end": at(10, 22)})
    assert list(error.value.message_dict) == ["planned_end"]
    case.refresh_from_db()
    assert case.state == "approved"


def test_overlapping_changes_are_conflicts_not_refusals(desk, cab):
    from regie.configuration.models import ConfigurationItem, ItemType

    server_type = ItemType.objects.create(code="SRV", name="Server", domain=desk.org.it)
    gateway = ConfigurationItem.objects.create(item_type=server_type, name="Gateway", identifier="gw01", domain=desk.org.it)
    first = _assessed(desk, risk=2, planned_start=at(10, 20), planned_end=at(10, 22))
    second = _logged(desk, "Patch the mail servers", planned_start=at(10, 21), planned_end=at(11, 1))
    later = _logged(desk, "Tidy the mailboxes", planned_start=at(11, 1), planned_end=at(11, 2))
    elsewhere = services.case_register(
        actor=desk.users["agent"],
        kind="change",
        service=desk.hosting,
        title="Move the hosting racks",
        planned_start=at(10, 19),
        planned_end=at(10, 23),
    )
    same_item = services.case_register(
        actor=desk.users["agent"],
        kind="change",
        service=desk.hosting,
        title="Replace the gateway's disks",
        configuration_item=gateway,
        planned_start=at(10, 21),
        planned_end=at(10, 21, 30),
    )
    Case.objects.filter(pk=first.pk).update(configuration_item=gateway)
    first.refresh_from_db()
    assert changes.conflicts(first).changes == [second, same_item]
    assert changes.conflicts(second).changes == [first]
    assert changes.conflicts(later).changes == []  # starts as the second ends
    assert changes.conflicts(elsewhere).changes == [same_item]  # the same service (hosting)

    # A conflict warns; it does not refuse.
    _decide(desk, first, "cab")
    first.refresh_from_db()
    first = services.case_assign(actor=desk.users["agent"], case=first, team=desk.team, expected_version=first.version)
    assert _step(desk, first, "engineer", "realise").state == "in_realisation"

    # A closed change no longer conflicts, but stays on the calendar.
    _step(desk, second, "change_manager", "assess", fields={"risk": 3, "impact_assessment": "None"})
    _decide(desk, second, "cab", approved=False, note="Duplicate")
    calendar = changes.change_calendar(desk.users["change_manager"], at(1, 0), at(31, 23))
    assert calendar.changes == [elsewhere, first, second, same_item, later]
    assert calendar.conflicts_of(first).changes == [same_item]
    assert calendar.conflicts_of(second).changes == [] and calendar.conflicts_of(later).changes == []
    assert changes.conflicts(first).changes == [same_item]


def test_the_calendar_shows_only_what_the_person_may_see(desk, cab):
    mine = _logged(desk, planned_start=at(10, 20), planned_end=at(10, 22))
    agents = services.case_register(
        actor=desk.users["agent"],
        kind="change",
        service=desk.service,
        title="Agent's change",
        planned_start=at(10, 21),
        planned_end=at(10, 23),
    )
    _logged(desk, "In April", planned_start=at(31, 23) + dt.timedelta(days=1), planned_end=at(31, 23) + dt.timedelta(days=2))
    march = (at(1, 0), at(1, 0) + dt.timedelta(days=31))
    assert changes.change_calendar(desk.users["change_manager"], *march).changes == [mine, agents]
    requester = changes.change_calendar(desk.users["requester"], *march)
    assert requester.changes == [mine]
    assert requester.conflicts_of(mine).changes == [agents]  # its existence matters, even unseen
    assert changes.change_calendar(desk.users["outsider"], *march).changes == []


# --- realisation tasks ---------------------------------------------------------------------------------


def test_tasks_are_added_by_those_who_handle_the_change_while_it_is_realised(desk, cab, network):
    case = _assessed(desk)
    with pytest.raises(ValidationError, match="once the change is approved"):
        changes.task_add(actor=desk.users["change_manager"], case=case, title="Too early", team=desk.team)
    case = _approved(desk)
    with pytest.raises(PermissionDenied):
        changes.task_add(actor=desk.users["engineer"], case=case, title="Not mine to plan", team=desk.team)
    with pytest.raises(ValidationError) as not_member:
        changes.task_add(actor=desk.users["agent"], case=case, title="Cable", team=network, assignee=desk.person("engineer"))
    assert list(not_member.value.message_dict) == ["assignee"]
    network.members.add(cab.person)
    with pytest.raises(ValidationError) as approver:
        changes.task_add(actor=desk.users["agent"], case=case, title="Cable", team=network, assignee=cab.person)
    assert "approved this change" in _messages(approver.value)
    task = changes.task_add(actor=desk.users["agent"], case=case, title="Cable", team=network)
    assert (task.case, task.team, task.done_at) == (case, network, None)
    assert changes.open_tasks(case).count() == 1


# --- a matrix of people × actions, through the services and the pages -------------------------------------

PEOPLE = ("requester", "change_manager", "cab", "agent", "engineer", "outsider")
ALLOWED = {"decide": {"change_manager", "cab"}, "realise": {"engineer"}, "complete": {"engineer"}}


def _for(desk: Any, action: str) -> Case:
    """The change as it stands when the action is due; the change manager and the board member are in team
    Operations too, so that only segregation of duties keeps them from realising it."""
    desk.team.members.add(desk.person("change_manager"), desk.person("cab"))
    if action == "decide":
        return _assessed(desk, risk=2)
    if action == "realise":
        return _approved(desk)
    return _in_realisation(desk)


def _act(desk: Any, who: str, action: str, case: Case) -> None:
    if action == "decide":
        _decide(desk, case, who)
    elif action == "realise":
        _step(desk, case, who, "realise", fields=WINDOW)
    else:
        _step(desk, case, who, "complete", note="Done")


AFTER = {"decide": "approved", "realise": "in_realisation", "complete": "realised"}
STEP = {"decide": "approve", "realise": "realise", "complete": "complete"}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_who_may_decide_realise_and_complete_through_the_services(desk, cab, action, who):
    case = _for(desk, action)
    before = case.state
    allowed = who in ALLOWED[action]
    assert (STEP[action] in _offered(desk, who, case)) == allowed
    if allowed:
        _act(desk, who, action, case)
    else:
        with pytest.raises(PermissionDenied):
            _act(desk, who, action, case)
    case.refresh_from_db()
    assert case.state == (AFTER[action] if allowed else before)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_who_may_decide_realise_and_complete_through_the_pages(desk, cab, action, who):
    case = _for(desk, action)
    before = case.state
    client = desk.client_for(who)
    if action == "decide":
        response = client.post(f"/changes/{case.pk}/approvals/", {"decision": "approve", "note": "Agreed"})
    else:
        data = {"version": case.version, "note": "Done", **(WINDOW_FORM if action == "realise" else {})}
        response = client.post(f"/cases/{case.pk}/steps/{STEP[action]}/", data)
    allowed = who in ALLOWED[action]
    sees = who != "outsider" and not (who == "engineer" and action == "decide")  # not the team's case yet
    expected = 302 if allowed else 403 if sees else 404
    assert response.status_code == expected
    case.refresh_from_db()
    assert case.state == (AFTER[action] if allowed else before)


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_board_decides_on_the_approvals_page(desk, cab):
    case = _assessed(desk, risk=1)
    url = f"/changes/{case.pk}/approvals/"
    manager = desk.client_for("change_manager")
    page = manager.get(url).content.decode()
    assert 'id="change-decide-form"' in page and "0 of 2 approvals" in page
    refused = manager.post(url, {"decision": "approve", "note": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert not case.approvals.exists()
    response = manager.post(url, {"decision": "approve", "note": "Fallback is ready"})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    page = manager.get(url).content.decode()
    assert "1 of 2 approvals" in page and "Fallback is ready" in page
    assert 'id="change-decide-form"' not in page and "already decided" in page
    again = manager.post(url, {"decision": "reject", "note": "Changed my mind"})
    assert again.status_code == 200 and "already decided" in again.content.decode()
    requester_page = desk.client_for("requester").get(url).content.decode()
    assert 'id="change-decide-form"' not in requester_page and "1 of 2 approvals" in requester_page
    assert desk.client_for("cab").post(url, {"decision": "approve", "note": "Go"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "approved"
    assert desk.client_for("outsider").get(url).status_code == 404


def test_tasks_on_the_page(desk, cab, network):
    case = _in_realisation(desk)
    url = f"/changes/{case.pk}/approvals/"
    manager, engineer = desk.client_for("change_manager"), desk.client_for("engineer")
    assert engineer.post(f"/changes/{case.pk}/tasks/", {"title": "Mine", "team": desk.team.pk}).status_code == 403
    bad = manager.post(
        f"/changes/{case.pk}/tasks/",
        {"title": "Open the firewall", "team": network.pk, "assignee": desk.person("engineer").pk},
    )
    assert bad.status_code == 200 and "is not a member of Network" in bad.content.decode()
    for title, team in (("Swap the gateway", desk.team), ("Open the firewall", network)):
        response = manager.post(f"/changes/{case.pk}/tasks/", {"title": title, "team": team.pk, "due_at": "2026-03-10T21:00"})
        assert response.status_code == 302
    ops, net = CaseTask.objects.filter(case=case).order_by("pk")
    assert ops.due_at == at(10, 21)

    page = engineer.get(url).content.decode()
    assert 'data-open="2"' in page
    assert f'action="/changes/tasks/{ops.pk}/done/"' in page and f'action="/changes/tasks/{net.pk}/done/"' not in page
    assert 'id="change-task-form"' not in page  # the engineer does not plan the change
    refused = engineer.post(f"/cases/{case.pk}/steps/complete/", {"version": case.version, "note": "Done"})
    assert refused.status_code == 200 and "2 realisation tasks are still open" in refused.content.decode()

    assert desk.client_for("cab").post(f"/changes/tasks/{ops.pk}/done/").status_code == 403
    assert desk.client_for("outsider").post(f"/changes/tasks/{ops.pk}/done/").status_code == 404
    assert engineer.post(f"/changes/tasks/{ops.pk}/done/")["Location"] == case.get_absolute_url()
    # The network engineer's team has a task on the change: they see it, and do the task.
    assert desk.client_for("network_engineer").get(url).status_code == 200
    done = desk.client_for("network_engineer").post(f"/changes/tasks/{net.pk}/done/")
    assert done.status_code == 302 and done["Location"] == case.get_absolute_url()
    assert not changes.open_tasks(case).exists()
    page = manager.get(url).content.decode()
    assert 'data-open="0"' in page and page.count("data-done=") == 2
    case.refresh_from_db()
    assert engineer.post(f"/cases/{case.pk}/steps/complete/", {"version": case.version, "note": "Done"}).status_code == 302


def test_the_section_warns_of_conflicts_and_freezes(desk, cab):
    FreezeWindow.objects.create(name="Election night", domain=None, start=at(10, 21), end=at(11, 6))
    first = _assessed(desk, planned_start=at(10, 20), planned_end=at(10, 22))
    second = _logged(desk, "Patch the mail servers", planned_start=at(10, 21), planned_end=at(11, 1))
    hidden = services.case_register(
        actor=desk.users["agent"],
        kind="change",
        service=desk.service,
        title="Agent's change",
        planned_start=at(10, 20),
        planned_end=at(10, 21),
    )
    page = desk.client_for("requester").get(f"/changes/{first.pk}/approvals/").content.decode()
    assert f'data-conflict="{second.number}"' in page and 'data-conflict="hidden"' in page
    assert hidden.number not in page and "Election night" in page
    page = desk.client_for("change_manager").get(f"/changes/{first.pk}/approvals/").content.decode()
    assert f'data-conflict="{hidden.number}"' in page
    # The section's context, for the case page.
    request = RequestFactory().get("/")
    request.user = desk.users["change_manager"]
    section = change_views.change_section(request, first)["change_section"]
    assert [row["case"] for row in section["conflicting_changes"]] == [hidden, second]
    assert section["status_text"] == "0 of 2 approvals" and section["decide_form"] is not None


def test_the_calendar_page(desk, cab):
    FreezeWindow.objects.create(name="Month-end close", domain=desk.org.it, start=at(30, 18), end=at(31, 23))
    FreezeWindow.objects.create(name="Payroll run", domain=desk.org.hr, start=at(25, 8), end=at(25, 18))
    first = _logged(desk, planned_start=at(10, 20), planned_end=at(10, 22))
    second = _logged(desk, "Patch the mail servers", planned_start=at(10, 21), planned_end=at(11, 1))
    calm = _logged(desk, "Tidy the mailboxes", planned_start=at(17, 20), planned_end=at(17, 21))
    client = desk.client_for("change_manager")
    page = client.get("/changes/calendar/", {"month": "2026-03"}).content.decode()
    assert "March 2026" in page
    for case in (first, second):
        assert f'<tr data-change="{case.number}" class="table-warning" data-conflict="1">' in page
    assert f'<tr data-change="{calm.number}">' in page
    assert f'data-conflicts-with="{second.number}"' in page and f'data-conflicts-with="{first.number}"' in page
    assert 'data-day="2026-03-11"' in page and page.count(f'data-change="{second.number}"') == 3  # two days + list
    assert "Month-end close" in page and "Payroll run" in page and 'id="calendar-conflicts"' in page
    assert 'href="?month=2026-02"' in page and 'href="?month=2026-04"' in page
    april = client.get("/changes/calendar/", {"month": "2026-04"}).content.decode()
    assert first.number not in april and "No changes you may see" in april
    for wrong in ("2026-13", "March", "2026-3"):
        response = client.get("/changes/calendar/", {"month": wrong})
        assert response.status_code == 200 and 'id="calendar-month-refused"' in response.content.decode()
    outsider = desk.client_for("outsider").get("/changes/calendar/", {"month": "2026-03"}).content.decode()
    assert first.number not in outsider


def test_the_calendar_page_takes_a_fixed_number_of_queries(desk, cab):
    client = desk.client_for("change_manager")
    for day in range(2, 6):
        _logged(desk, f"Change {day}", planned_start=at(day, 20), planned_end=at(day + 1, 2))
    client.get("/changes/calendar/", {"month": "2026-03"})
    with CaptureQueriesContext(connection) as few:
        client.get("/changes/calendar/", {"month": "2026-03"})
    for day in range(10, 20):
        _logged(desk, f"Change {day}", planned_start=at(day, 20), planned_end=at(day + 1, 2))
    with CaptureQueriesContext(connection) as many:
        client.get("/changes/calendar/", {"month": "2026-03"})
    assert len(many.captured_queries) == len(few.captured_queries)
