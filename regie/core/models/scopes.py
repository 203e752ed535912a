"""Scopes: the places where a person can hold a role.

The organisation is a tree of scopes: the root (the whole organisation), domains, organisational units
and, as later capabilities land, portfolios, programmes, projects, services and suppliers. A role held on
a scope applies to that scope and everything below it; the materialised ``path`` makes "everything
below" one indexed prefix match.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ROOT_KIND = "root"


class Scope(models.Model):
    """A node of the scope tree; a scoped record (domain, unit, project ...) owns exactly one."""

    kind = models.CharField(_("kind"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("scope")
        verbose_name_plural = _("scopes")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def root(cls) -> Scope:
        """The whole organisation; created on first use."""
        root: Scope | None = cls.objects.filter(kind=ROOT_KIND).order_by("id").first()
        if root is None:
            root = cls(kind=ROOT_KIND, name=str(_("Whole organisation")))
            root.save()
        return root

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
            if new_path != self.path:
                old_path = self.path
                self.path = new_path
                Scope.objects.filter(pk=self.pk).update(path=new_path)
                if old_path:
                    # Moving a subtree rewrites its descendants' paths in one statement per row.
                    for child in Scope.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                        Scope.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    def is_within(self, other: Scope) -> bool:
        return self.path.startswith(other.path)


class ScopedMixin(models.Model):
    """A record that is itself a scope. Subclasses say which scope is their parent."""

    scope = models.OneToOneField(Scope, on_delete=models.PROTECT, editable=False, related_name="+")
    scope_kind: str = ""

    class Meta:
        abstract = True

    def parent_scope(self) -> Scope:
        return Scope.root()

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            parent = self.parent_scope()
            if not self.scope_id:
                self.scope = Scope.objects.create(kind=self.scope_kind, name=str(self)[:200], parent=parent)
            elif self.scope.parent_id != parent.pk or self.scope.name != str(self)[:200]:
                self.scope.parent = parent
                self.scope.name = str(self)[:200]
                self.scope.save()
            super().save(*args, **kwargs)


class RoleAssignment(models.Model):
    """A person holds a role on a scope: the only source of permissions besides superuser status."""

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=60)
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("scope"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("granted"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["person", "role", "scope"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.person} · {self.role_label} · {self.scope}"

    @property
    def role_label(self) -> str:
        from regie.core import permissions

        role = permissions.ROLES.get(self.role)
        return str(role.label) if role else self.role
