"""Every write of contract management, and the rules that guard it.

* Writing an agreement, its drafts and their targets needs the agreement action and the action of its kind
  on the agreement's domain: the SMO drafts SLAs and OLAs, purchasing drafts supplier contracts, the
  contract manager all three.
* A change to an agreement's terms makes a new version. Only a draft is edited; a draft is submitted for
  approval. An approved version comes into force on its start date: at approval when that date has come,
  otherwise by the periodic job (``versions_bring_into_force``); the version before stays in force until
  then and is superseded at that moment. Approved and superseded versions are never changed again.
* Segregation of duties: whoever specified a version or edited its terms (or the agreement's kind and
  parties while it was being prepared) never approves it. Only a contract manager approves.
* Two agreed versions of different agreements of the same kind, between the same provider and customer,
  for the same service, may not be in force on the same day: refused at submission and approval, warned of
  on saving a draft.
* Once a version is approved, an agreement's kind and parties are fixed (a new party is a new agreement);
  while a version is in review they cannot change either.
* An obligation that is delivered, missed or waived keeps what it said; a recurring one gets its next
  occurrence, on the day of the month the series started on. Obligations of archived agreements, and
  archived obligations, are not changed.

Views, the API and jobs call these functions; none of them saves a model directly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Person
from regie.core.services import StaleWrite, claim_version
from regie.suppliers import selectors
from regie.suppliers.choices import KIND_SHORT, TIMED_METRICS, AgreementKind, ObligationStatus, Recurrence, VersionStatus
from regie.suppliers.models import LATEST_DATE, Agreement, AgreementVersion, Obligation, ServiceLevelTarget, within_dates
from regie.suppliers.roles import APPROVE, KIND_ACTIONS

AGREEMENT_FIELDS = (
    "kind",
    "code",
    "name",
    "domain",
    "provider_unit",
    "provider_organisation",
    "customer_unit",
    "customer_organisation",
    "contract_manager",
    "projects",
    "description",
)
#: Fixed once a version has been approved.
PARTY_FIELDS = ("kind", "provider_unit", "provider_organisation", "customer_unit", "customer_organisation")
VERSION_FIELDS = (*AgreementVersion.TERMS, "services", "offerings", "change_summary")
TARGET_FIELDS = ("metric", "priority", "target", "compliance", "offering")
OBLIGATION_FIELDS = (
    "version",
    "description",
    "owed_by",
    "due_date",
    "recurrence",
    "consequence_kind",
    "penalty_amount",
    "currency",
    "owner",
    "notes",
)


class RuleBroken(Exception):
    """A request that conflicts with the state of the records (HTTP 409): a version that is not a draft, a
    period that overlaps another agreement. ``rule`` names the rule for API clients."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class SegregationOfDuties(PermissionDenied):
    """The person who specified or edited a version's terms tried to approve it (HTTP 403)."""

    rule = "segregation_of_duties"


# --- who may do what ------------------------------------------------------------------------------


def person_of(user: Any) -> Person | None:
    if not getattr(user, "pk", None):
        return None
    return Person.objects.filter(user_id=user.pk, archived_at__isnull=True).first()


def may_add(user: Any, kind: str, scope: Any) -> bool:
    """May ``user`` draft an agreement of ``kind`` on ``scope`` (a domain's scope)?"""
    action = KIND_ACTIONS.get(kind)
    return bool(
        action and permissions.may(user, "suppliers.add_agreement", scope=scope) and permissions.may(user, action, scope=scope)
    )


def may_keep(user: Any, agreement: Agreement) -> bool:
    """May ``user`` change the agreement and its drafts (by a role: the agreement action and its kind's)?"""
    scope = agreement.domain.scope
    action = KIND_ACTIONS.get(agreement.kind)
    return bool(
        action and permissions.may(user, "suppliers.change_agreement", scope=scope) and permissions.may(user, action, scope=scope)
    )


