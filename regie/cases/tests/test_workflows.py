"""Case workflows as data: the USM defaults are sound, and every badly written definition is refused with its place named.

A small workflow (open → waiting ↔ open → done) is the base of the bad definitions: each test breaks one
thing and expects exactly one message that starts with the path of the broken part, so one mistake never
brings a cascade of follow-up problems.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from regie.cases.workflows import (
    CLOCK_MODES,
    DEFAULTS,
    KINDS,
    PAUSED,
    RELATIONS,
    REQUIRABLE,
    RUNNING,
    STOPPED,
    Definition,
    State,
    Transition,
    default_definition,
    display_label,
    parse,
)

ROLES = {"servicedesk_agent", "smo_officer", "change_manager", "cab_member", "contract_manager"}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def small() -> dict[str, Any]:
    return {
        "initial": "open",
        "states": [
            {"code": "open", "label": "Open", "clock": "running"},
            {"code": "waiting", "label": "Waiting", "clock": "paused", "responded": True},
            {"code": "done", "label": "Done", "clock": "stopped", "responded": True, "final": True},
        ],
        "transitions": [
            {"code": "wait", "label": "Wait", "from": ["open"], "to": "waiting", "who": ["@assignee"]},
            {"code": "resume", "label": "Resume", "from": ["waiting"], "to": "open", "who": ["@assignee", "@requester"]},
            {
                "code": "finish",
                "label": "Finish",
                "from": ["open", "waiting"],
                "to": "done",
                "who": ["servicedesk_agent"],
                "requires": ["resolution"],
            },
        ],
    }


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse(data)
    assert set(caught.value.message_dict) == {"definition"}
    return caught.value.message_dict["definition"]


def reaches_final(definition: Definition) -> set[str]:
    """The states from which some final state can be reached (finals included)."""
    good = {state.code for state in definition.states if state.final}
    grown = True
    while grown:
        grown = False
        for transition in definition.transitions:
            if transition.target in good and not good.issuperset(transition.sources):
                good.update(transition.sources)
                grown = True
    return good


# --- the small workflow ------------------------------------------------------------------------------------------------


def test_small_definition_parses_into_states_and_transitions() -> None:
    definition = parse(small())
    assert definition.initial == "open"
    assert definition.state("waiting") == State("waiting", "Waiting", PAUSED, responded=True, final=False, instruction="")
    assert definition.transition("finish") == Transition(
        "finish", "Finish", ("open", "waiting"), "done", ("servicedesk_agent",), ("resolution",), ""
    )
    assert [t.code for t in definition.transitions_from("open")] == ["wait", "finish"]
    assert definition.transitions_from("done") == []
    assert definition.clock_states() == (frozenset({"open"}), frozenset({"waiting"}), frozenset({"done"}))
    assert definition.responded_states() == frozenset({"waiting", "done"})
    assert definition.final_states() == frozenset({"done"})


def test_unknown_codes_raise_key_error() -> None:
    definition = parse(small())
    with pytest.raises(KeyError):
        definition.state("closed")
    with pytest.raises(KeyError):
        definition.transition("close")
    with pytest.raises(KeyError):
        definition.transitions_from("closed")


def test_to_dict_round_trips_and_is_json() -> None:
    definition = parse(small())
    data = definition.to_dict()
    assert parse(json.loads(json.dumps(data))) == definition
    assert data["transitions"][0] == {
        "code": "wait",
        "label": "Wait",
        "from": ["open"],
        "to": "waiting",
        "who": ["@assignee"],
        "requires": [],
        "instruction": "",
    }


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> Any:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> Any:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return data

    return change


def _rename_waiting(data: dict[str, Any]) -> Any:
    data["states"][1]["code"] = "Waiting"
    data["transitions"][0]["to"] = "Waiting"
    data["transitions"][1]["from"] = ["Waiting"]
    data["transitions"][2]["from"] = ["open", "Waiting"]
    return data


def _add_state(state: dict[str, Any], *transitions: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> Any:
        data["states"].append(state)
        data["transitions"].extend(transitions)
        return data

    return change


def _stuck_waiting(data: dict[str, Any]) -> Any:
    del data["transitions"][1]
    data["transitions"][1]["from"] = ["open"]
    return data


BAD = [
    pytest.param(_set(("transitions", 2, "to"), "closed"), 'transitions[2].to: no state "closed"', id="unknown-target"),
    pytest.param(_set(("transitions", 0, "from"), ["opened"]), 'transitions[0].from: no state "opened"', id="unknown-source"),
    pytest.param(_set(("transitions", 0, "from"), []), "transitions[0].from: give at least one state", id="no-source"),
    pytest.param(
        _add_state({"code": "waiting", "label": "Waiting again", "clock": "paused"}),
        'states[3].code: duplicate code "waiting" (also states[1])',
        id="duplicate-state",
    ),
    pytest.param(
        _set(("transitions", 1, "code"), "wait"),
        'transitions[1].code: duplicate code "wait" (also transitions[0])',
        id="duplicate-transition",
    ),
    pytest.param(
        _rename_waiting,
        'states[1].code: "Waiting" is not a valid code (1–40 lowercase letters, digits and _)',
        id="bad-state-code",
    ),
    pytest.param(
        _set(("transitions", 0, "code"), "x" * 41),
        f'transitions[0].code: "{"x" * 41}" is not a valid code (1–40 lowercase letters, digits and _)',
        id="code-too-long",
    ),
    pytest.param(
        _set(("transitions", 2, "requires"), ["resolution", "colour"]),
        'transitions[2].requires: unknown field "colour"',
        id="unknown-required-field",
    ),
    pytest.param(_set(("transitions", 0, "who"), []), "transitions[0].who: nobody may perform it", id="empty-who"),
    pytest.param(
        _set(("transitions", 0, "who"), ["@boss"]),
        'transitions[0].who: unknown relation "@boss" (use @assignee, @team, @requester, @service_owner, @service_manager)',
        id="unknown-relation",
    ),
    pytest.param(
        _set(("transitions", 0, "who"), ["Service Desk"]),
        'transitions[0].who: "Service Desk" is not a valid role code (1–40 lowercase letters, digits and _)',
        id="bad-role-code",
    ),
    pytest.param(
        _set(("transitions", 1, "from"), ["waiting", "done"]),
        'transitions[1].from: state "done" is final; no transition may leave it',
        id="leaves-final-state",
    ),
    pytest.param(
        _set(("states", 2, "clock"), "running"),
        'states[2].clock: final state "done" must stop the clock ("stopped"), not "running"',
        id="final-state-running-clock",
    ),
    pytest.param(
        _set(("states", 0, "clock"), "ticking"),
        'states[0].clock: "ticking" is not a clock mode (running, paused or stopped)',
        id="unknown-clock-mode",
    ),
    pytest.param(
        _add_state(
            {"code": "orphan", "label": "Orphan", "clock": "running"},
            {"code": "adopt", "label": "Adopt", "from": ["orphan"], "to": "done", "who": ["@team"]},
        ),
        'states[3]: state "orphan" cannot be reached from the initial state "open"',
        id="unreachable-state",
    ),
    pytest.param(
        _stuck_waiting,
        'states[1]: from state "waiting" no final state can be reached; a case would get stuck there',
        id="dead-end",
    ),
    pytest.param(_set(("states", 2, "final"), False), "states: no final state; a workflow must be able to end", id="no-final"),
    pytest.param(_delete(("initial",)), "initial: required", id="missing-initial"),
    pytest.param(_set(("initial",), "new"), 'initial: no state "new"', id="unknown-initial"),
    pytest.param(_set(("initial",), 3), "initial: must be a string, not a number", id="initial-not-string"),
    pytest.param(
        lambda data: [data],
        'definition: must be an object with "initial", "states" and "transitions", not a list',
        id="not-a-dict",
    ),
    pytest.param(
        lambda data: None,
        'definition: must be an object with "initial", "states" and "transitions", not null',
        id="none",
    ),
    pytest.param(_set(("colour",), "red"), 'definition: unknown key "colour"', id="unknown-top-key"),
    pytest.param(_set(("states",), {"open": {}}), "states: must be a list, not an object", id="states-not-a-list"),
    pytest.param(_delete(("states",)), "states: required", id="states-missing"),
    pytest.param(_set(("states",), []), "states: give at least one state", id="states-empty"),
    pytest.param(_set(("states", 1), "waiting"), "states[1]: must be an object, not a string", id="state-is-string"),
    pytest.param(_delete(("states", 0, "clock")), "states[0].clock: required", id="state-without-clock"),
    pytest.param(_set(("states", 0, "colour"), "red"), 'states[0]: unknown key "colour"', id="unknown-state-key"),
    pytest.param(
        _set(("states", 1, "responded"), "yes"),
        "states[1].responded: must be true or false, not a string",
        id="responded-not-boolean",
    ),
    pytest.param(
        _set(("transitions", 1), "resume"), "transitions[1]: must be an object, not a string", id="transition-is-string"
    ),
    pytest.param(_set(("transitions",), "wait"), "transitions: must be a list, not a string", id="transitions-not-a-list"),
    pytest.param(_delete(("transitions", 0, "to")), "transitions[0].to: required", id="transition-without-target"),
    pytest.param(
        _set(("transitions", 0, "who"), "@assignee"), "transitions[0].who: must be a list, not a string", id="who-not-a-list"
    ),
    pytest.param(
        _set(("transitions", 0, "who"), ["@assignee", "@assignee"]),
        'transitions[0].who: "@assignee" is listed twice',
        id="who-twice",
    ),
    pytest.param(
        _set(("transitions", 2, "requires"), [None]), "transitions[2].requires[0]: must be a string, not null", id="requires-null"
    ),
    pytest.param(
        _set(("states", 0, "label"), "x" * 101),
        "states[0].label: at most 100 characters, this has 101",
        id="label-too-long",
    ),
    pytest.param(_set(("transitions", 0, "label"), "  "), "transitions[0].label: must not be empty", id="label-blank"),
    pytest.param(
        _set(("states", 0, "instruction"), "x" * 2001),
        "states[0].instruction: at most 2000 characters, this has 2001",
        id="instruction-too-long",
    ),
]


@pytest.mark.parametrize(("break_it", "message"), BAD)
def test_bad_definition_names_the_place(break_it: Callable[[dict[str, Any]], Any], message: str) -> None:
    assert problems_of(break_it(small())) == [message]


def test_every_problem_is_reported_at_once() -> None:
    data = small()
    data["states"][0]["label"] = "x" * 101
    data["transitions"][0]["who"] = []
    data["transitions"][2]["requires"] = ["colour"]
    assert problems_of(data) == [
        "states[0].label: at most 100 characters, this has 101",
        "transitions[0].who: nobody may perform it",
        'transitions[2].requires: unknown field "colour"',
    ]


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(["open", "done", "@team", "note"])
    return st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    )


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    places = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            places += _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            places += _places(value, (*path, index))
    return places


PLACES = _places(small())


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(PLACES), value=_json_values())
def test_any_json_anywhere_gives_a_definition_or_a_validation_error(place: tuple[Any, ...], value: Any) -> None:
    data: Any = copy.deepcopy(small())
    if place:
        _set(place, value)(data)
    else:
        data = value
    try:
        parse(data)
    except ValidationError as error:
        assert error.message_dict["definition"]


# --- the USM defaults --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_default_parses(kind: str) -> None:
    definition = parse(default_definition(kind))
    assert parse(DEFAULTS[kind]) == definition
    assert parse(definition.to_dict()) == definition


@pytest.mark.parametrize("kind", KINDS)
def test_default_reaches_an_end_from_every_state(kind: str) -> None:
    definition = parse(default_definition(kind))
    assert reaches_final(definition) == {state.code for state in definition.states}
    for state in definition.states:
        if not state.final:
            assert definition.transitions_from(state.code), state.code


@pytest.mark.parametrize("kind", KINDS)
def test_default_clock_states_partition_the_states(kind: str) -> None:
    running, paused, stopped = parse(default_definition(kind)).clock_states()
    codes = {state["code"] for state in default_definition(kind)["states"]}
    assert running | paused | stopped == codes
    assert not (running & paused or running & stopped or paused & stopped)


@pytest.mark.parametrize("kind", KINDS)
def test_default_uses_known_roles_and_fields_and_instructs_every_state(kind: str) -> None:
    definition = parse(default_definition(kind))
    for transition in definition.transitions:
        assert set(transition.who) <= ROLES | set(RELATIONS), transition.code
        assert set(transition.requires) <= set(REQUIRABLE)
    for state in definition.states:
        assert state.instruction, state.code
        assert state.clock in CLOCK_MODES


def test_incident_default() -> None:
    incident = parse(default_definition("incident"))
    assert incident.initial == "logged"
    assert incident.responded_states() == {
        "assigned",
        "in_progress",
        "waiting_customer",
        "waiting_supplier",
        "resolved",
        "closed",
    }
    assert incident.clock_states() == (
        frozenset({"logged", "assigned", "in_progress"}),
        frozenset({"waiting_customer", "waiting_supplier"}),
        frozenset({"resolved", "closed", "cancelled"}),
    )
    assert incident.final_states() == {"closed", "cancelled"}
    assign = incident.transition("assign")
    assert (assign.sources, assign.target, assign.requires) == (("logged",), "assigned", ("team",))
    assert incident.transition("resolve").requires == ("resolution",)
    reopen = incident.transition("reopen")
    assert (reopen.sources, reopen.target) == (("resolved",), "in_progress")
    assert {"@requester", "servicedesk_agent"} <= set(reopen.who)
    assert set(incident.transition("cancel").sources) == {"logged", "assigned"}


def test_change_default() -> None:
    change = parse(default_definition("change"))
    assert change.initial == "specified"
    assert change.clock_states() == (
        frozenset({"specified", "assessed", "in_realisation"}),
        frozenset({"approved"}),
        frozenset({"realised", "evaluated", "rejected"}),
    )
    assert change.final_states() == {"rejected", "evaluated"}
    assert set(change.transition("assess").requires) == {"risk", "impact_assessment"}
    assert set(change.transition("assess").who) == {"change_manager", "smo_officer"}
    approve = change.transition("approve")
    assert (set(approve.who), approve.requires) == ({"change_manager", "cab_member"}, ("note",))
    assert set(change.transition("realise").requires) == {"planned_start", "planned_end", "team"}
    assert {t.target for t in change.transitions_from("assessed")} == {"approved", "rejected"}


def test_wish_default() -> None:
    wish = parse(default_definition("wish"))
    assess = wish.transition("assess")
    assert (set(assess.who), assess.requires) == ({"contract_manager", "smo_officer"}, ("note",))
    assert {t.target for t in wish.transitions_from("assessed")} == {"accepted", "declined"}
    assert wish.state("accepted").clock == PAUSED
    assert wish.state("agreed").clock == STOPPED
    assert wish.final_states() == {"declined", "closed"}


def test_problem_and_service_request_defaults() -> None:
    problem = parse(default_definition("problem"))
    assert set(problem.transition("record_known_error").requires) == {"cause", "workaround"}
    assert problem.state("known_error").clock == PAUSED
    assert problem.state("investigating").clock == RUNNING
    assert problem.final_states() == {"closed", "cancelled"}
    request = parse(default_definition("service_request"))
    assert request.state("delivered").clock == STOPPED
    assert request.state("waiting_customer").clock == PAUSED
    assert request.final_states() == {"closed", "cancelled"}


@pytest.mark.parametrize("kind", KINDS)
def test_default_definition_is_plain_json_in_english(kind: str) -> None:
    with translation.override("nl"):
        data = default_definition(kind)
    assert json.loads(json.dumps(data)) == data
    assert isinstance(DEFAULTS[kind]["states"][0]["label"], Promise)
    assert isinstance(data["states"][0]["label"], str)
    data["states"].clear()
    assert default_definition(kind)["states"], "a copy is returned"


def test_default_labels_in_english() -> None:
    assert default_definition("incident")["states"][0]["label"] == "Logged"


def test_display_label() -> None:
    with translation.override("nl"):
        assert isinstance(display_label("Logged"), str)
        assert display_label("Our own step") == "Our own step"
        assert display_label("") == ""
    assert display_label("Logged") == "Logged"


@pytest.mark.parametrize("kind", ["", "complaint", "Incident"])
def test_unknown_kind(kind: str) -> None:
    with pytest.raises(ValueError, match="Unknown workflow kind"):
        default_definition(kind)
