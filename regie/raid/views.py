"""The RAID log's pages: the log (the generic list, with filters and CSV/Excel export), an item's page
with its escalation trail, adding and editing by kind, escalation, the heat map and overdue actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regie.core import permissions
from regie.core.generic import Column, ModelUI, attach_errors, parse_id, posted_version
from regie.core.models import Scope
from regie.core.services import StaleWrite
from regie.portfolio.models import KEEPERS, Project, named_on_project
from regie.raid import selectors, services
from regie.raid.choices import Kind
from regie.raid.filters import RaidItemFilterSet
from regie.raid.forms import item_form
from regie.raid.models import RaidItem, RiskScale


class RaidUI(ModelUI):
    """The generic list, history and archiving; adding, editing and the item's page go through the RAID
    services, which know who administers a log and what an owner may change."""

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        item = self.get_object(request, pk)
        who = services.parts(request.user, item)
        context = self._context(
            request,
            object=item,
            tab="details",
            parts=who,
            can_change=who.updates and not item.is_archived,
            can_archive=permissions.may(request.user, self.action("archive"), item),
            escalations=list(item.escalations.select_related("from_scope", "to_scope", "escalated_by")),
            targets=services.escalation_targets(item) if who.escalates and not item.is_archived else [],
            responses=list(item.responses.active().visible_to(request.user).select_related("owner"))
            if item.kind in (Kind.RISK, Kind.ISSUE)
            else [],
            scale=RiskScale.current(),
            fields=_shown_fields(item),
        )
        return render(request, "raid/item_detail.html", context)

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:  # type: ignore[override]
        if pk is None:
            return add_view(request)
        item = self.get_object(request, pk)
        who = services.parts(request.user, item)
        if not who.updates:
            raise PermissionDenied
        form_class = item_form(item.kind, owner_only=not who.administers, decision_owner=item.kind == Kind.DECISION)
        form = form_class(request.POST or None, instance=item, user=request.user)
        _limit_sources(form, item.scope)
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            try:
                services.item_update(actor=request.user, item=item, data=data, expected_version=posted_version(request))
            except StaleWrite as stale:
                form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
            except ValidationError as error:
                attach_errors(form, error)
            except PermissionDenied as denied:
                form.add_error(None, str(denied))
            else:
                messages.success(request, _("%(name)s saved.") % {"name": item})
                return HttpResponseRedirect(item.get_absolute_url())
        context = self._context(request, form=form, object=item, kind=Kind(item.kind), scope=item.scope)
        return render(request, "raid/item_form.html", context, status=400 if form.errors else 200)


def _shown_fields(item: RaidItem) -> list[tuple[Any, Any]]:
    """The item's own fields as (label, value), in the order of its kind's form."""
    rows = []
    for name in services.fields_for(item.kind):
        if name in ("title",):
            continue
        field: Any = RaidItem._meta.get_field(name)
        value = getattr(item, f"get_{name}_display")() if field.choices else getattr(item, name)
        rows.append((field.verbose_name, value))
    return rows


def _limit_sources(form: Any, scope: Scope) -> None:
    """An action responds to a risk or an issue of the same log."""
    if "source" in form.fields:
        form.fields["source"].queryset = form.fields["source"].queryset.filter(scope=scope)


ITEMS = RaidUI(
    model=RaidItem,
    form_class=item_form(Kind.RISK),
    filterset_class=RaidItemFilterSet,
    slug="raid",
    columns=[
        Column("reference", _("Ref."), sort="pk", link=True),
        Column("kind", _("Kind"), accessor="get_kind_display"),
        Column("title", _("Title"), link=True),
        Column("scope", _("Log of"), sort="scope__name"),
        Column("owner", _("Owner"), sort="owner__family_name"),
        Column("status", _("Status"), accessor="get_status_display"),
        Column("exposure", _("Exposure")),
        Column("residual_exposure", _("Residual exposure")),
        Column("due_date", _("Due date")),
    ],
    select_related=("scope", "owner"),
    default_sort="-pk",
)


# --- adding ---------------------------------------------------------------------------------------


def addable_scopes(user: Any) -> list[Scope]:
    """The portfolios, programmes and projects to whose logs the user may add."""
    kinds = ("portfolio", "programme", "project", "service")
    by_role = permissions.scopes_where(user, services.ADD).filter(kind__in=kinds)
    named = Project.objects.active().filter(named_on_project(user, prefix="", parts=KEEPERS))
    return list(
        Scope.objects.filter(Q(pk__in=by_role.values("pk")) | Q(pk__in=named.values("scope_id"))).order_by("kind", "name")[:500]
    )


def add_view(request: HttpRequest) -> HttpResponse:
    """Add an item: ``?scope=<id>&kind=<kind>`` opens the kind's form; without them, choose first."""
    scope = _scope_param(request)
    kind = request.GET.get("kind", "")
    if scope is None or kind not in Kind.values:
        scopes = addable_scopes(request.user)
        if not scopes:
            raise PermissionDenied
        return render(
            request,
            "raid/item_choose.html",
            {"scopes": scopes, "kinds": Kind.choices, "chosen_scope": scope, "chosen_kind": kind},
        )
    if not services.may_add(request.user, scope):
        raise PermissionDenied
    form = item_form(kind)(request.POST or None, user=request.user)
    _limit_sources(form, scope)
    if kind == Kind.ACTION and request.GET.get("source"):
        form.initial.update(source=request.GET["source"], origin="risk_response")
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            item = services.item_create(actor=request.user, scope=scope, kind=kind, data=data)
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(request, _("%(name)s added to the log.") % {"name": item})
            return HttpResponseRedirect(item.get_absolute_url())
    context = ITEMS._context(request, form=form, object=None, kind=Kind(kind), scope=scope)
    return render(request, "raid/item_form.html", context, status=400 if form.errors else 200)