def may_approve(user: Any, agreement: Agreement) -> bool:
    """Holds the approval action (a contract manager); whether they specified the version is checked apart."""
    return permissions.may(user, APPROVE, scope=agreement.domain.scope)


def manages_obligations(user: Any, agreement: Agreement) -> bool:
    """Adds and closes an agreement's obligations (a contract manager by role)."""
    return permissions.may(user, "suppliers.change_obligation", scope=agreement.domain.scope)


def specifiers(version: AgreementVersion) -> set[int]:
    """The people who shaped a version's terms: its specifier and everyone who edited the draft."""
    return {version.specified_by_id, *version.edited_by.values_list("pk", flat=True)}


def may_approve_version(user: Any, version: AgreementVersion) -> bool:
    person = person_of(user)
    return (
        version.status == VersionStatus.IN_REVIEW
        and may_approve(user, version.agreement)
        and person is not None
        and person.pk not in specifiers(version)
    )


def _require_keep(actor: Any, agreement: Agreement) -> None:
    if not may_keep(actor, agreement):
        kind = KIND_SHORT.get(agreement.kind, agreement.kind)
        raise PermissionDenied(_("You may not change %(kind)s agreements here.") % {"kind": kind})


def _require_person(actor: Any) -> Person:
    person = person_of(actor)
    if person is None:
        raise PermissionDenied(_("Only a person of the organisation can do this; your login has no person record."))
    return person


def _check_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})


