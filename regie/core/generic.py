"""Generic list, detail, edit, archive and history views for business records, in the manner of NetBox.

An app declares a ``ModelUI`` (model, form, filters, columns) and gets its URLs; every view reads through
``visible_to`` and writes through the core services, so permissions, history, optimistic locking and
archiving behave the same on every page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from regie.core import permissions, services
from regie.core.audit import history_for
from regie.core.sheets import write_csv, write_xlsx

EXPORT_LIMIT = 50_000
PAGE_SIZES = (25, 50, 100)


@dataclass
class Column:
    name: str
    label: Any
    accessor: str = ""
    sort: str | None = ""
    link: bool = False

    def value(self, obj: Any) -> Any:
        target = obj
        for part in (self.accessor or self.name).split("."):
            if target is None:
                return None
            target = getattr(target, part, None)
            if callable(target):
                target = target()
        return target

    @property
    def sort_key(self) -> str | None:
        if self.sort is None:
            return None
        return self.sort or self.name


class BusinessFilterSet(django_filters.FilterSet):
    """Search box and "show archived" for every list; apps add their own fields."""

    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    archived = django_filters.ChoiceFilter(
        method="filter_archived",
        label=gettext_lazy("Archived"),
        empty_label=gettext_lazy("Active only"),
        choices=[("all", gettext_lazy("Active and archived")), ("only", gettext_lazy("Archived only"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The search box first, then the model's own filters, then "archived".
        order = ["q", *[n for n in self.form.fields if n not in ("q", "archived")], "archived"]
        self.form.fields = {n: self.form.fields[n] for n in order if n in self.form.fields}
        for form_field in self.form.fields.values():
            widget = form_field.widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = Q()
        for term in value.split()[:5]:
            term_q = Q()
            for f in self._meta.model.search_fields:
                term_q |= Q(**{f"{f}__icontains": term})
            condition &= term_q
        return queryset.filter(condition)

    def filter_archived(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "all":
            return queryset
        if value == "only":
            return queryset.filter(archived_at__isnull=False)
        return queryset

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset


def related(title: Any, model: type[Model], field: str, limit: int = 100) -> Any:
    """A detail-page section listing the visible, active ``model`` records whose ``field`` is the object:
    ``related(_("People"), Person, "org_unit")`` on a unit's page lists the unit's people."""

    def section(request: HttpRequest, obj: Any) -> dict[str, Any]:
        records = model._default_manager.all().active().visible_to(request.user)  # type: ignore[attr-defined]
        records = records.filter(**{field: obj}).distinct()
        objects = list(records[:limit])
        link = model._meta.get_field(field)
        if link.many_to_one:
            # Each record's ``field`` is the object on whose page they are listed: known already, so a
            # record's name that mentions it (an offering's "WPL · Premium") costs no query per row.
            for record in objects:
                link.set_cached_value(record, obj)  # type: ignore[union-attr]
        return {"title": title, "objects": objects}

    return section


@dataclass
class ModelUI:
    model: type[Model]
    form_class: type[forms.ModelForm]
    filterset_class: type[BusinessFilterSet]
    columns: list[Column]
    slug: str
    detail_fields: list[str] = field(default_factory=list)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    default_sort: str = ""
    related_tabs: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model._meta.model_name or ""

    def action(self, verb: str) -> str:
        return permissions.action_for(self.model, verb)

    def queryset(self, request: HttpRequest) -> QuerySet:
        qs = self.model._default_manager.all().visible_to(request.user, self.action("view"))  # type: ignore[attr-defined]
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get_object(self, request: HttpRequest, pk: Any) -> Any:
        try:
            return self.queryset(request).get(pk=int(pk))
        except (ValueError, TypeError, self.model.DoesNotExist):  # type: ignore[attr-defined]
            raise Http404(_("No such record, or you may not see it.")) from None

    def urls(self) -> list[Any]:
        n = self.name
        return [
            path(f"{self.slug}/", self.list_view, name=f"{n}_list"),
            path(f"{self.slug}/add/", self.edit_view, name=f"{n}_add"),
            path(f"{self.slug}/<int:pk>/", self.detail_view, name=f"{n}_detail"),
            path(f"{self.slug}/<int:pk>/edit/", self.edit_view, name=f"{n}_edit"),
            path(f"{self.slug}/<int:pk>/history/", self.history_view, name=f"{n}_history"),
            path(f"{self.slug}/<int:pk>/archive/", require_POST(self.archive_view), name=f"{n}_archive"),
        ]

    # --- views ------------------------------------------------------------------------------------

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        meta = self.model._meta
        context = {
            "ui": self,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": self._url("list"),
            **extra,
        }
        obj = extra.get("object")
        if obj is not None:
            context.update(
                detail_url=self._url("detail", obj.pk),
                edit_url=self._url("edit", obj.pk),
                history_url=self._url("history", obj.pk),
                archive_url=self._url("archive", obj.pk),
            )
        return context

    @property
    def _namespace(self) -> str:
        return self.model._meta.app_label

    def _url(self, kind: str, *args: Any) -> str:
        return reverse(f"{self._namespace}:{self.name}_{kind}", args=args)

    def list_view(self, request: HttpRequest) -> HttpResponse:
        if not (
            permissions.holds_anywhere(request.user, self.action("view"))
            or getattr(self.model, "readable_by_all_users", False)
            or getattr(self.model, "listed_for_named_people", False)
        ):
            raise PermissionDenied
        filterset = self.filterset_class(request.GET, queryset=self.queryset(request), request=request)
        queryset = self.queryset(request).none() if not filterset.is_valid() else filterset.qs
        sort = request.GET.get("sort") or self.default_sort
        sortable = {c.sort_key for c in self.columns if c.sort_key}
        if sort.lstrip("-") in sortable:
            queryset = queryset.order_by(sort, "pk")
        else:
            sort = ""
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(queryset[:EXPORT_LIMIT], export)
        try:
            per_page = int(request.GET.get("per_page", 50))
        except ValueError:
            per_page = 50
        per_page = per_page if per_page in PAGE_SIZES else 50
        page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        rows = [(obj, [c.value(obj) for c in self.columns]) for obj in page.object_list]
        context = self._context(
            request,
            filterset=filterset,
            page=page,
            rows=rows,
            columns=self.columns,
            sort=sort,
            query=params.urlencode(),
            query_without_sort="&".join(f"{k}={v}" for k, v in params.items() if k != "sort"),
            can_add=permissions.holds_anywhere(request.user, self.action("add")),
            add_url=self._url("add"),
            page_sizes=PAGE_SIZES,
            per_page=per_page,
        )
        template = "core/generic/_table.html" if request.headers.get("HX-Request") else "core/generic/list.html"
        return render(request, template, context)

    def export(self, queryset: QuerySet, kind: str) -> HttpResponse:
        header = [str(c.label) for c in self.columns]
        rows = ([_plain(c.value(obj)) for c in self.columns] for obj in queryset)
        return sheet_response(kind, self.slug, header, rows, str(self.model._meta.verbose_name_plural))

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(request, pk)
        fields = []
        for name in self.detail_fields or [f.name for f in self.model._meta.concrete_fields]:
            f: Any = self.model._meta.get_field(name)
            value = getattr(obj, name)
            if f.choices:
                value = getattr(obj, f"get_{name}_display")()
            elif f.many_to_many:
                value = ", ".join(str(v) for v in value.all())
            fields.append((f.verbose_name, value, getattr(value, "get_absolute_url", None)))
        context = self._context(
            request,
            object=obj,
            fields=fields,
            tab="details",
            can_change=permissions.may(request.user, self.action("change"), obj) and not obj.is_archived,
            can_archive=permissions.may(request.user, self.action("archive"), obj),
            related=[tab(request, obj) for tab in self.related_tabs],
        )
        return render(request, "core/generic/detail.html", context)

    def history_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(request, pk)
        context = self._context(
            request,
            object=obj,
            entries=history_for(obj),
            tab="history",
            can_change=permissions.may(request.user, self.action("change"), obj) and not obj.is_archived,
            can_archive=permissions.may(request.user, self.action("archive"), obj),
        )
        return render(request, "core/generic/history.html", context)

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk) if pk is not None else None
        verb = "change" if obj else "add"
        if obj is not None and not permissions.may(request.user, self.action(verb), obj):
            raise PermissionDenied
        if obj is None and not permissions.holds_anywhere(request.user, self.action(verb)):
            raise PermissionDenied
        # A new record may be started from another page with some fields filled in (``?service=12``);
        # the values are only initial: the form still offers and accepts only what the user may choose.
        initial = {} if obj is not None or request.method == "POST" else {k: v for k, v in request.GET.items() if k != "next"}
        form = self.form_class(request.POST or None, instance=obj, user=request.user, initial=initial)  # type: ignore[call-arg]
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
            try:
                if obj is None:
                    obj = services.record_create(actor=request.user, model=self.model, data=data)  # type: ignore[type-var]
                    messages.success(request, _("%(name)s created.") % {"name": obj})
                else:
                    expected = _int_or_none(request.POST.get("version"))
                    services.record_update(actor=request.user, instance=obj, data=data, expected_version=expected)
                    messages.success(request, _("%(name)s saved.") % {"name": obj})
                return HttpResponseRedirect(obj.get_absolute_url())  # type: ignore[union-attr]
            except services.StaleWrite as stale:
                form.add_error(None, str(stale) + " " + _("Reload the page to see the current values."))
            except ValidationError as error:
                attach_errors(form, error)
            except PermissionDenied:
                form.add_error(None, _("You may not save this record here."))
        context = self._context(request, form=form, object=obj, status=400 if form.errors else 200)
        return render(request, "core/generic/form.html", context, status=400 if form.errors else 200)

    def archive_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(request, pk)
        restore = request.POST.get("restore") == "1"
        try:
            services.record_archive(
                actor=request.user,
                instance=obj,
                expected_version=_int_or_none(request.POST.get("version")),
                restore=restore,
            )
        except services.StaleWrite as stale:
            messages.error(request, str(stale))
        except ValidationError as error:
            messages.error(
                request, _("%(name)s cannot be restored: %(reason)s") % {"name": obj, "reason": " ".join(error.messages)}
            )
        else:
            messages.success(request, (_("%(name)s restored.") if restore else _("%(name)s archived.")) % {"name": obj})
        return HttpResponseRedirect(self._url("detail", obj.pk))


def sheet_response(kind: str, name: str, header: list[str], rows: Any, title: str) -> HttpResponse:
    """A download of ``rows`` under ``header`` as CSV (``kind`` "csv") or an Excel workbook ("xlsx"),
    named after ``name`` and the time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        buffer = io.StringIO()
        write_csv(buffer, header, ([_plain(v) for v in row] for row in rows))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            write_xlsx(header, ([_plain(v) for v in row] for row in rows), title[:31]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{kind}"'
    return response


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, bool)):
        return value
    if hasattr(value, "all") and callable(value.all):
        return ", ".join(str(v) for v in value.all())
    return str(value)


