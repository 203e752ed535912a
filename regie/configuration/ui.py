"""The generic pages of the configuration register: item types, items, relations and supporting items.

Items get their own page (attributes, relations both ways, services, what the item rests on) and their
own form (one input per attribute of the type, the type chosen first); everything else is the generic
list, detail, history, archive and export of ``core.generic``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.configuration import filters, forms, selectors
from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core import permissions, services
from regie.core.generic import Column, ModelUI, attach_errors, parse_id, posted_version, related
from regie.core.models import Domain


class RegisterUI(ModelUI):
    """The generic pages, with a form that may take initial values from the address (``?source=12``)
    and whose extra inputs are not model fields."""

    #: fields a link may fill in: ``?source=<id>`` on the relation form
    prefill: tuple[str, ...] = ()

    def form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any] | HttpResponse:
        if obj is None and request.method == "GET":
            initial = {name: parse_id(request.GET.get(name)) for name in self.prefill if parse_id(request.GET.get(name))}
            return {"initial": initial}
        return {}

    def form_template(self) -> str:
        return "core/generic/form.html"

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk) if pk is not None else None
        verb = "change" if obj else "add"
        if obj is not None and not permissions.may(request.user, self.action(verb), obj):
            raise PermissionDenied
        if obj is None and not permissions.holds_anywhere(request.user, self.action(verb)):
            raise PermissionDenied
        kwargs = self.form_kwargs(request, obj)
        if isinstance(kwargs, HttpResponse):
            return kwargs
        form = self.form_class(request.POST or None, instance=obj, user=request.user, **kwargs)  # type: ignore[call-arg]
        if request.method == "POST" and form.is_valid():
            model_fields = form._meta.fields or []
            data = {name: form.cleaned_data[name] for name in model_fields if name in form.cleaned_data}
            try:
                if obj is None:
                    obj = services.record_create(actor=request.user, model=self.model, data=data)  # type: ignore[type-var]
                    messages.success(request, _("%(name)s created.") % {"name": obj})
                else:
                    services.record_update(actor=request.user, instance=obj, data=data, expected_version=posted_version(request))
                    messages.success(request, _("%(name)s saved.") % {"name": obj})
                return HttpResponseRedirect(obj.get_absolute_url())  # type: ignore[union-attr]
            except services.StaleWrite as stale:
                form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
            except ValidationError as error:
                attach_errors(form, _attribute_fields(error))
            except PermissionDenied:
                form.add_error(None, _("You may not save this record here."))
        status = 400 if form.errors else 200
        context = self._context(request, form=form, object=obj, **self.form_context(form))
        return render(request, self.form_template(), context, status=status)

    def form_context(self, form: Any) -> dict[str, Any]:
        return {}


def _attribute_fields(error: ValidationError) -> ValidationError:
    """A service's errors on ``attributes.<name>`` belong to that attribute's input."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            (f"attr_{name.removeprefix('attributes.')}" if name.startswith("attributes.") else name): e
            for name, e in error.error_dict.items()
        }
    )


# --- types ----------------------------------------------------------------------------------------


def _definitions_section(request: HttpRequest, item_type: ItemType) -> dict[str, Any]:
    from regie.configuration.attributes import AttributeKind

    kinds = dict(AttributeKind.choices)
    lines = []
    for d in item_type.definitions:
        parts = [f"{d['label']} ({d['name']})", str(kinds.get(d["kind"], d["kind"]))]
        if d.get("required"):
            parts.append(str(gettext_lazy("required")))
        if d.get("choices"):
            parts.append(", ".join(d["choices"]))
        lines.append(" · ".join(parts))
    return {
        "title": gettext_lazy("Attributes"),
        "lines": lines,
        "empty": gettext_lazy("This type defines no attributes."),
        "template": "configuration/_type_section.html",
        "item_type": item_type,
    }


class TypeUI(RegisterUI):
    pass


TYPES = TypeUI(
    model=ItemType,
    form_class=forms.ItemTypeForm,
    filterset_class=filters.ItemTypeFilterSet,
    slug="configuration-item-types",
    columns=[
        Column("code", gettext_lazy("Code"), link=True),
        Column("name", gettext_lazy("Name"), link=True),
        Column("domain", gettext_lazy("Domain"), sort="domain__name"),
        Column("attribute_count", gettext_lazy("Attributes"), accessor="definitions.__len__", sort=None),
    ],
    detail_fields=["code", "name", "domain", "description"],
    select_related=("domain",),
    default_sort="name",
    related_tabs=[_definitions_section, related(gettext_lazy("Items of this type"), ConfigurationItem, "item_type", limit=50)],
)


