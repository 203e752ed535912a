"""The rules of the case services on their own: who may comment and hand a case on, what a requester may
not choose, bad values named, and the workflow's steps refused from the wrong state or without what they
need."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regie.cases import services
from regie.cases.models import Case

pytestmark = pytest.mark.django_db


def _log(desk, **extra) -> Case:
    return services.case_register(actor=desk.users["requester"], kind="incident", service=desk.service, title="No mail", **extra)


def test_the_team_comments_and_hands_the_case_on_but_an_outsider_does_neither(desk):
    case = _log(desk)
    services.case_assign(actor=desk.users["agent"], case=case, team=desk.team, expected_version=case.version)
    services.case_comment(actor=desk.users["engineer"], case=case, note="Looking into it")
    case.refresh_from_db()
    services.case_assign(
        actor=desk.users["engineer"], case=case, team=desk.team, assignee=desk.person("engineer"), expected_version=case.version
    )
    with pytest.raises(PermissionDenied):
        services.case_comment(actor=desk.users["outsider"], case=case, note="Me too")
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.case_assign(actor=desk.users["outsider"], case=case, team=None, expected_version=case.version)


def test_a_requester_does_not_choose_the_team_and_bad_values_are_named(desk):
    with pytest.raises(PermissionDenied):
        _log(desk, team=desk.team)
    with pytest.raises(ValidationError) as refused:
        _log(desk, impact=7, urgency=0)
    assert set(refused.value.message_dict) == {"impact", "urgency"}
    with pytest.raises(ValidationError) as refused:
        services.case_register(actor=desk.users["requester"], kind="gripe", service=desk.service, title="x")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.case_register(
            actor=desk.users["agent"], kind="incident", service=desk.service, title="x", assignee=desk.person("engineer")
        )
    assert "team" in refused.value.message_dict
    assert not Case.objects.exists()


def test_a_step_from_the_wrong_state_or_without_its_fields_changes_nothing(desk):
    case = _log(desk)
    with pytest.raises(services.RuleBroken) as refused:
        services.case_transition(actor=desk.users["agent"], case=case, transition="resolve", expected_version=case.version)
    assert "transition" in refused.value.message_dict
    with pytest.raises(services.RuleBroken) as refused:
        services.case_transition(actor=desk.users["agent"], case=case, transition="assign", expected_version=case.version)
    assert "team" in refused.value.message_dict  # the step needs the case to have a team
    with pytest.raises(services.RuleBroken):
        services.case_transition(actor=desk.users["agent"], case=case, transition="no_such_step", expected_version=case.version)
    case.refresh_from_db()
    assert (case.state, case.version, case.events.exclude(kind="mail_out").count()) == ("logged", 1, 1)
