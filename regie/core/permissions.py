"""The one place that answers "may this user do action A on object O?" — deny by default.

Apps register their actions and extend roles with them (see ``roles.py`` in each app). A person holds a
role on a scope (``RoleAssignment``); the role grants its actions on that scope and on everything below
it. Superusers may do everything. Lists, detail pages, search, exports and the API all filter through
``restrict`` and check through ``may``, so what a user can reach is decided here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from regie.core.models import Scope

ALL_ACTIONS = "*"


@dataclass(frozen=True)
class Action:
    code: str
    label: Any


@dataclass
class Role:
    code: str
    label: Any
    description: Any = ""
    actions: set[str] = field(default_factory=set)
    #: The kinds of scope this role may be held on; empty means any kind.
    scope_kinds: tuple[str, ...] = ()

    def grants(self, action: str) -> bool:
        return ALL_ACTIONS in self.actions or action in self.actions


ACTIONS: dict[str, Action] = {}
ROLES: dict[str, Role] = {}


def register_action(code: str, label: Any) -> Action:
    action = Action(code, label)
    ACTIONS[code] = action
    return action


def register_model_actions(model: type[Model], verbs: Iterable[str] = ("view", "add", "change", "archive")) -> list[str]:
    """Register the standard actions on a model: ``<app>.<verb>_<model>``."""
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy as _

    verb_labels = {"view": _("view"), "add": _("add"), "change": _("change"), "archive": _("archive")}
    codes = []
    for verb in verbs:
        code = action_for(model, verb)
        register_action(code, format_lazy("{} · {}", model._meta.verbose_name_plural, verb_labels.get(verb, verb)))
        codes.append(code)
    return codes


def register_role(
    code: str,
    label: Any,
    description: Any = "",
    actions: Iterable[str] = (),
    scope_kinds: tuple[str, ...] = (),
) -> Role:
    role = ROLES.get(code) or Role(code, label, description, set(), scope_kinds)
    role.label, role.description, role.scope_kinds = label, description, scope_kinds
    role.actions.update(actions)
    ROLES[code] = role
    return role


def grant(role_code: str, *actions: str) -> None:
    """Extend an existing role with more actions (how an app adds its actions to core's roles)."""
    ROLES[role_code].actions.update(actions)


def action_for(model: type[Model], verb: str) -> str:
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


# --- evaluation -----------------------------------------------------------------------------------


def _assignments(user: Any) -> list[tuple[str, str]]:
    """(role, scope path) pairs held by the user's person; cached on the user object for one request."""
    cached = getattr(user, "_regie_assignments", None)
    if cached is None:
        from regie.core.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(person__user_id=user.pk, person__archived_at__isnull=True).values_list(
                "role", "scope__path"
            )
        )
        user._regie_assignments = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached assignments (after roles change within one request)."""
    if hasattr(user, "_regie_assignments"):
        del user._regie_assignments


def _usable(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def scope_paths(user: Any, action: str) -> list[str]:
    """The scope paths on which the user holds ``action``, without paths nested inside another."""
    paths = sorted({path for role, path in _assignments(user) if role in ROLES and ROLES[role].grants(action)})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def _is_root(path: str) -> bool:
    # Only the root scope has no parent, so only its path has a single segment ("/<id>/").
    return path.count("/") == 2


def holds_anywhere(user: Any, action: str) -> bool:
    if not _usable(user):
        return False
    return user.is_superuser or bool(scope_paths(user, action))


def holds_role(user: Any, role: str, scope: Scope) -> bool:
    """Does the user hold ``role`` itself on ``scope`` or on a scope above it? (A workflow names the
    roles that may take a step; a role is not an action, and a superuser holds none by right.)"""
    if not _usable(user):
        return False
    return any(held == role and scope.path.startswith(path) for held, path in _assignments(user))


def holds_globally(user: Any, action: str) -> bool:
    if not _usable(user):
        return False
    return user.is_superuser or any(_is_root(p) for p in scope_paths(user, action))


def may(user: Any, action: str, obj: Model | None = None, *, scope: Scope | None = None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (or within ``scope``, for records not created yet)?"""
    if not _usable(user):
        return False
    if user.is_superuser:
        return True
    if obj is not None and action.split(".", 1)[-1].startswith("view_") and getattr(obj, "readable_by_all_users", False):
        return True
    if obj is not None and _extra_allows(user, action, obj):
        return True
    paths = scope_paths(user, action)
    if not paths:
        return False
    if obj is not None and scope is None:
        scope = obj.governing_scope() if hasattr(obj, "governing_scope") else None
    if scope is None:
        return any(_is_root(p) for p in paths)
    return any(scope.path.startswith(path) for path in paths)


def _extra_allows(user: Any, action: str, obj: Model) -> bool:
    """A model's ``extra_visibility`` rule, asked of one saved object (so the rule is written once)."""
    extra = getattr(type(obj), "extra_visibility", None)
    if extra is None or obj.pk is None:
        return False
    condition = extra(user, action)
    if condition is None:
        return False
    local = _evaluate_locally(condition, obj)
    if local is not None:
        return local
    return type(obj)._default_manager.filter(condition, pk=obj.pk).exists()


def _evaluate_locally(condition: Q, obj: Model) -> bool | None:
    """Answer a condition on the object's own columns (``Q(user_id=7)``) without a query; None when it
    reaches into other tables."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            result = _evaluate_locally(child, obj)
        elif isinstance(child, tuple) and "__" not in child[0] and child[0] in {f.attname for f in obj._meta.concrete_fields}:
            result = getattr(obj, child[0]) == child[1]
        else:
            return None
        if result is None:
            return None
        results.append(result)
    combined = any(results) if condition.connector == Q.OR else all(results)
    return not combined if condition.negated else combined


def restrict(queryset: QuerySet, user: Any, action: str) -> QuerySet:
    """Narrow ``queryset`` to the rows on which ``user`` holds ``action``."""
    if not _usable(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    model = queryset.model
    if action.split(".", 1)[-1].startswith("view_") and getattr(model, "readable_by_all_users", False):
        return queryset
    paths = scope_paths(user, action)
    condition = Q(pk__in=[])
    if paths:
        if any(_is_root(p) for p in paths):
            return queryset
        lookup = getattr(model, "scope_lookup", None)
        if lookup is not None:
            from regie.core.models import Scope

            # A semi-join on the scopes below the paths rather than a join: the database can then read
            # a large table through an index on its scope column alone (and combine it with the OR of
            # a model's extra rule) instead of scanning it.
            inside = Q(pk__in=[])
            for path in paths:
                inside |= Q(path__startswith=path)
            condition |= Q(**{f"{lookup}__in": Scope.objects.filter(inside).values("pk")})
    extra = getattr(model, "extra_visibility", None)
    if extra is not None:
        extra_q = extra(user, action)
        if extra_q is not None:
            # Rules that reach many-to-many relations test them with subqueries, so no row repeats.
            condition |= extra_q
    return queryset.filter(condition)


def scopes_where(user: Any, action: str) -> QuerySet:
    """The scopes (and their descendants) on which ``user`` holds ``action``, e.g. to offer as choices."""
    from regie.core.models import Scope

    if not _usable(user):
        return Scope.objects.none()
    if user.is_superuser:
        return Scope.objects.all()
    condition = Q(pk__in=[])
    for path in scope_paths(user, action):
        condition |= Q(path__startswith=path)
    return Scope.objects.filter(condition)
