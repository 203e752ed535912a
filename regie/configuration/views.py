"""The configuration register's own pages: an item's impact, the import with its templates, the item
lookup of the relation forms, and the section on a service's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from regie.configuration import importing, selectors, services, tasks
from regie.configuration.forms import ItemImportForm, item_label
from regie.configuration.models import ConfigurationItem, ItemType
from regie.configuration.ui import ITEMS
from regie.core import permissions
from regie.core.sheets import ImportRejected, RowError, SheetError

#: Files with at most this many rows are imported while the page waits (well under a second); larger
#: ones run as a background job whose page shows the progress.
INLINE_ROWS = 300


# --- impact ---------------------------------------------------------------------------------------


def _depth(request: HttpRequest) -> int:
    try:
        depth = int(request.GET.get("depth", selectors.DEPTH_LIMIT))
    except ValueError:
        depth = selectors.DEPTH_LIMIT
    return max(1, min(depth, selectors.MAX_DEPTH_LIMIT))


def impact(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that rests on an item, transitively, the services those support and their customers:
    as a graph of the nearest items and as lists."""
    item = ITEMS.get_object(request, pk)
    depth = _depth(request)
    result = selectors.impact(request.user, item, depth_limit=depth)
    labels = {
        "item": _("Configuration item"),
        "hidden": _("Not visible to you"),
        "service": _("Service"),
        "customer": _("Customer"),
    }
    names = {item.pk: str(item)} | {n.id: str(n.item) for n in result.visible_nodes}
    context = ITEMS._context(
        request,
        object=item,
        tab="impact",
        result=result,
        rows=[(node, names.get(node.via, "") if node.via else "") for node in result.visible_nodes],
        graph=selectors.graph_data(result, labels),
        depth=depth,
        services=result.services[: selectors.LISTED_SERVICES],
        more_services=max(0, len(result.services) - selectors.LISTED_SERVICES),
        depth_choices=[3, 6, selectors.DEPTH_LIMIT, selectors.MAX_DEPTH_LIMIT],
        cap=selectors.NODE_CAP,
        impact_url=reverse("configuration:configurationitem_impact", args=[item.pk]),
        can_change=False,
        can_archive=False,
    )
    return render(request, "configuration/impact.html", context)


# --- lookup ---------------------------------------------------------------------------------------


def item_lookup(request: HttpRequest) -> HttpResponse:
    """Suggestions for an item input: up to 20 visible items whose name or identifier holds the text."""
    if not permissions.holds_anywhere(request.user, "configuration.view_configurationitem"):
        raise PermissionDenied
    text = ""
    for name in ("q", "source", "target", "item"):
        if request.GET.get(name):
            text = request.GET[name].strip()[:100]
            break
    items: list[ConfigurationItem] = []
    if text and "#" not in text:
        from django.db.models import Q

        condition = Q()
        for term in text.split()[:5]:
            condition &= Q(name__icontains=term) | Q(identifier__icontains=term)
        items = list(selectors.visible_items(request.user).filter(condition).order_by("name", "pk")[:20])
    return render(request, "configuration/_lookup.html", {"options": [item_label(i) for i in items]})


# --- import ---------------------------------------------------------------------------------------


def import_view(request: HttpRequest) -> HttpResponse:
    """Upload items (and relations); small files are imported at once, large ones as a background job."""
    if not permissions.holds_anywhere(request.user, services.IMPORT):
        raise PermissionDenied
    form = ItemImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        items, relations = form.cleaned_data["items"], form.cleaned_data.get("relations")
        try:
            item_rows, relation_rows = tasks.read_uploads(
                (items.read(), items.name), (relations.read(), relations.name) if relations is not None else None
            )
        except SheetError as error:
            form.add_error("relations" if relations is not None and "relations" in str(error).lower() else "items", str(error))
        else:
            if len(item_rows) + len(relation_rows) > INLINE_ROWS:
                job = tasks.enqueue_import(request.user, items, relations)
                return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
            try:
                result = services.items_import(actor=request.user, item_rows=item_rows, relation_rows=relation_rows)
            except ImportRejected as rejected:
                errors = rejected.errors
                form.add_error(None, str(rejected))
            except PermissionDenied as denied:
                form.add_error(None, str(denied) or _("You may not import these records."))
            else:
                messages.success(request, tasks.import_message(result))
                return HttpResponseRedirect(reverse("configuration:configurationitem_list"))
    types = list(ItemType.objects.active().visible_to(request.user).select_related("domain").order_by("name")[:200])
    context = {"form": form, "errors": errors, "types": types, "inline_rows": INLINE_ROWS}
    return render(request, "configuration/import.html", context, status=400 if form.errors else 200)


def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """An empty import sheet for one type (``?format=csv`` for CSV)."""
    if not permissions.holds_anywhere(request.user, services.IMPORT):
        raise PermissionDenied
    item_type = ItemType.objects.active().visible_to(request.user).filter(pk=pk).first()
    if item_type is None:
        raise Http404(_("No such record, or you may not see it."))
    kind = "csv" if request.GET.get("format") == "csv" else "xlsx"
    filename, data = importing.template(item_type, kind)
    content_type = (
        "text/csv; charset=utf-8" if kind == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- on a service's page --------------------------------------------------------------------------


def service_section(request: HttpRequest, service: Any) -> dict[str, Any]:
    """The items that support a service, as the user may see them (two queries at most)."""
    items, total, capped = selectors.supporting_items(request.user, service)
    can_link = permissions.holds_anywhere(request.user, "configuration.add_serviceitem") and not service.is_archived
    return {
        "template": "configuration/_service_section.html",
        "configuration_items": items,
        "configuration_total": total,
        "configuration_capped": capped,
        "configuration_list_url": reverse("configuration:configurationitem_list") + "?" + urlencode({"service": service.code}),
        "configuration_link_url": reverse("configuration:serviceitem_add") + f"?service={service.pk}" if can_link else "",
    }