def _set(instance: models.Model, data: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    for name, value in data.items():
        if name in skip:
            continue
        field: Any = instance._meta.get_field(name)
        if field.many_to_many:
            continue
        if isinstance(value, str):
            value = value.strip()
        if field.is_relation and not isinstance(value, models.Model) and value is not None:
            setattr(instance, field.attname, value)
        else:
            setattr(instance, name, value)


@contextmanager
def _unchanged_on_failure(*instances: models.Model) -> Iterator[None]:
    """Put the instances' attributes (their lock counter, their status) back as they were when the block
    fails, as the rolled-back transaction leaves the rows, so that the caller may try again."""
    saved = [(instance, dict(instance.__dict__), dict(instance._state.fields_cache)) for instance in instances]
    try:
        yield
    except BaseException:
        for instance, attributes, related in saved:
            instance.__dict__.update(attributes)
            instance._state.fields_cache = related
        raise


def _column(model: type[models.Model], name: str) -> str:
    """The attribute that holds a field's value (``version_id`` for ``version``)."""
    field: Any = model._meta.get_field(name)
    return str(field.attname)


def _no_archived_people(instance: models.Model, *names: str) -> None:
    errors = {}
    for name in names:
        person = getattr(instance, name, None)
        if person is not None and person.is_archived:
            errors[name] = [_("An archived person cannot be named here.")]
    if errors:
        raise ValidationError(errors)


# --- agreements -----------------------------------------------------------------------------------


def agreement_create(*, actor: Any, data: dict[str, Any]) -> Agreement:
    """Create an agreement of a kind the actor drafts on its domain; its parties are checked per kind."""
    _check_fields(data, AGREEMENT_FIELDS)
    agreement = Agreement()
    _set(agreement, data)
    if agreement.kind not in AgreementKind.values:
        raise ValidationError({"kind": [_("Choose SLA, OLA or underpinning contract.")]})
    if agreement.domain_id is None:
        raise ValidationError({"domain": [_("This field is required.")]})
    if not may_add(actor, agreement.kind, agreement.domain.scope):
        raise PermissionDenied(_("You may not draft %(kind)s agreements in this domain.") % {"kind": agreement.kind_short})
    agreement.full_clean()
    _no_archived_people(agreement, "contract_manager")
    agreement._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        agreement.save()
        if "projects" in data:
            agreement.projects.set(data["projects"] or [])
    return agreement


def _changed_parties(agreement: Agreement, data: dict[str, Any]) -> list[str]:
    return [
        name
        for name in PARTY_FIELDS
        if name in data and getattr(data[name], "pk", data[name]) != getattr(agreement, name if name == "kind" else f"{name}_id")
    ]


def agreement_update(*, actor: Any, agreement: Agreement, data: dict[str, Any], expected_version: int | None) -> Agreement:
    """Change an agreement's description, contract manager, projects and (before its first approval) its
    kind and parties. Its terms change through a new version. Whoever changes the kind or parties while a
    version is a draft counts as an editor of that draft (and may not approve it); while a version is in
    review they are frozen with it. The actor needs the agreement's kind on its domain before and after."""
    _check_fields(data, AGREEMENT_FIELDS)
    _require_keep(actor, agreement)
    if agreement.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    if "kind" in data and data["kind"] not in AgreementKind.values:
        raise ValidationError({"kind": [_("Choose SLA, OLA or underpinning contract.")]})
    changed = _changed_parties(agreement, data)
    if changed and agreement.versions.filter(status__in=[VersionStatus.APPROVED, VersionStatus.SUPERSEDED]).exists():
        raise ValidationError(
            {name: [_("Fixed once a version is approved; a different party needs a new agreement.")] for name in changed}
        )
    pending = open_version(agreement) if changed else None
    if pending is not None and pending.status == VersionStatus.IN_REVIEW:
        message = _("Version %(number)s is in review: send it back to draft before changing the kind or the parties.") % {
            "number": pending.number
        }
        raise ValidationError({name: [message] for name in changed})
    kind_before, domain_before = agreement.kind, agreement.domain_id
    _set(agreement, data)
    if (agreement.kind != kind_before or agreement.domain_id != domain_before) and not may_keep(actor, agreement):
        if agreement.domain_id != domain_before:
            raise PermissionDenied(_("You may not move the agreement to that domain."))
        raise PermissionDenied(_("You may not draft %(kind)s agreements in this domain.") % {"kind": agreement.kind_short})
    agreement.full_clean()
    _no_archived_people(agreement, "contract_manager")
    agreement._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(agreement, expected_version)
        agreement.save()
        if "projects" in data:
            agreement.projects.set(data["projects"] or [])
        if pending is not None:
            # The parties are part of what the approver signs off: changing them shapes the draft.
            _mark_edited(pending, person_of(actor))
    return agreement


def agreement_archive(*, actor: Any, agreement: Agreement, expected_version: int | None, restore: bool = False) -> Agreement:
    if not permissions.may(actor, "suppliers.archive_agreement", scope=agreement.domain.scope):
        raise PermissionDenied(_("You may not do this here."))
    agreement._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(agreement, expected_version)
        agreement.archived_at = None if restore else timezone.now()
        agreement.save()
    return agreement


# --- versions -------------------------------------------------------------------------------------


def open_version(agreement: Agreement) -> AgreementVersion | None:
    """The version being prepared (a draft or one in review); there is at most one."""
    return agreement.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]).first()


def version_new(*, actor: Any, agreement: Agreement, change_summary: str = "") -> AgreementVersion:
    """Start a new draft: a copy of the latest approved version (its terms, services, offerings and
    targets), or empty terms starting today for a first version. The approved versions stay as they are."""
    _require_keep(actor, agreement)
    person = _require_person(actor)
    if agreement.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    pending = open_version(agreement)
    if pending is not None:
        raise RuleBroken(
            _("Version %(number)s is still %(status)s; finish it before starting another.")
            % {"number": pending.number, "status": pending.get_status_display()},
            "one_open_version",
        )
    # The newest agreed terms: the version in force, or one approved to come into force later.
    base = agreement.versions.filter(status=VersionStatus.APPROVED).order_by("-number").first()
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = AgreementVersion(
        agreement=agreement,
        number=number,
        status=VersionStatus.DRAFT,
        specified_by=person,
        change_summary=(change_summary or "").strip(),
    )
    if base is not None:
        for name in AgreementVersion.TERMS:
            setattr(draft, name, getattr(base, name))
    else:
        draft.start = timezone.localdate()
    draft._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            draft.save()
            if base is not None:
                draft.services.set(base.services.all())
                draft.offerings.set(base.offerings.all())
                ServiceLevelTarget.objects.bulk_create(
                    ServiceLevelTarget(
                        version=draft,
                        metric=t.metric,
                        priority=t.priority,
                        target=t.target,
                        compliance=t.compliance,
                        offering_id=t.offering_id,
                    )
                    for t in base.targets.all()
                )
    except IntegrityError:
        raise RuleBroken(_("Someone else started a new version at the same time."), "one_open_version") from None
    return draft


