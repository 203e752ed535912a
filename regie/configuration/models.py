"""The configuration register (the managed infrastructure register): what each service is made of.

Item types are configuration: each defines its own attributes. Configuration items belong to a domain
(their scope is the domain's), relate to one another (runs on, depends on, is connected to) and support
services of the catalogue. A failure travels along "runs on" and "depends on" from an item to everything
that rests on it, up to the services and their customers; see ``selectors.closure``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.configuration import attributes
from regie.configuration.choices import ItemStatus, RelationKind
from regie.core.models import BusinessModel, Domain, Person, Team
from regie.core.models.organisation import code_validator
from regie.services.models import Service


def _own_services(user: Any) -> list[int]:
    """The ids of the services the user owns or manages. Asked once per request (kept on the user object,
    as its roles are), so that the many users who run no service get lists without an extra condition,
    which would keep the database from reading a large table through its indexes."""
    cached = getattr(user, "_configuration_own_services", None)
    if cached is None:
        cached = []
        if user.pk:
            person = Person.objects.filter(user_id=user.pk).values("pk")
            own = Service.objects.filter(models.Q(owner_id__in=person) | models.Q(manager_id__in=person))
            cached = list(own.values_list("pk", flat=True)[:1000])
        user._configuration_own_services = cached
    return cached


def _supported_by_own_services(user: Any) -> models.QuerySet | None:
    """The items linked to a service the user owns or manages (None: the user runs no service)."""
    own = _own_services(user)
    if not own:
        return None
    return ServiceItem.objects.filter(service_id__in=own, archived_at__isnull=True).values("item_id")


class ItemType(BusinessModel):
    """A kind of configuration item (server, application, workplace, location, contract ...) with the
    attributes its items carry. A type belongs to one domain, or to the whole organisation when it has
    none; its definitions are checked by ``attributes.clean_definitions`` whenever it is saved."""

    scope_lookup = "domain__scope"
    search_fields = ("code", "name", "description")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    domain = models.ForeignKey(
        Domain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="configuration_item_types",
        verbose_name=_("domain"),
        help_text=_("Leave empty for a type the whole organisation uses."),
    )
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=list, blank=True)

    class Meta:
        verbose_name = _("configuration item type")
        verbose_name_plural = _("configuration item types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("configuration:itemtype_detail", args=[self.pk])

    def clean(self) -> None:
        cleaned, problems = attributes.clean_definitions(self.attributes)
        if problems:
            raise ValidationError({"attributes": problems})
        self.attributes = cleaned

    @property
    def definitions(self) -> list[dict[str, Any]]:
        return self.attributes if isinstance(self.attributes, list) else []

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The organisation's own types are seen by everyone who sees types anywhere."""
        from regie.core import permissions

        if action == "configuration.view_itemtype" and permissions.holds_anywhere(user, action):
            return models.Q(domain__isnull=True)
        return None