def _scope_param(request: HttpRequest, name: str = "scope") -> Scope | None:
    pk = parse_id(request.GET.get(name))
    return Scope.objects.filter(pk=pk).first() if pk else None


# --- escalation -----------------------------------------------------------------------------------


@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    item = ITEMS.get_object(request, pk)
    to_scope = Scope.objects.filter(pk=parse_id(request.POST.get("to_scope")) or 0).first()
    if to_scope is None:
        messages.error(request, _("Choose where to escalate the item."))
        return HttpResponseRedirect(item.get_absolute_url())
    try:
        services.item_escalate(
            actor=request.user,
            item=item,
            to_scope=to_scope,
            reason=request.POST.get("reason", ""),
            expected_version=posted_version(request),
        )
    except (StaleWrite, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("%(item)s escalated to %(scope)s.") % {"item": item, "scope": to_scope})
    # The item may now sit where the escalating person cannot follow it.
    if RaidItem.objects.visible_to(request.user).filter(pk=item.pk).exists():
        return HttpResponseRedirect(item.get_absolute_url())
    return HttpResponseRedirect(reverse("raid:raiditem_list"))


# --- heat map and overdue actions -----------------------------------------------------------------


def _scope_choice(request: HttpRequest) -> Scope | None:
    """The scope asked for with ``within``: one whose log the user may see (else 404, naming nothing)."""
    scope = _scope_param(request, "within")
    if request.GET.get("within") and (scope is None or not selectors.scope_visible(request.user, scope)):
        raise Http404(_("No such log."))
    return scope


def heat_map(request: HttpRequest) -> HttpResponse:
    """Open risks by probability and impact, before and after their response, for one scope and what is
    below it (everything the user may see when no scope is chosen)."""
    scope = _scope_choice(request)
    return render(
        request,
        "raid/heat_map.html",
        {
            "scope": scope,
            "map": selectors.heat_map(request.user, scope),
            "top": selectors.top_risks(request.user, scope, limit=10),
            "scale": RiskScale.current(),
            "log_url": _log_url(scope, kind="risk", status="open"),
        },
    )


def overdue(request: HttpRequest) -> HttpResponse:
    """Open actions past their due date, the longest overdue first."""
    scope = _scope_choice(request)
    page = Paginator(selectors.overdue_actions(request.user, scope), 50).get_page(request.GET.get("page"))
    return render(request, "raid/overdue.html", {"scope": scope, "page": page, "within": request.GET.get("within", "")})


def _log_url(scope: Scope | None, **filters: str) -> str:
    params: dict[str, Any] = {**({"within": scope.pk} if scope else {}), **filters}
    return reverse("raid:raiditem_list") + ("?" + urlencode(params) if params else "")


def scope_section(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    """The log's summary on a project's, programme's or portfolio's page."""
    return {
        "template": "raid/_scope_section.html",
        "raid_scope": scope,
        "raid_counts": selectors.open_counts(request.user, scope),
        "raid_map": selectors.heat_map(request.user, scope),
        "raid_top": selectors.top_risks(request.user, scope, limit=3),
        "raid_decisions": selectors.open_decisions(request.user, scope, limit=3),
        "raid_overdue": list(selectors.overdue_actions(request.user, scope)[:3]),
        "raid_log_url": _log_url(scope, status="open_any"),
        "raid_can_add": services.may_add(request.user, scope),
        "raid_kinds": Kind.choices,
    }
