"""Every write to the RAID log, and the rules that guard it.

The PMO administers a log: a PMO officer or portfolio manager by role on the scope, and on a project the
project manager and the project's named PMO officers. An item's owner updates their own item — its
status, progress and response — but does not rewrite what was agreed (owner, due date, scoring of a
new item). Escalation moves an item up the scope tree and keeps a trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Scope
from regie.core.services import claim_version
from regie.portfolio.models import Project
from regie.portfolio.services import keeps, person_of, project_of_scope
from regie.raid.choices import STATUSES, Kind
from regie.raid.models import Escalation, RaidItem

COMMON_FIELDS = ("title", "description", "owner", "status", "due_date", "progress")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.RISK: (
        "cause",
        "event",
        "effect",
        "probability",
        "impact",
        "proximity",
        "strategy",
        "response",
        "residual_probability",
        "residual_impact",
    ),
    Kind.ISSUE: ("severity", "resolution"),
    Kind.ACTION: ("origin", "source", "origin_reference"),
    Kind.DECISION: ("decided_by", "decided_on", "basis"),
    Kind.ASSUMPTION: (),
    Kind.DEPENDENCY: ("depends_on",),
}
#: What an owner who does not administer the log may change on their own item.
OWNER_FIELDS = ("status", "progress", "response", "resolution", "residual_probability", "residual_impact")

ADD = "raid.add_raiditem"
CHANGE = "raid.change_raiditem"
ESCALATE = "raid.escalate_raiditem"


def fields_for(kind: str) -> tuple[str, ...]:
    return COMMON_FIELDS + KIND_FIELDS.get(kind, ())


def may_add(user: Any, scope: Scope) -> bool:
    """The PMO of the scope by role, and on a project its project manager and named PMO officers."""
    return permissions.may(user, ADD, scope=scope) or keeps(user, project_of_scope(scope))


@dataclass(frozen=True)
class Parts:
    """What a person may do with one item."""

    administers: bool
    owns: bool
    escalates: bool

    @property
    def updates(self) -> bool:
        return self.administers or self.owns


def parts(user: Any, item: RaidItem) -> Parts:
    person = person_of(user)
    owns = person is not None and item.owner_id == person.pk
    administers = permissions.may(user, CHANGE, item)
    return Parts(administers=administers, owns=owns, escalates=permissions.may(user, ESCALATE, item))


def _check_fields(kind: str, data: dict[str, Any]) -> None:
    allowed = set(fields_for(kind))
    unknown = sorted(set(data) - allowed)
    if unknown:
        label = Kind(kind).label if kind in Kind.values else kind
        raise ValidationError({name: [_("This field does not apply to a %(kind)s.") % {"kind": label}] for name in unknown})


def _validate(item: RaidItem, data: dict[str, Any]) -> None:
    source = data.get("source")
    if source is not None and source.scope_id != item.scope_id:
        raise ValidationError({"source": [_("An action responds to a risk or an issue of its own log.")]})
    item.full_clean(exclude=["scope"] if item.scope_id else None)
    if item.owner is not None and item.owner.is_archived:
        raise ValidationError({"owner": [_("An archived person cannot own an item.")]})


def item_create(*, actor: Any, scope: Scope, kind: str, data: dict[str, Any]) -> RaidItem:
    """Add an item to a scope's log: the PMO of the scope (or the project's manager and PMO officers)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of item.")]})
    if not may_add(actor, scope):
        raise PermissionDenied(_("Only the PMO of this scope adds to its log."))
    _check_fields(kind, data)
    item = RaidItem(scope=scope, kind=kind, project=project_of_scope(scope), raised_by=person_of(actor))
    for name, value in data.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if "status" not in data:
        item.status = STATUSES[Kind(kind)][0]
    _validate(item, data)
    item._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        item.save()
    return item


