"""Case workflows as data: the states and transitions of a service-desk process, validated, with the USM defaults.

Each process ("kind") of each domain runs on a workflow held as configuration: a JSON definition, stored
versioned so that a running case keeps the version it started on. The definition is a plain dict::

    {"initial": "logged",
     "states": [{"code": "logged", "label": "Logged", "clock": "running", "responded": false,
                 "final": false, "instruction": "…"}, …],
     "transitions": [{"code": "assign", "label": "Assign", "from": ["logged"], "to": "assigned",
                      "who": ["servicedesk_agent", "@team"], "requires": ["team"], "instruction": "…"}, …]}

The rules a definition must meet (:func:`parse` checks them all and reports every problem at once):

- **Codes** of states and transitions are 1–40 lowercase letters, digits and ``_``, unique within their list.
  **Labels** are non-empty text of at most 100 characters; an ``instruction`` (optional) is the work
  instruction shown at the step, at most 2000 characters. Keys other than the ones above are refused.
- **States**: ``clock`` says how the resolution SLA clock treats the state (``running``; ``paused`` while
  waiting for the customer or a supplier; ``stopped`` once resolved, closed or cancelled), as
  :mod:`regie.engine.slaclock` counts it. ``responded: true`` (default false) means reaching the state counts
  as the first response. ``final: true`` (default false) means no transition may leave it; a final state
  stops the clock. There is at least one final state.
- **Transitions** lead ``from`` one or more states ``to`` one state. ``who`` lists who may perform it: role
  codes held on the case's scope and/or the relations ``@assignee``, ``@team``, ``@requester``,
  ``@service_owner`` and ``@service_manager``; it may not be empty. ``requires`` (optional) lists the case
  fields of :data:`REQUIRABLE` that must be filled first (``note``: the transition needs a comment).
- **Paths**: ``initial`` names a state; every state can be reached from it, and from every reachable state
  that is not final a final state can be reached (no case gets stuck). These two checks run only when the
  states and the transitions' ``from``/``to`` are sound, so one typo does not bring a cascade of problems.

:data:`DEFAULTS` holds the USM (Unified Service Management) standard workflow per kind; labels and
instructions are marked for translation. :func:`default_definition` gives one as plain JSON-ready English,
and :func:`display_label` shows a stored label translated when it is a default one, and as typed otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "CLOCK_MODES",
    "DEFAULTS",
    "KINDS",
    "PAUSED",
    "RELATIONS",
    "REQUIRABLE",
    "RUNNING",
    "STOPPED",
    "Definition",
    "State",
    "Transition",
    "default_definition",
    "display_label",
    "parse",
]

# the processes of the service desk
INCIDENT = "incident"
SERVICE_REQUEST = "service_request"
CHANGE = "change"
WISH = "wish"
PROBLEM = "problem"
KINDS = (INCIDENT, SERVICE_REQUEST, CHANGE, WISH, PROBLEM)

# how the resolution clock treats a state (the modes of regie.engine.slaclock)
RUNNING = "running"
PAUSED = "paused"
STOPPED = "stopped"
CLOCK_MODES = (RUNNING, PAUSED, STOPPED)

# who may perform a transition, besides role codes
ASSIGNEE = "@assignee"
TEAM = "@team"
REQUESTER = "@requester"
SERVICE_OWNER = "@service_owner"
SERVICE_MANAGER = "@service_manager"
RELATIONS = (ASSIGNEE, TEAM, REQUESTER, SERVICE_OWNER, SERVICE_MANAGER)

# the case fields a transition may require to be filled ("note": a comment with the transition)
REQUIRABLE = (
    "team",
    "assignee",
    "resolution",
    "workaround",
    "cause",
    "configuration_item",
    "offering",
    "risk",
    "impact_assessment",
    "planned_start",
    "planned_end",
    "note",
)

CODE_MAX = 40
LABEL_MAX = 100
INSTRUCTION_MAX = 2000
_CODE = re.compile(r"[a-z0-9_]{1,40}")

_TOP_KEYS = ("initial", "states", "transitions")
_STATE_KEYS = ("code", "label", "clock", "responded", "final", "instruction")
_TRANSITION_KEYS = ("code", "label", "from", "to", "who", "requires", "instruction")


@dataclass(frozen=True)
class State:
    """A step of a workflow: how the resolution clock treats it, whether it counts as responded, whether it ends the case."""

    code: str
    label: str
    clock: str
    responded: bool = False
    final: bool = False
    instruction: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The state as it is written in a definition."""
        return {
            "code": self.code,
            "label": self.label,
            "clock": self.clock,
            "responded": self.responded,
            "final": self.final,
            "instruction": self.instruction,
        }


