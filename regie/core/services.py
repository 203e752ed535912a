"""Every write in core, and the rules that guard it.

Views, the API, commands and jobs call these functions; none of them saves a model directly. Each
function checks the actor's permission through ``core.permissions``, validates the whole record, and
writes in one transaction. Updates carry the version the writer last saw: if someone else saved in
between, ``StaleWrite`` is raised and nothing is written.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import ApiToken, BusinessModel, Person, RoleAssignment, Scope, ScopedMixin
from regie.core.models.tokens import TOKEN_PREFIX, hash_token

M = TypeVar("M", bound=BusinessModel)


class StaleWrite(Exception):
    """The record changed since the writer read it; the write was refused."""

    def __init__(self, current_version: int) -> None:
        super().__init__(_("This record was changed by someone else in the meantime."))
        self.current_version = current_version


def _scope_for(instance: BusinessModel) -> Scope | None:
    """Where ``instance`` sits: for a record that is itself a scope, its parent scope; otherwise the
    scope that governs it. Adding needs the add action there; moving needs the change action there."""
    if isinstance(instance, ScopedMixin):
        return instance.parent_scope()
    return instance.governing_scope()


def _require(actor: Any, action: str, instance: BusinessModel | None = None, scope: Scope | None = None) -> None:
    if instance is not None and scope is None:
        allowed = permissions.may(actor, action, instance)
    else:
        allowed = permissions.may(actor, action, scope=scope)
    if not allowed:
        raise PermissionDenied(_("You may not do this here."))


def _apply(instance: models.Model, data: dict[str, Any]) -> list[str]:
    """Set plain and foreign-key fields; returns many-to-many fields left for after the save."""
    later = []
    for name, value in data.items():
        field: Any = instance._meta.get_field(name)
        if field.many_to_many:
            later.append(name)
        else:
            setattr(
                instance,
                field.attname if field.is_relation and not isinstance(value, models.Model) else name,
                value,
            )
    return later


def _save_m2m(instance: models.Model, data: dict[str, Any], names: list[str]) -> None:
    for name in names:
        getattr(instance, name).set(data[name])


def record_create(*, actor: Any, model: type[M], data: dict[str, Any]) -> M:
    """Create a business record after checking that the actor may add it where it would sit."""
    instance = model()
    m2m = _apply(instance, data)
    _require(actor, permissions.action_for(model, "add"), scope=_scope_for(instance) or Scope.root())
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        instance.save()
        _save_m2m(instance, data, m2m)
        instance.written(created=True)
    return instance


def claim_version(instance: BusinessModel, expected_version: int | None) -> None:
    """Take the next version if the record still has the one the writer saw (refuse otherwise)."""
    model = type(instance)
    expected = instance.version if expected_version is None else expected_version
    claimed = model._base_manager.filter(pk=instance.pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise StaleWrite(current or 0)
    instance.version = expected + 1


def record_update(*, actor: Any, instance: M, data: dict[str, Any], expected_version: int | None) -> M:
    """Change a business record; the actor needs the change action where it is and where it moves to."""
    action = permissions.action_for(type(instance), "change")
    _require(actor, action, instance)
    if instance.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    place_before = _scope_for(instance)
    m2m = _apply(instance, data)
    place_after = _scope_for(instance)
    if place_after != place_before:
        # Moving a record (or a unit's subtree) needs the change action where it lands as well.
        _require(actor, action, scope=place_after or Scope.root())
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        claim_version(instance, expected_version)
        instance.save()
        _save_m2m(instance, data, m2m)
        instance.written(created=False)
    return instance


def record_archive(*, actor: Any, instance: M, expected_version: int | None = None, restore: bool = False) -> M:
    """Archive (or restore) a business record: it disappears from working lists but is never deleted.
    A restored record must be valid again among the active ones (a unique code taken meanwhile, a chain
    that would close a loop): it is checked as a new record would be."""
    _require(actor, permissions.action_for(type(instance), "archive"), instance)
    instance._history_user = actor  # type: ignore[attr-defined]
    if restore:
        archived_at = instance.archived_at
        instance.archived_at = None
        try:
            instance.full_clean()
        finally:
            instance.archived_at = archived_at
    with transaction.atomic():
        claim_version(instance, expected_version)
        instance.archived_at = None if restore else timezone.now()
        instance.save()
        instance.written(created=False)
    return instance


# --- people ---------------------------------------------------------------------------------------


def person_invite(*, actor: Any, person: Person) -> Any:
    """Give a person a login and email them a link to choose their password.

    The login's user name is the person's email; the link is Django's one-time password-reset token,
    valid for ``PASSWORD_RESET_TIMEOUT``.
    """
    _require(actor, "core.invite_person", person)
    if not person.email:
        raise ValidationError({"email": _("A person needs an email address to be invited.")})
    user_model = get_user_model()
    if person.user is not None and person.user.has_usable_password():
        raise ValidationError({"user": _("This person already signs in with a password.")})
    with transaction.atomic():
        user = person.user
        if user is None:
            if user_model._default_manager.filter(username__iexact=person.email).exists():
                raise ValidationError({"email": _("A login with this email address already exists.")})
            user = user_model._default_manager.create_user(username=person.email, email=person.email)
            user.set_unusable_password()
            user.save()
            person.user = user
            person._history_user = actor  # type: ignore[attr-defined]
            person.save()
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = settings.REGIE_BASE_URL.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])
        with translation.override(person.language):
            context = {"person": person, "link": link, "inviter": getattr(actor, "person", None) or actor}
            subject = _("You are invited to Regie")
            body = render_to_string("core/email/invitation.txt", context)
        transaction.on_commit(lambda: send_mail(subject, body, None, [str(person.email)]))
    return user


# --- roles ----------------------------------------------------------------------------------------


def role_assign(*, actor: Any, person: Person, role: str, scope: Scope) -> RoleAssignment:
    """Give a person a role on a scope; the actor must manage roles on that scope."""
    _require(actor, "core.manage_roles", scope=scope)
    definition = permissions.ROLES.get(role)
    if definition is None:
        raise ValidationError({"role": _("Unknown role.")})
    if definition.scope_kinds and scope.kind not in definition.scope_kinds:
        raise ValidationError({"scope": _("This role cannot be held on this kind of scope.")})
    if person.is_archived:
        raise ValidationError({"person": _("An archived person cannot hold a role.")})
    with transaction.atomic():
        assignment, _created = RoleAssignment.objects.get_or_create(
            person=person, role=role, scope=scope, defaults={"granted_by": actor if actor.pk else None}
        )
    if person.user_id:
        permissions.forget(person.user)
    return assignment


def role_withdraw(*, actor: Any, assignment: RoleAssignment) -> None:
    """Withdraw a role; the history keeps who held it and who withdrew it."""
    _require(actor, "core.manage_roles", scope=assignment.scope)
    assignment._history_user = actor  # type: ignore[attr-defined]
    assignment.delete()


# --- API tokens -----------------------------------------------------------------------------------


def token_create(*, user: Any, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=hash_token(raw),
        hint=raw[: len(TOKEN_PREFIX) + 6],
        expires_at=expires_at,
    )
    return token, raw


def token_revoke(*, user: Any, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_authenticate(raw: str) -> Any | None:
    """The active user a raw token belongs to, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        token = ApiToken.objects.select_related("user").get(key_hash=hash_token(raw), revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- importing people -----------------------------------------------------------------------------

PERSON_COLUMNS = {
    "given_name": ("given_name", "given name", "first name", "voornaam", "förnamn"),
    "family_name": ("family_name", "family name", "last name", "surname", "achternaam", "efternamn"),
    "email": ("email", "e-mail", "e-post"),
    "phone": ("phone", "telephone", "telefoon", "telefon"),
    "employee_number": ("employee_number", "employee number", "personeelsnummer", "anställningsnummer"),
    "org_unit": ("org_unit", "organisational unit", "unit", "afdeling", "enhet"),
    "job_profile": ("job_profile", "job profile", "functieprofiel", "befattning"),
    "language": ("language", "taal", "språk"),
}


def people_import(*, actor: Any, rows: list[dict[str, str]], progress: Any = None) -> list[Person]:
    """Create people from sheet rows, all or nothing: every row is validated first, each problem named
    by row and column, and nothing is written unless every row is right. Units and job profiles are given
    by code; the actor must be allowed to add people in each row's unit."""
    from regie.core.models import JobProfile, OrgUnit
    from regie.core.sheets import ImportRejected, RowError

    if not permissions.holds_anywhere(actor, "core.import_person"):
        raise PermissionDenied(_("You may not import people."))
    aliases = {alias: name for name, names in PERSON_COLUMNS.items() for alias in names}
    units = {u.code.lower(): u for u in OrgUnit.objects.active().select_related("scope")}
    profiles = {j.code.lower(): j for j in JobProfile.objects.active()}
    languages = {code for code, _label in settings.LANGUAGES}
    existing_emails = {e.lower() for e in Person.objects.exclude(email=None).values_list("email", flat=True)}
    errors: list[RowError] = []
    people: list[Person] = []
    seen_emails: dict[str, int] = {}
    if rows:
        unknown = [c for c in rows[0] if c not in aliases]
        if unknown:
            errors.append(RowError(1, ", ".join(unknown), _("Unknown column(s).")))
        present = {aliases[c] for c in rows[0] if c in aliases}
        for required in ("given_name", "family_name"):
            if required not in present:
                errors.append(RowError(1, required, _("This column is required.")))
    if errors:
        raise ImportRejected(errors)
    total = len(rows)
    for index, raw in enumerate(rows):
        line = index + 2
        data = {aliases[k]: (v or "").strip() for k, v in raw.items() if k in aliases}
        person = Person(
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            email=data.get("email") or None,
            phone=data.get("phone", ""),
            employee_number=data.get("employee_number", ""),
            language=(data.get("language") or "en").lower(),
        )
        row_errors: list[RowError] = []
        unit_code = data.get("org_unit", "")
        if unit_code:
            unit = units.get(unit_code.lower())
            if unit is None:
                row_errors.append(RowError(line, "org_unit", _("No organisational unit with code “%s”.") % unit_code))
            else:
                person.org_unit = unit
        profile_code = data.get("job_profile", "")
        if profile_code:
            profile = profiles.get(profile_code.lower())
            if profile is None:
                row_errors.append(RowError(line, "job_profile", _("No job profile with code “%s”.") % profile_code))
            else:
                person.job_profile = profile
        if person.language not in languages:
            row_errors.append(RowError(line, "language", _("Use one of: %s.") % ", ".join(sorted(languages))))
            person.language = "en"
        try:
            person.full_clean(validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row_errors.extend(RowError(line, name, m) for m in messages)
        if person.email:
            key = person.email.lower()
            if key in existing_emails:
                row_errors.append(RowError(line, "email", _("A person with this email address already exists.")))
            elif key in seen_emails:
                row_errors.append(RowError(line, "email", _("The same email address is on row %s.") % seen_emails[key]))
            seen_emails.setdefault(key, line)
        if not row_errors and not permissions.may(
            actor, "core.add_person", scope=person.org_unit.scope if person.org_unit else Scope.root()
        ):
            row_errors.append(RowError(line, "org_unit", _("You may not add people in this unit.")))
        errors.extend(row_errors)
        people.append(person)
        if progress and index % 200 == 0:
            progress(index, total * 2, _("Checking row %s") % line)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for index, person in enumerate(people):
            person._history_user = actor  # type: ignore[attr-defined]
            person.save()
            if progress and index % 200 == 0:
                progress(total + index, total * 2, _("Saving row %s") % (index + 2))
    return people