def style_widgets(form: forms.BaseForm) -> None:
    """Tabler's classes on a form's widgets (a class already set stays)."""
    for form_field in form.fields.values():
        widget = form_field.widget
        if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


#: The largest id a database stores (SQLite and PostgreSQL bigint): a larger number is no record.
ID_MAX = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """An id from a form or query string, or None when it is not a plain number a record could have."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def bound_model_choices(form: forms.BaseForm) -> None:
    """Refuse ids no record can have in the form's model choice fields before they reach the database
    (SQLite cannot even compare a number beyond 64 bits)."""
    for form_field in form.fields.values():
        if not isinstance(form_field, forms.ModelChoiceField):
            continue

        def bounded(value: Any, clean: Any = form_field.clean) -> Any:
            values = value if isinstance(value, (list, tuple)) else [value]
            if any(v not in (None, "") and parse_id(v) is None and str(v).strip().isdigit() for v in values):
                raise ValidationError(_("Select a valid choice."), code="invalid_choice")
            return clean(value)

        form_field.clean = bounded  # type: ignore[method-assign]


def posted_version(request: Any) -> int | None:
    """The version a form was showing (its hidden ``version`` field), for optimistic locking."""
    try:
        return int(request.POST.get("version", ""))
    except (TypeError, ValueError):
        return None


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ScopedModelForm(forms.ModelForm):
    """A model form that knows the user, so that choices offer only what the user may see or use."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        bound_model_choices(self)
        for name, form_field in self.fields.items():
            if isinstance(form_field, forms.ModelChoiceField):
                queryset: Any = form_field.queryset
                if getattr(queryset.model, "selectable_by_all_users", False):
                    form_field.queryset = queryset.active()
                elif hasattr(queryset, "visible_to"):
                    visible = queryset.active().visible_to(user)
                    current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
                    if current is not None and not isinstance(form_field, forms.ModelMultipleChoiceField):
                        # The value a record already has stays a valid choice for whoever may edit the record.
                        visible = queryset.model._default_manager.filter(Q(pk__in=visible.values("pk")) | Q(pk=current))
                    form_field.queryset = visible
            form_field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(form_field.widget, forms.Select) else "form-control"
            )
            if isinstance(form_field.widget, forms.CheckboxInput):
                form_field.widget.attrs["class"] = "form-check-input"
            if isinstance(form_field.widget, forms.SelectMultiple):
                form_field.widget.attrs["class"] = "form-select"
                form_field.widget.attrs.setdefault("size", "8")
