"""Base classes every business record stands on: timestamps, a version for optimistic locking,
archiving instead of deletion, audit history, and a queryset that knows what a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class BusinessQuerySet(models.QuerySet):
    """Reads that respect archiving and the user's scoped permissions."""

    def active(self) -> Any:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> Any:
        return self.filter(archived_at__isnull=False)

    def visible_to(self, user: AbstractBaseUser | AnonymousUser, action: str | None = None) -> Any:
        """Only the rows on which ``user`` holds ``action`` (default: the model's view action)."""
        from regie.core import permissions

        return permissions.restrict(self, user, action or permissions.action_for(self.model, "view"))


class BusinessModel(models.Model):
    """A business record: never deleted but archived, every change in its history, and a version number
    that a concurrent writer must present so that a stale write is refused instead of overwriting."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False, db_index=True)

    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at", "version"])

    objects = BusinessQuerySet.as_manager()

    #: The lookup from this model to the Scope row that governs access to it ("" = the model is a scope).
    scope_lookup: ClassVar[str | None] = None
    #: Fields the global search looks in.
    search_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def written(self, *, created: bool) -> None:
        """Called by every service that saves the record, inside its transaction, right after the save:
        where a model keeps derived data (a table of what rests on what), it is brought up to date here.
        Nothing by default."""

    def governing_scope(self) -> Any:
        """The Scope row whose role holders may act on this record (None: only global roles)."""
        if self.scope_lookup is None:
            return None
        target: Any = self
        for part in self.scope_lookup.split("__"):
            if target is None:
                return None
            target = getattr(target, part)
        return target
