"""Segregation of duties on requests for change: whoever specified (logged) or requested a change may not
approve it, and whoever specified, assessed or approved it may not realise it. Checked before every step
of a change's workflow (``before_step``), whichever way the step is taken."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from regie.cases.choices import EventKind

#: The steps that decide on a change, and those that carry it out.
DECIDING = frozenset({"approve", "reject"})
REALISING = frozenset({"realise", "complete"})
#: The steps whose actors may not realise the change (besides its requester and its specifier).
RESPONSIBLE_FOR_DECISION = frozenset({"assess", "approve"})


def people_involved(case: Any) -> dict[str, set[int]]:
    """The person ids that specified, assessed and approved the change, from its history and approvals."""
    involved: dict[str, set[int]] = {"specified": set(), "decided": set()}
    if case.requester_id:
        involved["specified"].add(case.requester_id)
    for kind, transition, person_id in case.events.filter(actor__person__isnull=False).values_list(
        "kind", "transition", "actor__person"
    ):
        if kind == EventKind.CREATED:
            involved["specified"].add(person_id)
        elif transition in RESPONSIBLE_FOR_DECISION:
            involved["decided"].add(person_id)
    involved["decided"].update(case.approvals.values_list("approver_id", flat=True))
    return involved


def before_step(actor: Any, case: Any, step: Any) -> None:
    """Refuse a step that would give one person two duties the method keeps apart."""
    if step.code not in DECIDING | REALISING:
        return
    person = getattr(actor, "person", None)
    if person is None:
        return
    involved = people_involved(case)
    if step.code in DECIDING and person.pk in involved["specified"]:
        raise PermissionDenied(_("You requested or specified this change, so someone else decides on it."))
    if step.code in REALISING and person.pk in involved["specified"] | involved["decided"]:
        raise PermissionDenied(
            _("You specified, assessed or approved this change, so someone else realises it (segregation of duties).")
        )