class ConfigurationItem(BusinessModel):
    """A thing the organisation manages to deliver its services: a server, an application, a workplace.
    Its identifier (host name, asset tag) is unique within its type; its attributes are those its type
    defines, checked by ``attributes.clean_values``."""

    scope_lookup = "domain__scope"
    search_fields = ("identifier", "name")

    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="items", verbose_name=_("type"))
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(
        _("identifier"), max_length=100, help_text=_("Unique within the type: a host name, an asset tag, a licence number.")
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="configuration_items", verbose_name=_("domain"))
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.IN_USE)
    owner_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="configuration_items",
        verbose_name=_("owner team"),
    )
    owner_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="configuration_items",
        verbose_name=_("owner"),
    )
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["name", "id"]
        constraints = [
            # Host names and asset tags are read without regard to case: "ESX01" is "esx01".
            models.UniqueConstraint(
                models.F("item_type"),
                Lower("identifier"),
                name="configuration_unique_identifier_per_type",
                violation_error_message=_("An item of this type with this identifier already exists."),
            )
        ]
        indexes = [
            models.Index(fields=["name", "id"], name="configuration_item_name"),
            # The impact counts what it reached per type from this index alone.
            models.Index(fields=["id", "item_type"], name="configuration_item_type_by_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})" if self.identifier != self.name else self.name

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> ConfigurationItem:
        item = super().from_db(db, field_names, values)
        # Whether a save archives or restores it: the table of what rests on what then changes (``reach``).
        item._loaded_archived_at = item.__dict__.get("archived_at", "unknown")  # type: ignore[attr-defined]
        item._loaded_item_type = item.__dict__.get("item_type_id", "unknown")  # type: ignore[attr-defined]
        return item

    def written(self, *, created: bool) -> None:
        from regie.configuration import reach

        reach.item_written(self, created)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._loaded_archived_at = self.__dict__.get("archived_at", "unknown")
        self._loaded_item_type = self.__dict__.get("item_type_id", "unknown")

    def get_absolute_url(self) -> str:
        return reverse("configuration:configurationitem_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        item_type = self.item_type if self.item_type_id else None
        if item_type is not None and self.domain_id and item_type.domain_id not in (None, self.domain_id):
            errors["item_type"] = [str(_("This type belongs to another domain."))]
        if item_type is not None:
            cleaned, problems = attributes.clean_values(item_type.name, item_type.definitions, self.attributes)
            for problem in problems:
                errors.setdefault(f"attributes.{problem.name}" if problem.name else "attributes", []).append(problem.text)
            if not problems:
                self.attributes = cleaned
        if errors:
            raise ValidationError(errors)

    def attribute_rows(self) -> list[tuple[str, str]]:
        """(label, value) of each attribute the type defines, in the type's order."""
        values = self.attributes if isinstance(self.attributes, dict) else {}
        return [(d["label"], attributes.display(d, values.get(d["name"]))) for d in self.item_type.definitions]

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """A service's owner and manager see the items that support their service."""
        if action == "configuration.view_configurationitem":
            supporting = _supported_by_own_services(user)
            return models.Q(pk__in=supporting) if supporting is not None else None
        return None


class Relation(BusinessModel):
    """Source runs on, depends on or is connected to target. An item does not relate to itself, a pair
    relates once per kind, and "runs on"/"depends on" never make an item depend on itself through a
    cycle (``services.relation_problems``)."""

    scope_lookup = "source__domain__scope"
    search_fields = ("source__name", "source__identifier", "target__name", "target__identifier")

    source = models.ForeignKey(ConfigurationItem, on_delete=models.PROTECT, related_name="outgoing", verbose_name=_("source"))
    kind = models.CharField(_("kind"), max_length=12, choices=RelationKind.choices, default=RelationKind.RUNS_ON)
    target = models.ForeignKey(ConfigurationItem, on_delete=models.PROTECT, related_name="incoming", verbose_name=_("target"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["source", "kind", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                name="configuration_unique_relation",
                violation_error_message=_(
                    "This relation already exists (if it is archived, restore it instead of adding it again)."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")),
                name="configuration_relation_not_to_itself",
                violation_error_message=_("An item cannot relate to itself."),
            ),
        ]
        # The impact walk reads incoming edges (what rests on an item) and outgoing ones (what an item
        # rests on) from these indexes alone: they hold every column the walk looks at.
        indexes = [
            models.Index(fields=["target", "kind", "archived_at", "source"], name="configuration_incoming"),
            models.Index(fields=["source", "kind", "archived_at", "target"], name="configuration_outgoing"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Relation:
        relation = super().from_db(db, field_names, values)
        # What a save changes in the table of what rests on what (``reach``): nothing if only the note.
        fields = relation.__dict__
        if all(name in fields for name in ("target_id", "source_id", "kind", "archived_at")):
            relation._loaded_reach = (fields["target_id"], fields["source_id"], fields["kind"], fields["archived_at"])  # type: ignore[attr-defined]
        return relation

    def written(self, *, created: bool) -> None:
        from regie.configuration import reach

        reach.relation_written(self, created)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        fields = self.__dict__
        names = ("target_id", "source_id", "kind", "archived_at")
        self._loaded_reach = tuple(fields[n] for n in names) if all(n in fields for n in names) else None

    def get_absolute_url(self) -> str:
        return reverse("configuration:relation_detail", args=[self.pk])

    def clean(self) -> None:
        from regie.configuration import services

        problems = services.relation_problems(self)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """The owner and manager of a service see the relations of the items that support it."""
        if action == "configuration.view_relation":
            supporting = _supported_by_own_services(user)
            if supporting is None:
                return None
            return models.Q(source__in=supporting) | models.Q(target__in=supporting)
        return None


class Reach(models.Model):
    """Derived: ``down`` rests on ``up`` (transitively, through live "runs on" and "depends on"
    relations), ``depth`` levels away at the nearest. Kept by ``regie.configuration.reach``; never
    edited. Items are archived, not deleted, so the columns need no foreign-key constraint (which would
    cost every write of the table a lookup)."""

    pk = models.CompositePrimaryKey("down", "up")
    up = models.ForeignKey(ConfigurationItem, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    down = models.ForeignKey(
        ConfigurationItem, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    depth = models.PositiveSmallIntegerField()
    #: ``down``'s type, so that the impact counts per type from the index alone.
    down_type = models.ForeignKey(ItemType, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")

    class Meta:
        # The impact reads an item's rows nearest first, and counts them per type, from this index alone.
        indexes = [models.Index(fields=["up", "depth", "down", "down_type"], name="configuration_reach_from")]

    def __str__(self) -> str:
        return f"{self.down_id} → {self.up_id} ({self.depth})"


class ServiceItem(BusinessModel):
    """A configuration item supports a service of the catalogue: when the item (or anything it rests on)
    fails, the service and its customers are affected."""

    scope_lookup = "item__domain__scope"
    search_fields = ("item__name", "item__identifier", "service__code", "service__name")

    item = models.ForeignKey(
        ConfigurationItem, on_delete=models.PROTECT, related_name="service_links", verbose_name=_("configuration item")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="configuration_links", verbose_name=_("service"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("supporting item")
        verbose_name_plural = _("supporting items")
        ordering = ["service", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "service"],
                name="configuration_unique_service_item",
                violation_error_message=_("This item already supports this service (if the link is archived, restore it)."),
            )
        ]
        indexes = [
            models.Index(
                fields=["service", "item"], name="configuration_service_items", condition=models.Q(archived_at__isnull=True)
            ),
            # The services an impact reaches: looked up per item reached, from the index alone.
            models.Index(
                fields=["item", "service"], name="configuration_item_services", condition=models.Q(archived_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.service}"

    def get_absolute_url(self) -> str:
        return reverse("configuration:serviceitem_detail", args=[self.pk])

    @classmethod
    def extra_visibility(cls, user: Any, action: str) -> models.Q | None:
        """A service's owner and manager see which items support it."""
        if action == "configuration.view_serviceitem":
            own = _own_services(user)
            return models.Q(service_id__in=own) if own else None
        return None