@dataclass(frozen=True)
class Transition:
    """A move from one of ``sources`` to ``target``, allowed to ``who`` once the ``requires`` fields are filled."""

    code: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: tuple[str, ...]
    requires: tuple[str, ...] = ()
    instruction: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The transition as it is written in a definition."""
        return {
            "code": self.code,
            "label": self.label,
            "from": list(self.sources),
            "to": self.target,
            "who": list(self.who),
            "requires": list(self.requires),
            "instruction": self.instruction,
        }


@dataclass(frozen=True)
class Definition:
    """A validated workflow (build it with :func:`parse`); states and transitions keep the order of the definition."""

    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    def state(self, code: str) -> State:
        """The state with this code; ``KeyError`` if the workflow has none."""
        for state in self.states:
            if state.code == code:
                return state
        raise KeyError(code)

    def transition(self, code: str) -> Transition:
        """The transition with this code; ``KeyError`` if the workflow has none."""
        for transition in self.transitions:
            if transition.code == code:
                return transition
        raise KeyError(code)

    def transitions_from(self, state_code: str) -> list[Transition]:
        """The transitions that may leave this state (none from a final one); ``KeyError`` for an unknown state."""
        self.state(state_code)
        return [transition for transition in self.transitions if state_code in transition.sources]

    def clock_states(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The state codes in which the resolution clock is running, paused and stopped (together: every state)."""
        return self._clock_states

    @cached_property
    def _clock_states(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        # (asked for every case whose clocks a job computes: worked out once per definition)
        return (
            frozenset(state.code for state in self.states if state.clock == RUNNING),
            frozenset(state.code for state in self.states if state.clock == PAUSED),
            frozenset(state.code for state in self.states if state.clock == STOPPED),
        )

    def responded_states(self) -> frozenset[str]:
        """The state codes whose reaching counts as the first response (it stops the response clock)."""
        return frozenset(state.code for state in self.states if state.responded)

    def final_states(self) -> frozenset[str]:
        """The state codes that end a case: no transition leaves them."""
        return frozenset(state.code for state in self.states if state.final)

    def to_dict(self) -> dict[str, Any]:
        """The definition as JSON-ready data; ``parse(d.to_dict()) == d``."""
        return {
            "initial": self.initial,
            "states": [state.to_dict() for state in self.states],
            "transitions": [transition.to_dict() for transition in self.transitions],
        }


# --- validation ---------------------------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    """The JSON name of a value's type with its article, for messages ("a string", "an object", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str | Promise):
        return _("a string")
    if isinstance(value, Mapping):
        return _("an object")
    if isinstance(value, list | tuple):
        return _("a list")
    return type(value).__name__


def _show(value: str) -> str:
    """A value cut short for a message."""
    return value if len(value) <= 60 else value[:59] + "…"


def _english(value: Any) -> Any:
    """A lazy translatable string as its English text; anything else unchanged."""
    if isinstance(value, Promise):
        with translation.override("en"):
            return str(value)
    return value


class _Problems:
    """The problems found so far, each message starting with the path it concerns."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str, **params: Any) -> None:
        self.messages.append(message % params)

    def wrong_type(self, path: str, expected: str, value: Any) -> None:
        self.add(_("%(path)s: must be %(expected)s, not %(actual)s"), path=path, expected=expected, actual=_json_type(value))

    def unknown_keys(self, path: str, data: Mapping[Any, Any], allowed: Iterable[str]) -> None:
        for key in data:
            if key not in allowed:
                self.add(_('%(path)s: unknown key "%(key)s"'), path=path, key=_show(str(key)))


def _code(problems: _Problems, path: str, value: Any) -> str | None:
    """A valid code, or ``None`` after noting the problem."""
    if not isinstance(value, str):
        problems.wrong_type(path, _("a string"), value)
        return None
    if not _CODE.fullmatch(value):
        problems.add(
            _('%(path)s: "%(value)s" is not a valid code (1–40 lowercase letters, digits and _)'),
            path=path,
            value=_show(value),
        )
        return None
    return value


def _text(problems: _Problems, path: str, value: Any, limit: int, required: bool) -> str | None:
    """Text of at most ``limit`` characters (non-blank when ``required``), or ``None`` after noting the problem."""
    value = _english(value)
    if not isinstance(value, str):
        problems.wrong_type(path, _("a string"), value)
        return None
    if required and not value.strip():
        problems.add(_("%(path)s: must not be empty"), path=path)
        return None
    if len(value) > limit:
        problems.add(_("%(path)s: at most %(limit)d characters, this has %(length)d"), path=path, limit=limit, length=len(value))
        return None
    return value


def _flag(problems: _Problems, path: str, value: Any) -> bool | None:
    """A boolean, or ``None`` after noting the problem."""
    if not isinstance(value, bool):
        problems.wrong_type(path, _("true or false"), value)
        return None
    return value


def _string_list(problems: _Problems, path: str, value: Any) -> list[str] | None:
    """A list of strings (each listed once), or ``None`` after noting the problem."""
    if not isinstance(value, list | tuple):
        problems.wrong_type(path, _("a list"), value)
        return None
    items: list[str] = []
    sound = True
    for index, item in enumerate(value):
        if not isinstance(item, str):
            problems.wrong_type(f"{path}[{index}]", _("a string"), item)
            sound = False
        elif item in items:
            problems.add(_('%(path)s: "%(value)s" is listed twice'), path=path, value=_show(item))
            sound = False
        else:
            items.append(item)
    return items if sound else None


def _parse_state(problems: _Problems, path: str, data: Mapping[str, Any]) -> State | None:
    """One state, or ``None`` when it has a problem (noted)."""
    before = len(problems.messages)
    problems.unknown_keys(path, data, _STATE_KEYS)
    for key in ("code", "label", "clock"):
        if key not in data:
            problems.add(_("%(path)s.%(key)s: required"), path=path, key=key)
    code = _code(problems, f"{path}.code", data["code"]) if "code" in data else None
    label = _text(problems, f"{path}.label", data["label"], LABEL_MAX, required=True) if "label" in data else None
    clock = data.get("clock")
    if "clock" in data and not isinstance(clock, str):
        problems.wrong_type(f"{path}.clock", _("a string"), clock)
    elif "clock" in data and clock not in CLOCK_MODES:
        problems.add(
            _('%(path)s.clock: "%(value)s" is not a clock mode (running, paused or stopped)'), path=path, value=_show(str(clock))
        )
    responded = _flag(problems, f"{path}.responded", data.get("responded", False))
    final = _flag(problems, f"{path}.final", data.get("final", False))
    instruction = _text(problems, f"{path}.instruction", data.get("instruction", ""), INSTRUCTION_MAX, required=False)
    if final and clock in CLOCK_MODES and clock != STOPPED:
        problems.add(
            _('%(path)s.clock: final state "%(state)s" must stop the clock ("stopped"), not "%(clock)s"'),
            path=path,
            state=data.get("code"),
            clock=clock,
        )
    if len(problems.messages) > before:
        return None
    assert code is not None and label is not None and responded is not None and final is not None
    assert instruction is not None
    return State(code, label, str(clock), responded, final, instruction)


def _parse_who(problems: _Problems, path: str, value: Any) -> list[str] | None:
    """Who may perform a transition: role codes and relations, at least one."""
    who = _string_list(problems, path, value)
    if who is None:
        return None
    if not who:
        problems.add(_("%(path)s: nobody may perform it"), path=path)
        return None
    sound = True
    for item in who:
        if item.startswith("@"):
            if item not in RELATIONS:
                problems.add(
                    _('%(path)s: unknown relation "%(value)s" (use %(relations)s)'),
                    path=path,
                    value=_show(item),
                    relations=", ".join(RELATIONS),
                )
                sound = False
        elif not _CODE.fullmatch(item):
            problems.add(
                _('%(path)s: "%(value)s" is not a valid role code (1–40 lowercase letters, digits and _)'),
                path=path,
                value=_show(item),
            )
            sound = False
    return who if sound else None


def _parse_requires(problems: _Problems, path: str, value: Any) -> list[str] | None:
    """The case fields a transition requires, each one of :data:`REQUIRABLE`."""
    requires = _string_list(problems, path, value)
    if requires is None:
        return None
    unknown = [item for item in requires if item not in REQUIRABLE]
    for item in unknown:
        problems.add(_('%(path)s: unknown field "%(value)s"'), path=path, value=_show(item))
    return None if unknown else requires


def _parse_transition(
    problems: _Problems, path: str, data: Mapping[str, Any], declared: Mapping[str, bool | None] | None
) -> tuple[Transition | None, bool]:
    """One transition (``None`` when it has a problem, noted) and whether its ``from`` and ``to`` are sound.

    ``declared`` maps each state code written in the definition to whether the state is final (``None``: unknown);
    without it (the states are unusable) references to states are not checked.
    """
    before = len(problems.messages)
    problems.unknown_keys(path, data, _TRANSITION_KEYS)
    for key in ("code", "label", "from", "to", "who"):
        if key not in data:
            problems.add(_("%(path)s.%(key)s: required"), path=path, key=key)
    code = _code(problems, f"{path}.code", data["code"]) if "code" in data else None
    label = _text(problems, f"{path}.label", data["label"], LABEL_MAX, required=True) if "label" in data else None

    ends_before = len(problems.messages)
    sources = _string_list(problems, f"{path}.from", data["from"]) if "from" in data else None
    if sources is not None:
        if not sources:
            problems.add(_("%(path)s.from: give at least one state"), path=path)
        for source in sources:
            if declared is not None and source not in declared:
                problems.add(_('%(path)s.from: no state "%(state)s"'), path=path, state=_show(source))
    target = data.get("to")
    if "to" in data:
        if not isinstance(target, str):
            problems.wrong_type(f"{path}.to", _("a string"), target)
        elif declared is not None and target not in declared:
            problems.add(_('%(path)s.to: no state "%(state)s"'), path=path, state=_show(target))
    ends_sound = len(problems.messages) == ends_before and "from" in data and "to" in data
    for source in sources or ():
        if declared is not None and declared.get(source):
            problems.add(_('%(path)s.from: state "%(state)s" is final; no transition may leave it'), path=path, state=source)

    who = _parse_who(problems, f"{path}.who", data["who"]) if "who" in data else None
    requires = _parse_requires(problems, f"{path}.requires", data.get("requires", []))
    instruction = _text(problems, f"{path}.instruction", data.get("instruction", ""), INSTRUCTION_MAX, required=False)
    if len(problems.messages) > before:
        return None, ends_sound
    assert code is not None and label is not None and sources is not None and isinstance(target, str)
    assert who is not None and requires is not None and instruction is not None
    return Transition(code, label, tuple(sources), target, tuple(who), tuple(requires), instruction), ends_sound


def _duplicates(problems: _Problems, list_path: str, codes: Iterable[tuple[int, Any]]) -> None:
    """Note every code written a second time in a list, naming where it first appeared."""
    first: dict[str, int] = {}
    for index, code in codes:
        if not isinstance(code, str):
            continue
        if code in first:
            problems.add(
                _('%(path)s: duplicate code "%(code)s" (also %(other)s)'),
                path=f"{list_path}[{index}].code",
                code=_show(code),
                other=f"{list_path}[{first[code]}]",
            )
        else:
            first[code] = index


def _reachable(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    """Every node reachable from ``start`` (included) along ``edges``."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def parse(data: Any) -> Definition:
    """Validate a workflow definition and build it; raise ``ValidationError({"definition": [...]})`` listing every problem.

    Each message starts with where the problem is (``states[2].code``, ``transitions[4].to``, ``initial``…).
    Lazy translatable strings (as in :data:`DEFAULTS`) are read as their English text.
    """
    problems = _Problems()
    if not isinstance(data, Mapping):
        problems.add(
            _('definition: must be an object with "initial", "states" and "transitions", not %(actual)s'),
            actual=_json_type(data),
        )
        raise ValidationError({"definition": problems.messages})
    problems.unknown_keys("definition", data, _TOP_KEYS)
    for key in _TOP_KEYS:
        if key not in data:
            problems.add(_("%(path)s: required"), path=key)

    # declared: each state code written (even a badly written one, so references to it resolve) and whether the
    # state is final (None: unknown). It is None when some state has no code at all, or there are no states:
    # references to states are then not checked, as they could point at the missing code.
    raw_states = data.get("states")
    declared: dict[str, bool | None] | None = None
    state_items: list[tuple[int, Mapping[str, Any]]] = []
    states_sound = False
    if "states" in data and not isinstance(raw_states, list | tuple):
        problems.wrong_type("states", _("a list"), raw_states)
    elif isinstance(raw_states, list | tuple):
        if not raw_states:
            problems.add(_("%(path)s: give at least one state"), path="states")
        codes: dict[str, bool | None] = {}
        states_sound = bool(raw_states)
        for index, item in enumerate(raw_states):
            if not isinstance(item, Mapping):
                problems.wrong_type(f"states[{index}]", _("an object"), item)
                states_sound = False
                continue
            state_items.append((index, item))
            code = item.get("code")
            final = item.get("final", False)
            if isinstance(code, str):
                codes.setdefault(code, final if isinstance(final, bool) else None)
            else:
                states_sound = False
            if not isinstance(final, bool):
                states_sound = False
        if raw_states and all(isinstance(item, Mapping) and isinstance(item.get("code"), str) for item in raw_states):
            declared = codes
    states: list[State] = []
    for index, item in state_items:
        state = _parse_state(problems, f"states[{index}]", item)
        if state is not None:
            states.append(state)
    _duplicates(problems, "states", ((index, item.get("code")) for index, item in state_items))
    if states_sound and declared and not any(declared.values()):
        problems.add(_("states: no final state; a workflow must be able to end"))

    initial = data.get("initial")
    initial_sound = False
    if "initial" in data:
        if not isinstance(initial, str):
            problems.wrong_type("initial", _("a string"), initial)
        elif declared is None:
            pass  # the states are unusable: already reported
        elif initial not in declared:
            problems.add(_('initial: no state "%(state)s"'), state=_show(initial))
        else:
            initial_sound = True

    raw_transitions = data.get("transitions", [])
    transitions_sound = "transitions" in data
    transitions: list[Transition] = []
    transition_items: list[tuple[int, Mapping[str, Any]]] = []
    if not isinstance(raw_transitions, list | tuple):
        problems.wrong_type("transitions", _("a list"), raw_transitions)
        transitions_sound = False
    else:
        for index, item in enumerate(raw_transitions):
            if not isinstance(item, Mapping):
                problems.wrong_type(f"transitions[{index}]", _("an object"), item)
                transitions_sound = False
                continue
            transition_items.append((index, item))
            transition, ends_sound = _parse_transition(problems, f"transitions[{index}]", item, declared)
            transitions_sound = transitions_sound and ends_sound
            if transition is not None:
                transitions.append(transition)
        _duplicates(problems, "transitions", ((index, item.get("code")) for index, item in transition_items))

    if states_sound and transitions_sound and initial_sound and declared is not None:
        _check_paths(problems, str(initial), state_items, declared, transition_items)

    if problems.messages:
        raise ValidationError({"definition": problems.messages})
    return Definition(str(initial), tuple(states), tuple(transitions))


def _check_paths(
    problems: _Problems,
    initial: str,
    state_items: list[tuple[int, Mapping[str, Any]]],
    declared: Mapping[str, bool | None],
    transition_items: list[tuple[int, Mapping[str, Any]]],
) -> None:
    """Note states the initial state cannot reach, and reachable states from which no final state can be reached."""
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for _index, item in transition_items:
        for source in item["from"]:
            forward.setdefault(source, set()).add(item["to"])
            backward.setdefault(item["to"], set()).add(source)
    reached = _reachable([initial], forward)
    finals = [code for code, final in declared.items() if final]
    can_end = _reachable(finals, backward)
    reported: set[str] = set()
    for index, item in state_items:
        code = item["code"]
        if code in reported:
            continue
        reported.add(code)
        if code not in reached:
            problems.add(
                _('%(path)s: state "%(state)s" cannot be reached from the initial state "%(initial)s"'),
                path=f"states[{index}]",
                state=code,
                initial=initial,
            )
        elif finals and code not in can_end:
            problems.add(
                _('%(path)s: from state "%(state)s" no final state can be reached; a case would get stuck there'),
                path=f"states[{index}]",
                state=code,
            )


# --- the USM defaults ---------------------------------------------------------------------------------------------------


def _state(
    code: str, label: Promise, clock: str, instruction: Promise, *, responded: bool = True, final: bool = False
) -> dict[str, Any]:
    return {"code": code, "label": label, "clock": clock, "responded": responded, "final": final, "instruction": instruction}


def _move(
    code: str,
    label: Promise,
    sources: list[str],
    target: str,
    who: list[str],
    requires: Iterable[str] = (),
    instruction: Promise | str = "",
) -> dict[str, Any]:
    return {
        "code": code,
        "label": label,
        "from": sources,
        "to": target,
        "who": who,
        "requires": list(requires),
        "instruction": instruction,
    }


_DESK = ["servicedesk_agent", "smo_officer"]
_WORKERS = [ASSIGNEE, TEAM]

_INCIDENT: dict[str, Any] = {
    "initial": "logged",
    "states": [
        _state(
            "logged",
            gettext_lazy("Logged"),
            RUNNING,
            gettext_lazy(
                "Record what the customer cannot do, since when, and on which service. Set the priority from impact and urgency."
            ),
            responded=False,
        ),
        _state(
            "assigned",
            gettext_lazy("Assigned"),
            RUNNING,
            gettext_lazy("The team that delivers this link of the service picks the incident up and names who handles it."),
        ),
        _state(
            "in_progress",
            gettext_lazy("In progress"),
            RUNNING,
            gettext_lazy("Restore the agreed service first; find the cause later in a problem."),
        ),
        _state(
            "waiting_customer",
            gettext_lazy("Waiting for customer"),
            PAUSED,
            gettext_lazy("Ask one clear question. The clock is paused until the customer answers."),
        ),
        _state(
            "waiting_supplier",
            gettext_lazy("Waiting for supplier"),
            PAUSED,
            gettext_lazy("Log the incident with the supplier under its contract and note its reference. The clock is paused."),
        ),
        _state(
            "resolved",
            gettext_lazy("Resolved"),
            STOPPED,
            gettext_lazy("Tell the customer what was done. The customer confirms, or reopens when the service is not restored."),
        ),
        _state(
            "closed",
            gettext_lazy("Closed"),
            STOPPED,
            gettext_lazy("Nothing more to do. A recurring disruption is a reason to open a problem."),
            final=True,
        ),
        _state(
            "cancelled",
            gettext_lazy("Cancelled"),
            STOPPED,
            gettext_lazy("Logged by mistake or not an incident. Say why, and log the right request if there is one."),
            responded=False,
            final=True,
        ),
    ],
    "transitions": [
        _move("assign", gettext_lazy("Assign"), ["logged"], "assigned", [*_DESK, TEAM], ["team"]),
        _move("reassign", gettext_lazy("Reassign"), ["assigned", "in_progress"], "assigned", [*_DESK, TEAM], ["team", "note"]),
        _move("start", gettext_lazy("Start"), ["assigned"], "in_progress", _WORKERS, ["assignee"]),
        _move("wait_for_customer", gettext_lazy("Wait for customer"), ["in_progress"], "waiting_customer", _WORKERS, ["note"]),
        _move("wait_for_supplier", gettext_lazy("Wait for supplier"), ["in_progress"], "waiting_supplier", _WORKERS, ["note"]),
        _move("answer", gettext_lazy("Answer"), ["waiting_customer"], "in_progress", [REQUESTER], ["note"]),
        _move(
            "resume",
            gettext_lazy("Resume"),
            ["waiting_customer", "waiting_supplier"],
            "in_progress",
            [*_WORKERS, "servicedesk_agent"],
        ),
        _move(
            "resolve",
            gettext_lazy("Resolve"),
            ["in_progress"],
            "resolved",
            _WORKERS,
            ["resolution"],
            gettext_lazy("Write the resolution so the customer understands it; note a workaround if one was used."),
        ),
        _move("reopen", gettext_lazy("Reopen"), ["resolved"], "in_progress", [REQUESTER, "servicedesk_agent"], ["note"]),
        _move("close", gettext_lazy("Close"), ["resolved"], "closed", [REQUESTER, *_DESK]),
        _move("cancel", gettext_lazy("Cancel"), ["logged", "assigned"], "cancelled", [*_DESK, REQUESTER], ["note"]),
    ],
}

_SERVICE_REQUEST: dict[str, Any] = {
    "initial": "logged",
    "states": [
        _state(
            "logged",
            gettext_lazy("Logged"),
            RUNNING,
            gettext_lazy("Check that the request is in the service catalogue and within the agreement; a wish is not a request."),
            responded=False,
        ),
        _state(
            "assigned",
            gettext_lazy("Assigned"),
            RUNNING,
            gettext_lazy("The team that delivers the offering picks the request up and names who handles it."),
        ),
        _state(
            "in_progress",
            gettext_lazy("In progress"),
            RUNNING,
            gettext_lazy("Deliver as the catalogue describes; nothing lasting changes in the infrastructure."),
        ),
        _state(
            "waiting_customer",
            gettext_lazy("Waiting for customer"),
            PAUSED,
            gettext_lazy("Ask one clear question. The clock is paused until the customer answers."),
        ),
        _state(
            "delivered",
            gettext_lazy("Delivered"),
            STOPPED,
            gettext_lazy("Tell the customer what was delivered. The customer confirms, or reopens if it is not what was asked."),
        ),
        _state(
            "closed",
            gettext_lazy("Closed"),
            STOPPED,
            gettext_lazy("Nothing more to do."),
            final=True,
        ),
        _state(
            "cancelled",
            gettext_lazy("Cancelled"),
            STOPPED,
            gettext_lazy("Withdrawn, or not a service request. Say why, and log the right request if there is one."),
            responded=False,
            final=True,
        ),
    ],
    "transitions": [
        _move("assign", gettext_lazy("Assign"), ["logged"], "assigned", [*_DESK, TEAM], ["offering", "team"]),
        _move("start", gettext_lazy("Start"), ["assigned"], "in_progress", _WORKERS, ["assignee"]),
        _move("wait_for_customer", gettext_lazy("Wait for customer"), ["in_progress"], "waiting_customer", _WORKERS, ["note"]),
        _move("answer", gettext_lazy("Answer"), ["waiting_customer"], "in_progress", [REQUESTER], ["note"]),
        _move("resume", gettext_lazy("Resume"), ["waiting_customer"], "in_progress", [*_WORKERS, "servicedesk_agent"]),
        _move("deliver", gettext_lazy("Deliver"), ["in_progress"], "delivered", _WORKERS, ["resolution"]),
        _move("reopen", gettext_lazy("Reopen"), ["delivered"], "in_progress", [REQUESTER, "servicedesk_agent"], ["note"]),
        _move("close", gettext_lazy("Close"), ["delivered"], "closed", [REQUESTER, *_DESK]),
        _move("cancel", gettext_lazy("Cancel"), ["logged", "assigned"], "cancelled", [*_DESK, REQUESTER], ["note"]),
    ],
}

_CHANGE: dict[str, Any] = {
    "initial": "specified",
    "states": [
        _state(
            "specified",
            gettext_lazy("Specified"),
            RUNNING,
            gettext_lazy("Describe the lasting change to the managed infrastructure, its reason and the services it touches."),
            responded=False,
        ),
        _state(
            "assessed",
            gettext_lazy("Assessed"),
            RUNNING,
            gettext_lazy("Risk and impact are known. The change manager, or the advisory board for a large change, decides."),
        ),
        _state(
            "approved",
            gettext_lazy("Approved"),
            PAUSED,
            gettext_lazy("Plan the change in a window agreed with the customers. The clock is paused until realisation starts."),
        ),
        _state(
            "rejected",
            gettext_lazy("Rejected"),
            STOPPED,
            gettext_lazy("Tell the requester why the change does not go ahead."),
            final=True,
        ),
        _state(
            "in_realisation",
            gettext_lazy("In realisation"),
            RUNNING,
            gettext_lazy("Realise as planned and keep a way back. Whoever specified or approved the change does not realise it."),
        ),
        _state(
            "realised",
            gettext_lazy("Realised"),
            STOPPED,
            gettext_lazy("Update the infrastructure register. Evaluate once the change has run for a while."),
        ),
        _state(
            "evaluated",
            gettext_lazy("Evaluated"),
            STOPPED,
            gettext_lazy("Record what went well and what to improve next time."),
            final=True,
        ),
    ],
    "transitions": [
        _move(
            "assess",
            gettext_lazy("Assess"),
            ["specified"],
            "assessed",
            ["change_manager", "smo_officer"],
            ["risk", "impact_assessment"],
        ),
        _move("approve", gettext_lazy("Approve"), ["assessed"], "approved", ["change_manager", "cab_member"], ["note"]),
        _move("reject", gettext_lazy("Reject"), ["assessed"], "rejected", ["change_manager", "cab_member"], ["note"]),
        _move(
            "realise",
            gettext_lazy("Start realisation"),
            ["approved"],
            "in_realisation",
            ["change_manager", TEAM],
            ["planned_start", "planned_end", "team"],
        ),
        _move("replan", gettext_lazy("Replan"), ["in_realisation"], "approved", ["change_manager"], ["note"]),
        _move("complete", gettext_lazy("Complete"), ["in_realisation"], "realised", _WORKERS, ["note"]),
        _move("evaluate", gettext_lazy("Evaluate"), ["realised"], "evaluated", ["change_manager", "smo_officer"], ["note"]),
    ],
}

_WISH: dict[str, Any] = {
    "initial": "logged",
    "states": [
        _state(
            "logged",
            gettext_lazy("Logged"),
            RUNNING,
            gettext_lazy("Record what the customer wants changed in the agreement, or what the complaint is about."),
            responded=False,
        ),
        _state(
            "assessed",
            gettext_lazy("Assessed"),
            RUNNING,
            gettext_lazy("The contract manager has weighed the wish against the agreement and the costs; now decide."),
        ),
        _state(
            "accepted",
            gettext_lazy("Accepted"),
            PAUSED,
            gettext_lazy("The agreement will change. The clock is paused while the new terms are agreed."),
        ),
        _state(
            "declined",
            gettext_lazy("Declined"),
            STOPPED,
            gettext_lazy("Tell the customer why the agreement stays as it is."),
            final=True,
        ),
        _state(
            "agreed",
            gettext_lazy("Agreed"),
            STOPPED,
            gettext_lazy("The agreement is updated. Raise the change that delivers it, then close the wish."),
        ),
        _state(
            "closed",
            gettext_lazy("Closed"),
            STOPPED,
            gettext_lazy("Nothing more to do here; the change carries the work."),
            final=True,
        ),
    ],
    "transitions": [
        _move("assess", gettext_lazy("Assess"), ["logged"], "assessed", ["contract_manager", "smo_officer"], ["note"]),
        _move("accept", gettext_lazy("Accept"), ["assessed"], "accepted", ["contract_manager"], ["note"]),
        _move("decline", gettext_lazy("Decline"), ["assessed"], "declined", ["contract_manager"], ["note"]),
        _move(
            "agree",
            gettext_lazy("Agreement updated"),
            ["accepted"],
            "agreed",
            ["contract_manager"],
            ["note"],
            gettext_lazy("Note which agreement changed and how; the change that realises it follows."),
        ),
        _move("close", gettext_lazy("Close"), ["agreed"], "closed", ["contract_manager", "smo_officer"]),
    ],
}

_PROBLEM: dict[str, Any] = {
    "initial": "logged",
    "states": [
        _state(
            "logged",
            gettext_lazy("Logged"),
            RUNNING,
            gettext_lazy("Link the incidents that share this unknown cause and the configuration items involved."),
            responded=False,
        ),
        _state(
            "investigating",
            gettext_lazy("Investigating"),
            RUNNING,
            gettext_lazy("Find the cause. A workaround that helps the service desk now is worth recording early."),
        ),
        _state(
            "known_error",
            gettext_lazy("Known error"),
            PAUSED,
            gettext_lazy("Cause and workaround are known; the service desk applies the workaround. The clock waits for the fix."),
        ),
        _state(
            "resolved",
            gettext_lazy("Resolved"),
            STOPPED,
            gettext_lazy("The cause is removed, usually by a change. Check that the incidents stop."),
        ),
        _state(
            "closed",
            gettext_lazy("Closed"),
            STOPPED,
            gettext_lazy("Nothing more to do."),
            final=True,
        ),
        _state(
            "cancelled",
            gettext_lazy("Cancelled"),
            STOPPED,
            gettext_lazy("Not a problem after all, or a duplicate. Say why."),
            responded=False,
            final=True,
        ),
    ],
    "transitions": [
        _move(
            "investigate", gettext_lazy("Investigate"), ["logged"], "investigating", ["smo_officer", SERVICE_MANAGER], ["team"]
        ),
        _move(
            "record_known_error",
            gettext_lazy("Record known error"),
            ["investigating"],
            "known_error",
            _WORKERS,
            ["cause", "workaround"],
        ),
        _move(
            "resolve",
            gettext_lazy("Resolve"),
            ["investigating", "known_error"],
            "resolved",
            _WORKERS,
            ["cause", "resolution"],
        ),
        _move("reopen", gettext_lazy("Reopen"), ["resolved"], "investigating", ["smo_officer", SERVICE_MANAGER], ["note"]),
        _move("close", gettext_lazy("Close"), ["resolved"], "closed", ["smo_officer", SERVICE_MANAGER]),
        _move(
            "cancel",
            gettext_lazy("Cancel"),
            ["logged", "investigating"],
            "cancelled",
            ["smo_officer", SERVICE_MANAGER],
            ["note"],
        ),
    ],
}

DEFAULTS: dict[str, dict[str, Any]] = {
    INCIDENT: _INCIDENT,
    SERVICE_REQUEST: _SERVICE_REQUEST,
    CHANGE: _CHANGE,
    WISH: _WISH,
    PROBLEM: _PROBLEM,
}


def _plain(value: Any) -> Any:
    """A deep copy with lazy translatable strings turned into their English text."""
    if isinstance(value, Promise):
        return _english(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def default_definition(kind: str) -> dict[str, Any]:
    """The USM standard workflow of a kind as JSON-ready data in English; ``ValueError`` for an unknown kind."""
    if kind not in DEFAULTS:
        raise ValueError(f"Unknown workflow kind {kind!r}; the kinds are {', '.join(KINDS)}.")
    result: dict[str, Any] = _plain(DEFAULTS[kind])
    return result


def display_label(text: str) -> str:
    """A stored label or instruction as shown: translated when it is one of the defaults, as typed otherwise."""
    if not text:
        return text  # gettext("") would give the catalogue's header
    return translation.gettext(text)