def item_update(*, actor: Any, item: RaidItem, data: dict[str, Any], expected_version: int | None) -> RaidItem:
    """Change an item: the log's administrators change anything but its kind and place; its owner
    changes its status, progress and response (a decision is recorded by the PMO, not by its owner)."""
    who = parts(actor, item)
    if not who.updates:
        raise PermissionDenied(_("Only the PMO of this log or the item's owner updates it."))
    if item.is_archived:
        raise ValidationError(_("An archived item cannot be changed; restore it first."))
    _check_fields(item.kind, data)
    if not who.administers:
        allowed = ("progress",) if item.kind == Kind.DECISION else OWNER_FIELDS
        refused = sorted(set(data) - set(allowed))
        if refused:
            raise ValidationError({name: [_("Only the PMO of this log changes this.")] for name in refused})
    for name, value in data.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _validate(item, data)
    with transaction.atomic():
        claim_version(item, expected_version)
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
    return item


def escalation_targets(item: RaidItem) -> list[Scope]:
    """The scopes above the item's that it can be escalated to, nearest first (the whole organisation
    is not a log)."""
    ids = [int(part) for part in item.scope.path.strip("/").split("/")[:-1] if part]
    above = {s.pk: s for s in Scope.objects.filter(pk__in=ids).exclude(kind="root")}
    return [above[pk] for pk in reversed(ids) if pk in above]


def item_escalate(*, actor: Any, item: RaidItem, to_scope: Scope, reason: str, expected_version: int | None) -> RaidItem:
    """Move an item up to the programme or portfolio (or another scope above it), with a trail. The
    escalating person administers the item's log; the receiving log's PMO takes it over from there."""
    if not permissions.may(actor, ESCALATE, item):
        raise PermissionDenied(_("Only the PMO of this log escalates its items."))
    if item.is_archived:
        raise ValidationError(_("An archived item cannot be changed; restore it first."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the item is escalated.")]})
    if to_scope.pk not in {s.pk for s in escalation_targets(item)}:
        raise ValidationError({"to_scope": [_("An item is escalated to a scope above its own.")]})
    with transaction.atomic():
        claim_version(item, expected_version)
        Escalation.objects.create(
            item=item, from_scope=item.scope, to_scope=to_scope, reason=reason.strip(), escalated_by=person_of(actor)
        )
        item.scope = to_scope
        item.project = project_of_scope(to_scope)
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
    return item


def item_archive(*, actor: Any, item: RaidItem, expected_version: int | None, restore: bool = False) -> RaidItem:
    """Archive (or restore) an item: the log's administrators do; nothing is deleted."""
    from regie.core.services import record_archive

    return record_archive(actor=actor, instance=item, expected_version=expected_version, restore=restore)


def report_content(project: Project) -> dict[str, str]:
    """What a new status report of the project says under top risks and decisions needed: the log's
    open risks with the highest exposure after response, and its open decisions (empty: keep last
    period's text)."""
    from regie.raid import selectors

    risks = selectors.top_risks(None, project.scope, limit=5)
    decisions = selectors.open_decisions(None, project.scope, limit=10)
    risk_lines = []
    for risk in risks:
        exposure = risk.exposure if risk.residual_exposure is None else f"{risk.exposure} → {risk.residual_exposure}"
        line = _("%(ref)s %(title)s (exposure %(exposure)s; owner %(owner)s)") % {
            "ref": risk.reference,
            "title": risk.title,
            "exposure": exposure,
            "owner": risk.owner or "–",
        }
        if risk.response:
            line += ": " + " ".join(risk.response.split())[:200]
        risk_lines.append("- " + line)
    decision_lines = []
    for decision in decisions:
        line = f"{decision.reference} {decision.title}"
        if decision.owner:
            line += " · " + _("to be decided by %(person)s") % {"person": decision.owner}
        if decision.due_date:
            line += " · " + _("needed by %(date)s") % {"date": decision.due_date.isoformat()}
        decision_lines.append("- " + line)
    return {"top_risks": "\n".join(risk_lines), "decisions_needed": "\n".join(decision_lines)}
