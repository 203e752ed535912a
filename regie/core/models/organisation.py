"""The organisation: domains, organisational units, job profiles, people and teams."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import BusinessModel
from .scopes import Scope, ScopedMixin

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dots, dashes and underscores, starting with a letter or digit."),
)


class Domain(ScopedMixin, BusinessModel):
    """A domain (IT, HR, Facilities ...) runs its own project and service office on the same model;
    together the domains are enterprise service management."""

    scope_kind = "domain"
    scope_lookup = "scope"
    search_fields = ("code", "name", "description")

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:domain_detail", args=[self.pk])


class OrgUnit(ScopedMixin, BusinessModel):
    """An organisational unit in the organisation's tree; a role on a unit covers its sub-units."""

    scope_kind = "org_unit"
    scope_lookup = "scope"
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    manager = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
        verbose_name=_("manager"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:orgunit_detail", args=[self.pk])

    def parent_scope(self) -> Scope:
        return self.parent.scope if self.parent_id and self.parent else Scope.root()

    def clean(self) -> None:
        """A unit cannot sit inside itself or inside one of its own sub-units."""
        node = self.parent
        steps = 0
        while node is not None and self.pk is not None and steps < 100:
            if node.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot sit inside itself or one of its sub-units.")})
            node = node.parent
            steps += 1

    def ancestors(self) -> list[OrgUnit]:
        chain: list[OrgUnit] = []
        node = self.parent
        while node is not None and len(chain) < 50:
            chain.insert(0, node)
            node = node.parent
        return chain


class JobProfile(BusinessModel):
    """A job profile (service manager, purchaser, PMO officer ...): reference data that resource
    demand and role suggestions are expressed in."""

    scope_lookup = None
    #: Reference data: every signed-in user may read it; changing it needs a role on the whole organisation.
    readable_by_all_users = True
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("job profile")
        verbose_name_plural = _("job profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:jobprofile_detail", args=[self.pk])


class Person(BusinessModel):
    """A person in the organisation, with or without a login: a resource may never sign in."""

    scope_lookup = "org_unit__scope"
    search_fields = ("given_name", "family_name", "email", "employee_number")
    #: Anyone who may fill in a form may pick any active person by name (as project manager, team member,
    #: unit manager ...): the directory of names is shared; the person's record itself stays scoped.
    selectable_by_all_users = True

    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    email = models.EmailField(_("email"), blank=True, null=True, unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("organisational unit"),
    )
    job_profile = models.ForeignKey(
        JobProfile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("job profile"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("login"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def get_absolute_url(self) -> str:
        return reverse("core:person_detail", args=[self.pk])

    @classmethod
    def extra_visibility(cls, user, action: str) -> models.Q | None:
        """Everyone may see their own person record, whatever their roles."""
        return models.Q(user_id=user.pk) if action == "core.view_person" else None


class Team(BusinessModel):
    """A team of people, belonging to an organisational unit and optionally serving one domain."""

    scope_lookup = "org_unit__scope"
    search_fields = ("code", "name")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisational unit"))
    domain = models.ForeignKey(
        Domain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("domain"),
    )
    lead = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("lead"),
    )
    members = models.ManyToManyField(Person, blank=True, related_name="teams", verbose_name=_("members"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:team_detail", args=[self.pk])