# --- items ----------------------------------------------------------------------------------------


class ItemUI(RegisterUI):
    """An item's page shows its attributes, its relations both ways, the services it supports and what it
    rests on; its form has one input per attribute of its type, so the type is chosen first."""

    def form_kwargs(self, request: HttpRequest, obj: Any) -> dict[str, Any] | HttpResponse:
        if obj is not None:
            return {}
        types = ItemType.objects.active().visible_to(request.user).select_related("domain").order_by("name")
        # The type comes from the chooser's link (?type=), or with the posted form.
        item_type = types.filter(pk=parse_id(request.GET.get("type") or request.POST.get("item_type")) or 0).first()
        if item_type is None:
            return render(request, "configuration/item_choose_type.html", self._context(request, types=list(types[:500])))
        initial: dict[str, Any] = {"item_type": item_type.pk}
        if item_type.domain_id:
            initial["domain"] = item_type.domain_id
        else:
            domains = Domain.objects.active().visible_to(request.user, "configuration.add_configurationitem")
            if domains.count() == 1:
                initial["domain"] = domains.get().pk
        return {"item_type": item_type, "initial": initial}

    def form_template(self) -> str:
        return "configuration/item_form.html"

    def form_context(self, form: Any) -> dict[str, Any]:
        names = {f"attr_{d['name']}" for d in (form.item_type.definitions if form.item_type else [])}
        return {
            "item_type": form.item_type,
            "own_fields": [f for f in form.visible_fields() if f.name not in names],
            "attribute_fields": [f for f in form.visible_fields() if f.name in names],
        }

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        item = self.get_object(request, pk)
        relations = selectors.direct_relations(request.user, item)
        dependencies = selectors.impact(request.user, item, direction=selectors.DEPENDENCIES, cap=50)
        context = self._context(
            request,
            object=item,
            tab="details",
            can_change=permissions.may(request.user, self.action("change"), item) and not item.is_archived,
            can_archive=permissions.may(request.user, self.action("archive"), item),
            can_relate=permissions.may(request.user, "configuration.add_relation", item) and not item.is_archived,
            can_link=permissions.may(request.user, "configuration.add_serviceitem", item) and not item.is_archived,
            outgoing=relations["outgoing"],
            incoming=relations["incoming"],
            services=selectors.supported_services(request.user, item),
            dependencies=dependencies,
            impact_url=_impact_url(item),
        )
        return render(request, "configuration/item_detail.html", context)


def _impact_url(item: ConfigurationItem) -> str:
    from django.urls import reverse

    return reverse("configuration:configurationitem_impact", args=[item.pk])


ITEMS = ItemUI(
    model=ConfigurationItem,
    form_class=forms.ItemForm,
    filterset_class=filters.ItemFilterSet,
    slug="configuration-items",
    columns=[
        Column("identifier", gettext_lazy("Identifier"), link=True),
        Column("name", gettext_lazy("Name"), link=True),
        Column("item_type", gettext_lazy("Type"), sort="item_type__name"),
        Column("domain", gettext_lazy("Domain"), sort="domain__name"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display"),
        Column("owner_team", gettext_lazy("Owner team"), sort="owner_team__name"),
    ],
    select_related=("item_type", "domain", "owner_team"),
    default_sort="name",
)


# --- relations and supporting items ---------------------------------------------------------------


class RelationUI(RegisterUI):
    prefill = ("source", "target")


RELATIONS = RelationUI(
    model=Relation,
    form_class=forms.RelationForm,
    filterset_class=filters.RelationFilterSet,
    slug="configuration-relations",
    columns=[
        Column("source", gettext_lazy("Source"), sort="source__name", link=True),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("target", gettext_lazy("Target"), sort="target__name", link=True),
        Column("note", gettext_lazy("Note"), sort=None),
    ],
    detail_fields=["source", "kind", "target", "note"],
    select_related=("source", "target"),
    default_sort="source__name",
)


class ServiceItemUI(RegisterUI):
    prefill = ("item", "service")


SUPPORTS = ServiceItemUI(
    model=ServiceItem,
    form_class=forms.ServiceItemForm,
    filterset_class=filters.ServiceItemFilterSet,
    slug="configuration-supporting-items",
    columns=[
        Column("service", gettext_lazy("Service"), sort="service__code", link=True),
        Column("item", gettext_lazy("Configuration item"), sort="item__name", link=True),
        Column("note", gettext_lazy("Note"), sort=None),
    ],
    detail_fields=["item", "service", "note"],
    select_related=("service", "item"),
    default_sort="service__code",
)

ALL = [TYPES, ITEMS, RELATIONS, SUPPORTS]