def _require_draft(version: AgreementVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise RuleBroken(
            _("Version %(number)s is %(status)s: only a draft is edited. Start a new version to change the terms.")
            % {"number": version.number, "status": version.get_status_display()},
            "only_drafts_are_edited",
        )


def _check_offerings(services: list[Any], offerings: list[Any]) -> None:
    service_ids = {s.pk for s in services}
    stray = [o for o in offerings if o.service_id not in service_ids]
    if stray:
        raise ValidationError(
            {
                "offerings": [
                    _("These offerings belong to services the version does not cover: %(names)s.")
                    % {"names": ", ".join(str(o) for o in stray)}
                ]
            }
        )


def _mark_edited(version: AgreementVersion, person: Person | None) -> None:
    if person is not None and person.pk != version.specified_by_id:
        version.edited_by.add(person)


def version_update(
    *, actor: Any, version: AgreementVersion, data: dict[str, Any], expected_version: int | None
) -> tuple[AgreementVersion, list[str]]:
    """Change a draft's terms; whoever changes them joins the people who may not approve it. Returns the
    version and warnings of overlapping agreements (refused only at submission and approval)."""
    _check_fields(data, VERSION_FIELDS)
    _require_keep(actor, version.agreement)
    person = _require_person(actor)
    _require_draft(version)
    before = {name: getattr(version, name) for name in AgreementVersion.TERMS}
    services = list(data["services"]) if "services" in data else list(version.services.all())
    offerings = list(data["offerings"]) if "offerings" in data else list(version.offerings.all())
    services_changed = "services" in data and {s.pk for s in services} != set(version.services.values_list("pk", flat=True))
    offerings_changed = "offerings" in data and {o.pk for o in offerings} != set(version.offerings.values_list("pk", flat=True))
    _set(version, data)
    version.full_clean()
    _check_offerings(services, offerings)
    if version.calendar_id is None and version.targets.filter(metric__in=TIMED_METRICS).exists():
        raise ValidationError({"calendar": [_("Targets on response and resolution times need a business-hours calendar.")]})
    changed = services_changed or offerings_changed or any(getattr(version, n) != v for n, v in before.items())
    version._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(version, expected_version)
        version.save()
        if "services" in data:
            version.services.set(services)
        if "offerings" in data:
            version.offerings.set(offerings)
        if changed:
            _mark_edited(version, person)
    return version, selectors.overlaps(version, services)


def _target_checks(version: AgreementVersion, target: ServiceLevelTarget) -> None:
    target.full_clean()
    if target.offering is not None and not version.services.filter(pk=target.offering.service_id).exists():
        raise ValidationError({"offering": [_("The offering's service is not covered by this version.")]})
    duplicates = version.targets.filter(metric=target.metric, priority=target.priority, offering_id=target.offering_id)
    if target.pk:
        duplicates = duplicates.exclude(pk=target.pk)
    if duplicates.exists():
        raise ValidationError({"metric": [_("This version already has a target for this metric, priority and offering.")]})


def target_add(
    *, actor: Any, version: AgreementVersion, data: dict[str, Any], expected_version: int | None = None
) -> ServiceLevelTarget:
    """Add a service-level target to a draft (a timed target needs the draft's business-hours calendar)."""
    _check_fields(data, TARGET_FIELDS)
    _require_keep(actor, version.agreement)
    person = _require_person(actor)
    _require_draft(version)
    target = ServiceLevelTarget(version=version)
    _set(target, data)
    _target_checks(version, target)
    target._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(version, expected_version)
        target.save()
        _mark_edited(version, person)
    return target


def target_update(
    *, actor: Any, target: ServiceLevelTarget, data: dict[str, Any], expected_version: int | None = None
) -> ServiceLevelTarget:
    _check_fields(data, TARGET_FIELDS)
    version = target.version
    _require_keep(actor, version.agreement)
    person = _require_person(actor)
    _require_draft(version)
    _set(target, data)
    _target_checks(version, target)
    target._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(version, expected_version)
        target.save()
        _mark_edited(version, person)
    return target


def target_remove(*, actor: Any, target: ServiceLevelTarget, expected_version: int | None = None) -> None:
    """Remove a target from a draft (targets of approved versions stay as they were agreed); a target that
    service levels were measured against stays too."""
    version = target.version
    _require_keep(actor, version.agreement)
    person = _require_person(actor)
    _require_draft(version)
    target._history_user = actor  # type: ignore[attr-defined]
    try:
        with _unchanged_on_failure(version), transaction.atomic():
            claim_version(version, expected_version)
            target.delete()
            _mark_edited(version, person)
    except ProtectedError:
        raise RuleBroken(
            _("Service levels have been measured against this target, so it stays; change it instead of removing it."),
            "target_measured",
        ) from None


def _require_complete(version: AgreementVersion) -> None:
    version.full_clean()
    if version.agreement.kind in (AgreementKind.SLA, AgreementKind.OLA) and not version.services.exists():
        raise ValidationError({"services": [_("An SLA or OLA covers at least one service.")]})
    if version.calendar_id is None and version.targets.filter(metric__in=TIMED_METRICS).exists():
        raise ValidationError({"calendar": [_("Targets on response and resolution times need a business-hours calendar.")]})


def _require_no_overlap(version: AgreementVersion) -> None:
    clashes = selectors.overlaps(version)
    if clashes:
        raise RuleBroken(" ".join(clashes), "overlapping_period")


def _lock_competitors(agreement: Agreement) -> None:
    """Lock the agreements whose versions could overlap this one's (the same kind and parties), in the
    order of their ids, so that two submissions or approvals that would overlap run one after the other
    and the second sees the first (PostgreSQL; SQLite runs one writing transaction at a time anyway)."""
    list(
        Agreement.objects.select_for_update()
        .filter(
            kind=agreement.kind,
            provider_unit_id=agreement.provider_unit_id,
            provider_organisation_id=agreement.provider_organisation_id,
            customer_unit_id=agreement.customer_unit_id,
            customer_organisation_id=agreement.customer_organisation_id,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def version_submit(*, actor: Any, version: AgreementVersion, expected_version: int | None) -> AgreementVersion:
    """Hand a complete draft over for approval; its terms are then frozen unless it is sent back."""
    _require_keep(actor, version.agreement)
    person = _require_person(actor)
    _require_draft(version)
    version._history_user = actor  # type: ignore[attr-defined]
    with _unchanged_on_failure(version), transaction.atomic():
        claim_version(version, expected_version)
        _lock_competitors(version.agreement)
        _require_complete(version)
        _require_no_overlap(version)
        version.status = VersionStatus.IN_REVIEW
        version.submitted_by = person
        version.submitted_at = timezone.now()
        version.save()
    return version


def version_return(*, actor: Any, version: AgreementVersion, reason: str, expected_version: int | None) -> AgreementVersion:
    """Send a version in review back to draft, with the reason in its history (its keepers or an approver)."""
    if not (may_keep(actor, version.agreement) or may_approve(actor, version.agreement)):
        raise PermissionDenied(_("You may not do this here."))
    if version.status != VersionStatus.IN_REVIEW:
        raise RuleBroken(_("Only a version in review can be sent back to draft."), "only_in_review")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the version goes back to draft.")]})
    version.status = VersionStatus.DRAFT
    version._history_user = actor  # type: ignore[attr-defined]
    version._change_reason = reason[:1000]  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(version, expected_version)
        version.save()
    return version


def version_approve(*, actor: Any, version: AgreementVersion, expected_version: int | None) -> AgreementVersion:
    """Approve a version in review: a contract manager who neither specified nor edited its terms. A
    version whose start has come is in force at once and supersedes the approved ones before it; one that
    starts later leaves the version in force as it is until its start (``versions_bring_into_force``)."""
    agreement = version.agreement
    if not may_approve(actor, agreement):
        raise PermissionDenied(_("Only a contract manager approves agreements."))
    person = _require_person(actor)
    if person.pk in specifiers(version):
        raise SegregationOfDuties(
            _(
                "Segregation of duties: %(person)s specified or edited the terms of version %(number)s and may not "
                "approve it. Another contract manager must approve it."
            )
            % {"person": person, "number": version.number}
        )
    if version.status != VersionStatus.IN_REVIEW:
        raise RuleBroken(
            _("Version %(number)s is %(status)s; only a version submitted for approval can be approved.")
            % {"number": version.number, "status": version.get_status_display()},
            "only_in_review",
        )
    version._history_user = actor  # type: ignore[attr-defined]
    with _unchanged_on_failure(version, agreement), transaction.atomic():
        claim_version(version, expected_version)
        _lock_competitors(agreement)
        _require_complete(version)
        _require_no_overlap(version)
        version.status = VersionStatus.APPROVED
        version.approved_by = person
        version.approved_at = timezone.now()
        version.save()
        _bring_into_force(agreement, timezone.localdate(), actor)
    return version


def _bring_into_force(agreement: Agreement, today: date, actor: Any) -> bool:
    """The approved version with the highest number whose start has come is the one in force: point the
    agreement at it and supersede the approved versions numbered before it. True if anything changed."""
    in_force = agreement.versions.filter(status=VersionStatus.APPROVED, start__lte=today).order_by("-number").first()
    if in_force is None:
        return False
    changed = False
    for previous in agreement.versions.filter(status=VersionStatus.APPROVED, number__lt=in_force.number).order_by("number"):
        previous.status = VersionStatus.SUPERSEDED
        previous._history_user = actor  # type: ignore[attr-defined]
        claim_version(previous, None)
        previous.save()
        changed = True
    if agreement.current_version_id != in_force.pk:
        claim_version(agreement, None)
        agreement.current_version = in_force
        agreement._history_user = actor  # type: ignore[attr-defined]
        agreement.save()
        changed = True
    return changed


def versions_bring_into_force(*, today: date | None = None) -> int:
    """Put the approved versions whose start has come into force (the periodic job; running it twice does
    nothing more). Returns the number of agreements whose version in force changed."""
    today = today or timezone.localdate()
    waiting = (
        AgreementVersion.objects.filter(status=VersionStatus.APPROVED, start__lte=today)
        .exclude(agreement__current_version=F("pk"))
        .values("agreement_id")
    )
    changed = 0
    for pk in Agreement.objects.filter(pk__in=waiting).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update().get(pk=pk)
            changed += _bring_into_force(agreement, today, None)
    return changed


# --- obligations ----------------------------------------------------------------------------------


def claim_revision(obligation: Obligation, expected: int | None) -> None:
    """Optimistic locking for obligations (their ``version`` names the agreement version)."""
    expected = obligation.revision if expected is None else expected
    claimed = Obligation.objects.filter(pk=obligation.pk, revision=expected).update(revision=F("revision") + 1)
    if not claimed:
        current = Obligation.objects.filter(pk=obligation.pk).values_list("revision", flat=True).first()
        raise StaleWrite(current or 0)
    obligation.revision = expected + 1


def _validate_obligation(obligation: Obligation) -> None:
    obligation.full_clean()
    _no_archived_people(obligation, "owner")


def _require_changeable(obligation: Obligation) -> None:
    """Neither an archived obligation nor one of an archived agreement is changed, delivered or closed."""
    if obligation.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    if obligation.agreement.is_archived:
        raise ValidationError(
            _("The agreement %(agreement)s is archived: restore it before changing its obligations.")
            % {"agreement": obligation.agreement.code}
        )


def obligation_create(*, actor: Any, agreement: Agreement, data: dict[str, Any]) -> Obligation:
    """Record something a party owes under the agreement (a contract manager). A recurring one falls on
    the day of the month of its first due date."""
    _check_fields(data, OBLIGATION_FIELDS)
    if not permissions.may(actor, "suppliers.add_obligation", scope=agreement.domain.scope):
        raise PermissionDenied(_("You may not add obligations to this agreement."))
    if agreement.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    obligation = Obligation(agreement=agreement)
    _set(obligation, data)
    if obligation.version_id is None:
        obligation.version = agreement.current_version
    _validate_obligation(obligation)
    obligation.anchor_day = obligation.due_date.day
    obligation._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        obligation.save()
    return obligation


#: What an obligation said stays once it is delivered, missed or waived; its owner and notes may change.
CLOSED_OBLIGATION_FIELDS = ("owner", "notes")


def obligation_update(*, actor: Any, obligation: Obligation, data: dict[str, Any], expected_revision: int | None) -> Obligation:
    """Change what an open obligation says (a contract manager; its owner records delivery instead). Once
    it is delivered, missed or waived only its owner and notes change. A new due date is the day of the
    month the series falls on from then on."""
    _check_fields(data, OBLIGATION_FIELDS)
    if not manages_obligations(actor, obligation.agreement):
        raise PermissionDenied(_("You may not change this obligation."))
    _require_changeable(obligation)
    columns = {name: _column(Obligation, name) for name in OBLIGATION_FIELDS}
    before = {name: getattr(obligation, column) for name, column in columns.items()}
    _set(obligation, data)
    if obligation.status != ObligationStatus.OPEN:
        fixed = [
            name
            for name, column in columns.items()
            if name not in CLOSED_OBLIGATION_FIELDS and getattr(obligation, column) != before[name]
        ]
        if fixed:
            message = _("The obligation is %(status)s: what it said stays as it was.") % {
                "status": obligation.get_status_display()
            }
            obligation.__dict__.update({columns[name]: before[name] for name in fixed})
            raise ValidationError({name: [message] for name in fixed})
    _validate_obligation(obligation)
    if obligation.due_date != before["due_date"] or obligation.anchor_day is None:
        obligation.anchor_day = obligation.due_date.day
    obligation._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_revision(obligation, expected_revision)
        obligation.save()
    return obligation


def _next_due(recurrence: str, day: date, anchor: int | None = None) -> date | None:
    """The due date after ``day``: one, three or twelve months on, on the ``anchor`` day of the month (the
    last day of a shorter month), so that 31 January, 28 February, 31 March keep to the 31st. None past
    the latest date an obligation may name."""
    months = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}[Recurrence(recurrence)]
    anchor = anchor or day.day
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > LATEST_DATE.year:
        return None
    following = date(year, month, min(anchor, calendar.monthrange(year, month)[1]))
    return following if following <= LATEST_DATE else None


def _next_occurrence(obligation: Obligation, actor: Any) -> Obligation | None:
    """The next occurrence of a recurring obligation that was delivered, missed or waived (inside the
    caller's transaction), under the agreement's version in force."""
    if obligation.recurrence == Recurrence.NONE:
        return None
    anchor = obligation.anchor_day or obligation.due_date.day
    due = _next_due(obligation.recurrence, obligation.due_date, anchor)
    if due is None:
        return None
    following = Obligation(
        agreement_id=obligation.agreement_id,
        version_id=obligation.agreement.current_version_id or obligation.version_id,
        description=obligation.description,
        owed_by=obligation.owed_by,
        due_date=due,
        anchor_day=anchor,
        recurrence=obligation.recurrence,
        consequence_kind=obligation.consequence_kind,
        penalty_amount=obligation.penalty_amount,
        currency=obligation.currency,
        owner_id=obligation.owner_id,
        notes=obligation.notes,
    )
    following._history_user = actor  # type: ignore[attr-defined]
    following.save()
    return following


def obligation_deliver(
    *, actor: Any, obligation: Obligation, delivered_on: date | None, expected_revision: int | None
) -> tuple[Obligation, Obligation | None]:
    """Record delivery (its owner or a contract manager): on or before the due date it is delivered, after
    it late. A recurring obligation then gets its next occurrence, which is returned as well."""
    if not permissions.may(actor, "suppliers.change_obligation", obligation):
        raise PermissionDenied(_("You may not change this obligation."))
    _require_changeable(obligation)
    if obligation.status != ObligationStatus.OPEN:
        raise RuleBroken(_("This obligation is already %(status)s.") % {"status": obligation.get_status_display()}, "only_open")
    if delivered_on is None:
        raise ValidationError({"delivered_on": [_("Give the date it was delivered.")]})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": [_("Delivery cannot be recorded for a future date.")]})
    try:
        within_dates(delivered_on)
    except ValidationError as error:
        raise ValidationError({"delivered_on": error.messages}) from None
    obligation.delivered_on = delivered_on
    obligation.status = ObligationStatus.LATE if delivered_on > obligation.due_date else ObligationStatus.DELIVERED
    obligation._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_revision(obligation, expected_revision)
        obligation.save()
        following = _next_occurrence(obligation, actor)
    return obligation, following


def obligation_close(
    *,
    actor: Any,
    obligation: Obligation,
    status: str,
    note: str = "",
    penalty_amount: Any = None,
    consequence_kind: str | None = None,
    expected_revision: int | None,
) -> Obligation:
    """Declare an open obligation missed (with the penalty or credit the contract states, if any) or waive
    it: a contract manager's call, not the owner's. A recurring obligation then gets its next occurrence."""
    if not manages_obligations(actor, obligation.agreement):
        raise PermissionDenied(_("Only a contract manager declares an obligation missed or waives it."))
    _require_changeable(obligation)
    if status not in (ObligationStatus.MISSED, ObligationStatus.WAIVED):
        raise ValidationError({"status": [_("Choose missed or waived.")]})
    if obligation.status != ObligationStatus.OPEN:
        raise RuleBroken(_("This obligation is already %(status)s.") % {"status": obligation.get_status_display()}, "only_open")
    if status == ObligationStatus.MISSED and obligation.due_date >= timezone.localdate():
        raise ValidationError({"status": [_("An obligation can be missed only after its due date.")]})
    obligation.status = status
    if penalty_amount is not None:
        obligation.penalty_amount = penalty_amount
    if consequence_kind:
        obligation.consequence_kind = consequence_kind
    if note.strip():
        obligation.notes = (obligation.notes + "\n" + note.strip()).strip()
    _validate_obligation(obligation)
    obligation._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_revision(obligation, expected_revision)
        obligation.save()
        _next_occurrence(obligation, actor)
    return obligation


def obligation_archive(*, actor: Any, obligation: Obligation, expected_revision: int | None, restore: bool = False) -> Obligation:
    if not permissions.may(actor, "suppliers.archive_obligation", scope=obligation.agreement.domain.scope):
        raise PermissionDenied(_("You may not do this here."))
    obligation._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_revision(obligation, expected_revision)
        obligation.archived_at = None if restore else timezone.now()
        obligation.save()
    return obligation
