"""The RAID log's rules: each kind's required fields, the organisation's risk scale, who administers a
log and what an owner may change, escalation with a trail, the heat map and its roll-up, overdue
actions, and what status reports and "My work" take from the log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from regie.core.navigation import MY_WORK
from regie.core.services import StaleWrite
from regie.portfolio import reporting
from regie.raid import selectors, services
from regie.raid.models import Escalation, RaidItem, RiskScale
from regie.raid.tests.conftest import make_item

pytestmark = pytest.mark.django_db


def _create(log, who, kind="risk", scope=None, **data):
    return services.item_create(actor=log.users[who], scope=(scope or log.project).scope, kind=kind, data=data)


def _risk_data(log, **extra):
    return {"title": "Supplier late", "owner": log.person("owner"), "probability": 3, "impact": 4, **extra}


# --- each kind's rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("risk", {"probability": 6}, "probability"),
        ("risk", {"probability": 0}, "probability"),
        ("risk", {"impact": 9}, "impact"),
        ("risk", {"impact": None}, "impact"),
        ("risk", {"residual_probability": 2}, "residual_impact"),
        ("risk", {"owner": None}, "owner"),
        ("risk", {"status": "done"}, "status"),
        ("risk", {"severity": "high"}, "severity"),
    ],
)
def test_a_bad_risk_is_refused_with_the_field_named_and_nothing_stored(log, kind, data, field):
    with pytest.raises(ValidationError) as refused:
        _create(log, "named_pmo", kind, **_risk_data(log, **data))
    assert field in refused.value.message_dict
    assert not RaidItem.objects.exists()


def test_an_action_needs_an_owner_and_a_due_date(log):
    with pytest.raises(ValidationError) as refused:
        _create(log, "named_pmo", "action", title="Call the supplier")
    assert {"owner", "due_date"} <= set(refused.value.message_dict)
    action = _create(log, "named_pmo", "action", title="Call the supplier", owner=log.person("owner"), due_date=date(2027, 1, 8))
    assert action.status == "open" and action.reference == f"A-{action.pk}"


def test_a_decision_taken_names_who_decided_when_and_on_what_basis(log):
    decision = _create(log, "named_pmo", "decision", title="Second supplier?", owner=log.person("sponsor"))
    assert decision.status == "open"
    with pytest.raises(ValidationError) as refused:
        services.item_update(actor=log.users["named_pmo"], item=decision, data={"status": "decided"}, expected_version=1)
    assert {"decided_by", "decided_on", "basis"} <= set(refused.value.message_dict)
    decision.refresh_from_db()
    assert decision.status == "open" and decision.version == 1
    services.item_update(
        actor=log.users["named_pmo"],
        item=decision,
        data={
            "status": "decided",
            "decided_by": log.person("sponsor"),
            "decided_on": date(2026, 12, 1),
            "basis": "Offer B is cheaper",
        },
        expected_version=1,
    )
    decision.refresh_from_db()
    assert decision.status == "decided" and decision.decided_by == log.person("sponsor") and decision.closed_on is not None


def test_exposure_is_probability_times_impact_before_and_after_the_response(log):
    risk = _create(log, "named_pmo", **_risk_data(log, residual_probability=1, residual_impact=4))
    assert (risk.exposure, risk.residual_exposure) == (12, 4)


def test_the_scale_is_the_organisations_and_cannot_shrink_below_scored_risks(log):
    scale = RiskScale.current()
    scale.levels, scale.probability_labels, scale.impact_labels, scale.amber_from, scale.red_from = 3, "L\nM\nH", "L\nM\nH", 3, 6
    scale.full_clean()
    scale.save()
    with pytest.raises(ValidationError) as refused:
        _create(log, "named_pmo", **_risk_data(log, probability=4))
    assert "probability" in refused.value.message_dict
    _create(log, "named_pmo", **_risk_data(log, probability=3, impact=3))
    scale.levels = 2
    with pytest.raises(ValidationError):
        scale.full_clean()


# --- who administers, who updates -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["pm", "named_pmo", "pmo_it", "portfolio_manager_it", "administrator"])
def test_the_pmo_and_the_project_manager_administer_the_projects_log(log, who):
    risk = _create(log, who, **_risk_data(log))
    services.item_update(actor=log.users[who], item=risk, data={"title": "Supplier very late", "impact": 5}, expected_version=1)
    risk.refresh_from_db()
    assert (risk.title, risk.exposure) == ("Supplier very late", 15)


@pytest.mark.parametrize("who", ["owner", "member_it", "sponsor", "stranger", "member_a"])
def test_others_do_not_add_to_the_log(log, who):
    with pytest.raises(PermissionDenied):
        _create(log, who, **_risk_data(log))
    assert not RaidItem.objects.exists()


def test_an_owner_updates_their_own_item_but_not_what_was_agreed(log):
    action = make_item(log.project, "action", owner=log.person("owner"))
    services.item_update(
        actor=log.users["owner"], item=action, data={"status": "done", "progress": "Called them."}, expected_version=1
    )
    action.refresh_from_db()
    assert action.status == "done" and action.closed_on is not None
    for field, value in (("due_date", date(2030, 1, 1)), ("owner", log.person("stranger")), ("title", "Renamed")):
        with pytest.raises(ValidationError) as refused:
            services.item_update(actor=log.users["owner"], item=action, data={field: value}, expected_version=action.version)
        assert field in refused.value.message_dict
    action.refresh_from_db()
    assert action.title == "A action" and action.owner == log.person("owner")


def test_someone_elses_item_is_not_theirs_to_update(log):
    action = make_item(log.project, "action", owner=log.person("stranger"))
    for who in ("owner", "member_it", "sponsor"):
        with pytest.raises(PermissionDenied):
            services.item_update(actor=log.users[who], item=action, data={"status": "done"}, expected_version=1)
    action.refresh_from_db()
    assert action.status == "open"


def test_a_decisions_owner_does_not_record_the_decision(log):
    decision = make_item(log.project, "decision", owner=log.person("owner"))
    with pytest.raises(ValidationError) as refused:
        services.item_update(actor=log.users["owner"], item=decision, data={"status": "withdrawn"}, expected_version=1)
    assert "status" in refused.value.message_dict


def test_a_stale_update_is_refused(log):
    risk = make_item(log.project, owner=log.person("owner"))
    services.item_update(actor=log.users["named_pmo"], item=risk, data={"impact": 5}, expected_version=1)
    with pytest.raises(StaleWrite):
        services.item_update(actor=log.users["owner"], item=risk, data={"status": "closed"}, expected_version=1)


def test_a_field_of_another_kind_is_refused(log):
    issue = make_item(log.project, "issue", owner=log.person("owner"))
    with pytest.raises(ValidationError) as refused:
        services.item_update(actor=log.users["named_pmo"], item=issue, data={"probability": 2}, expected_version=1)
    assert "probability" in refused.value.message_dict


def test_an_action_responds_to_a_risk_of_its_log(log):
    risk = make_item(log.project, owner=log.person("owner"))
    action = _create(
        log,
        "named_pmo",
        "action",
        title="Second supplier",
        owner=log.person("owner"),
        due_date=date(2027, 1, 8),
        origin="risk_response",
        source=risk,
    )
    assert list(risk.responses.all()) == [action]
    other_action = make_item(log.project, "action", owner=log.person("owner"))
    with pytest.raises(ValidationError) as refused:
        services.item_update(actor=log.users["named_pmo"], item=action, data={"source": other_action}, expected_version=1)
    assert "source" in refused.value.message_dict


# --- escalation -----------------------------------------------------------------------------------


def test_escalation_moves_the_item_up_with_a_trail(org, log):
    risk = make_item(log.project, owner=log.person("owner"))
    assert services.escalation_targets(risk) == [log.programme.scope, log.portfolio.scope, org.it.scope]
    services.item_escalate(
        actor=log.users["named_pmo"], item=risk, to_scope=log.programme.scope, reason="Both projects", expected_version=1
    )
    risk.refresh_from_db()
    assert risk.scope == log.programme.scope and risk.project is None
    trail = Escalation.objects.get(item=risk)
    assert (trail.from_scope, trail.to_scope, trail.reason, trail.escalated_by) == (
        log.project.scope,
        log.programme.scope,
        "Both projects",
        log.person("named_pmo"),
    )
    # Above the project, its project manager no longer administers the item; the programme's PMO does.
    with pytest.raises(PermissionDenied):
        services.item_update(actor=log.users["named_pmo"], item=risk, data={"impact": 5}, expected_version=risk.version)
    services.item_update(actor=log.users["pmo_it"], item=risk, data={"impact": 5}, expected_version=risk.version)


def test_escalation_needs_a_reason_a_scope_above_and_the_logs_pmo(log):
    risk = make_item(log.project, owner=log.person("owner"))
    with pytest.raises(ValidationError) as refused:
        services.item_escalate(actor=log.users["pm"], item=risk, to_scope=log.programme.scope, reason=" ", expected_version=1)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.item_escalate(actor=log.users["pm"], item=risk, to_scope=log.other.scope, reason="x", expected_version=1)
    assert "to_scope" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.item_escalate(actor=log.users["owner"], item=risk, to_scope=log.programme.scope, reason="x", expected_version=1)
    risk.refresh_from_db()
    assert risk.scope == log.project.scope and not Escalation.objects.exists()


# --- heat map, overdue actions, top risks ---------------------------------------------------------


def test_the_heat_map_counts_open_risks_before_and_after_response_and_rolls_up(log):
    owner = log.person("owner")
    make_item(log.project, probability=4, impact=5, residual_probability=2, residual_impact=3, owner=owner)
    make_item(log.project, probability=4, impact=5, owner=owner)
    make_item(log.project, probability=1, impact=1, owner=owner, status="closed")
    make_item(log.programme, probability=2, impact=2, owner=owner)
    make_item(log.other, probability=5, impact=5, owner=owner)
    admin = log.users["administrator"]
    project_map = selectors.heat_map(admin, log.project.scope)
    assert project_map["total"] == 2
    assert project_map["before"][3][4] == 2
    assert project_map["after"][3][4] == 1 and project_map["after"][1][2] == 1
    portfolio_map = selectors.heat_map(admin, log.portfolio.scope)
    assert portfolio_map["total"] == 3 and portfolio_map["before"][1][1] == 1
    # the rows are drawn with the highest probability on top
    assert [row["level"] for row in portfolio_map["before_rows"]] == [5, 4, 3, 2, 1]
    assert portfolio_map["before_rows"][1]["cells"][4] == {"count": 2, "band": "red"}
    # what a person may not see is not counted
    assert selectors.heat_map(log.users["member_it"], None)["total"] == 3
    assert selectors.heat_map(log.users["stranger"], None)["total"] == 0
    assert selectors.heat_map(log.users["owner"], None)["total"] == 4


def test_overdue_actions_are_open_past_due_the_longest_overdue_first(log):
    owner = log.person("owner")
    today = timezone.localdate()
    late = make_item(log.project, "action", owner=owner, due_date=today - timedelta(days=9), title="Late")
    later = make_item(log.programme, "action", owner=owner, due_date=today - timedelta(days=2), title="Later")
    make_item(log.project, "action", owner=owner, due_date=today - timedelta(days=20), status="done")
    make_item(log.project, "action", owner=owner, due_date=today + timedelta(days=1))
    assert list(selectors.overdue_actions(log.users["administrator"], log.portfolio.scope)) == [late, later]
    assert list(selectors.overdue_actions(log.users["administrator"], log.project.scope)) == [late]


def test_a_new_status_report_takes_top_risks_and_decisions_needed_from_the_log(log):
    owner = log.person("owner")
    make_item(log.project, title="Small", probability=1, impact=2, owner=owner)
    make_item(
        log.project,
        title="Big",
        probability=5,
        impact=5,
        residual_probability=3,
        residual_impact=5,
        response="Second supplier",
        owner=owner,
    )
    make_item(log.project, "decision", title="Phase the roll-out?", owner=log.person("sponsor"), due_date=date(2027, 2, 1))
    report = reporting.report_start(actor=log.users["pm"], project=log.project)
    lines = report.top_risks.splitlines()
    assert lines[0].startswith("- R-") and "Big" in lines[0] and "25 → 15" in lines[0] and "Second supplier" in lines[0]
    assert "Small" in lines[1]
    assert "Phase the roll-out?" in report.decisions_needed and "2027-02-01" in report.decisions_needed


def test_my_work_lists_the_items_i_own_overdue_ones_marked(log):
    owner = log.person("owner")
    make_item(log.project, "action", owner=owner, title="Phone the supplier", due_date=timezone.localdate() - timedelta(days=1))
    make_item(log.project, "action", owner=owner, title="Done already", status="done")
    sections = [s(log.users["owner"]) for s in MY_WORK]
    mine = next(s for s in sections if s and "RAID" in str(s["title"]))
    assert [i["label"].split(" ", 1)[1] for i in mine["items"]] == ["Phone the supplier"]
    assert mine["items"][0]["overdue"] is True
