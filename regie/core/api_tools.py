"""The API's common ground: authentication, RFC 9457 problem details, pagination, ETag / If-Match, and
a generic router for business records that goes through the same services and permissions as the UI."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict

from regie.core import permissions, services
from regie.core.audit import history_for
from regie.core.generic import ID_MAX

PROBLEM = "application/problem+json"

#: The largest id a database column holds (a signed 64-bit integer); larger numbers can name nothing.
RecordId = Annotated[int, Field(ge=1, le=ID_MAX)]


def check_id(pk: int) -> None:
    """An id outside what the database can hold names no record (rather than crashing the driver)."""
    if not 1 <= pk <= ID_MAX:
        raise Http404


def _default(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"Cannot encode {type(value).__name__}")


def dumps(data: Any) -> bytes:
    """Encode JSON the same way for every API response (lists, details and errors)."""
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return dumps(data)


def problem(request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title, **extra}
    body.setdefault("instance", request.path)
    return HttpResponse(dumps(body), status=status, content_type=PROBLEM)


# --- authentication -------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rg_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuthActive(SessionAuth):
    """The browser's session; CSRF is checked on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), SessionAuthActive()]


# --- errors ---------------------------------------------------------------------------------------


def _location(loc: Any) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "payload") or len(loc) == 1) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {"field": _location(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors
        ]
        names = ", ".join(e["field"] for e in errors)
        return problem(request, 422, _("The request is not valid."), _("Check these fields: %s") % names, errors=errors)

    @api.exception_handler(ValidationError)
    def model_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
        else:
            errors = [{"field": "", "message": m} for m in exc.messages]
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return problem(request, 422, _("The request is not valid."), detail, errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = problem(request, 401, _("Authentication required."), _("Sign in or send a personal API token."))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 403, _("Permission denied."), str(exc) or _("You may not do this."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(request, 404, _("Not found."), _("No such record, or you may not see it."))

    @api.exception_handler(services.StaleWrite)
    def stale(request: HttpRequest, exc: services.StaleWrite) -> HttpResponse:
        response = problem(request, 409, _("Conflict."), str(exc), current_version=exc.current_version)
        response["ETag"] = f'"{exc.current_version}"'
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return problem(
            request,
            413,
            _("The request is too large."),
            _("The body may be at most %s bytes.") % settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(request, exc.status_code, str(exc), str(exc))

    @api.exception_handler(Exception)
    def crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        import logging

        if exc.__class__.__name__ == "ParseError":
            return problem(request, 400, _("The body is not valid JSON."), str(exc))
        logging.getLogger("regie.api").exception("Unhandled API error")
        return problem(request, 500, _("Internal error."), _("The error has been logged."))


# --- ETag / If-Match ------------------------------------------------------------------------------


def etag_of(obj: Any) -> str:
    return f'"{obj.version}"'


def expected_version(request: HttpRequest) -> int:
    """The version named in If-Match. Updates must say which version they change."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise HttpError(428, _("Send If-Match with the ETag of the version you are changing."))
    value = header.removeprefix("W/").strip('"')
    try:
        version = int(value)
    except ValueError:
        raise HttpError(400, _("If-Match must be an ETag returned by this API.")) from None
    if not 0 <= version < 2**31:  # a version column holds no more; the database would refuse it with an error
        raise HttpError(400, _("If-Match must be an ETag returned by this API."))
    return version


# --- generic record router ------------------------------------------------------------------------


class HistoryChangeOut(Schema):
    field: str
    label: str
    old: str
    new: str


class HistoryEntryOut(Schema):
    id: int
    when: Any
    who: str
    kind: str
    kind_label: str
    changes: list[HistoryChangeOut]


class PageParams(Schema):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500, description="Rows per page (at most 500)")
    offset: int = Field(0, ge=0, le=ID_MAX, description="Rows to skip")


def rows_serializer(model: type[Model], out_schema: type[Schema]) -> Callable[[QuerySet], list[dict[str, Any]]]:
    """Read a page of rows as the out schema's plain fields with one query. A schema with computed
    fields supplies ``list_annotations`` (expressions per field) and/or ``finish_rows(rows)``, which may
    run one more query for the whole page (never one per row)."""
    attnames = {f.attname for f in model._meta.concrete_fields}
    annotations: dict[str, Any] = getattr(out_schema, "list_annotations", {})
    plain = [name for name in out_schema.model_fields if name in attnames]
    finish = getattr(out_schema, "finish_rows", None)

    def serialize(queryset: QuerySet) -> list[dict[str, Any]]:
        rows = list(queryset.annotate(**annotations).values(*plain, *annotations))
        if finish is not None:
            finish(rows)
        return rows

    return serialize


def search_filter(model: type[Model], q: str | None) -> Q:
    condition = Q()
    for term in (q or "").split()[:5]:
        term_q = Q()
        for field in getattr(model, "search_fields", ()):
            term_q |= Q(**{f"{field}__icontains": term})
        condition &= term_q
    return condition


def record_router(
    *,
    model: type[Model],
    out_schema: type[Schema],
    create_schema: type[Schema],
    update_schema: type[Schema],
    filter_schema: type[Schema],
    tag: str,
    queryset: Callable[[], QuerySet] | None = None,
    resolve: Callable[[HttpRequest, dict[str, Any]], dict[str, Any]] | None = None,
) -> Router:
    """CRUD for one kind of business record: list (paginated, filtered, visible rows only), detail with
    ETag, create, update with If-Match, archive/restore and history. Deleting is not offered."""
    from ninja import Query

    router = Router(tags=[tag])
    name = model._meta.verbose_name
    base: Callable[[], Any] = queryset or (lambda: model._default_manager.all())

    def visible(request: HttpRequest, action: str = "view") -> QuerySet:
        return base().visible_to(request.user, permissions.action_for(model, action))  # type: ignore[attr-defined]

    def fetch(request: HttpRequest, pk: int) -> Any:
        check_id(pk)
        obj = visible(request).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def to_data(request: HttpRequest, payload: Schema, partial: bool) -> dict[str, Any]:
        data = payload.model_dump(exclude_unset=partial)
        return resolve(request, data) if resolve else data

    page_schema = type(
        f"{out_schema.__name__}Page",
        (Schema,),
        {"__annotations__": {"items": list[out_schema], "count": int}},  # type: ignore[valid-type]
    )
    serialize = rows_serializer(model, out_schema)

    @router.get(
        "/",
        response=page_schema,
        operation_id=f"{model._meta.model_name}_list",
        summary=f"List {model._meta.verbose_name_plural}",
    )
    def list_records(request: HttpRequest, filters: Query[filter_schema], page: Query[PageParams]):  # type: ignore[valid-type]
        params = filters.model_dump(exclude_none=True)  # type: ignore[attr-defined]
        q = params.pop("q", None)
        archived = params.pop("archived", False)
        qs = visible(request).filter(search_filter(model, q), **params)
        if not archived:
            qs = qs.filter(archived_at__isnull=True)
        qs = qs.order_by("pk")
        count = qs.count()
        items = serialize(qs[page.offset : page.offset + page.limit])  # type: ignore[attr-defined]
        # Rows are read with .values() and encoded directly: building and validating a pydantic object
        # per row would triple the cost of a page. A test checks every row against the schema.
        return HttpResponse(dumps({"items": items, "count": count}), content_type="application/json")

    @router.get(
        "/{int:pk}",
        response=out_schema,
        operation_id=f"{model._meta.model_name}_get",
        summary=f"Get one {name}",
    )
    def get_record(request: HttpRequest, response: HttpResponse, pk: int):  # type: ignore[no-untyped-def]
        obj = fetch(request, pk)
        response["ETag"] = etag_of(obj)
        return obj

    @router.post(
        "/",
        response={201: out_schema},
        operation_id=f"{model._meta.model_name}_create",
        summary=f"Create a {name}",
    )
    def create_record(request: HttpRequest, response: HttpResponse, payload: create_schema):  # type: ignore[valid-type]
        if not permissions.holds_anywhere(request.user, permissions.action_for(model, "add")):
            raise PermissionDenied
        obj = services.record_create(actor=request.user, model=model, data=to_data(request, payload, False))  # type: ignore[type-var]
        response["ETag"] = etag_of(obj)
        return Status(201, obj)

    @router.patch(
        "/{int:pk}",
        response=out_schema,
        operation_id=f"{model._meta.model_name}_update",
        summary=f"Change a {name} (send If-Match)",
    )
    def update_record(request: HttpRequest, response: HttpResponse, pk: int, payload: update_schema):  # type: ignore[valid-type]
        obj = fetch(request, pk)
        version = expected_version(request)
        obj = services.record_update(
            actor=request.user, instance=obj, data=to_data(request, payload, True), expected_version=version
        )
        response["ETag"] = etag_of(obj)
        return obj

    @router.post(
        "/{int:pk}/archive",
        response=out_schema,
        operation_id=f"{model._meta.model_name}_archive",
        summary=f"Archive a {name} (send If-Match)",
    )
    def archive_record(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False):  # type: ignore[no-untyped-def]
        obj = fetch(request, pk)
        obj = services.record_archive(
            actor=request.user, instance=obj, expected_version=expected_version(request), restore=restore
        )
        response["ETag"] = etag_of(obj)
        return obj

    @router.get(
        "/{int:pk}/history",
        response=list[HistoryEntryOut],
        operation_id=f"{model._meta.model_name}_history",
        summary=f"History of a {name}",
    )
    def record_history(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
        return history_for(fetch(request, pk))

    return router


def resolve_relations(model: type[Model]) -> Callable[[HttpRequest, dict[str, Any]], dict[str, Any]]:
    """Turn related ids in an API payload into records the user may see, naming the field otherwise."""

    def resolve(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for name, value in list(data.items()):
            field = model._meta.get_field(name)
            if not field.is_relation or value is None:
                continue
            related = field.related_model
            visible: Any = related._default_manager.all()  # type: ignore[union-attr]
            if getattr(related, "selectable_by_all_users", False):
                visible = visible.active()
            elif hasattr(visible, "visible_to"):
                visible = visible.active().visible_to(request.user)
            if field.many_to_many:
                found = list(visible.filter(pk__in=value))
                missing = sorted(set(value) - {o.pk for o in found})
                if missing:
                    errors[name] = [_("No such record: %s") % ", ".join(map(str, missing))]
                data[name] = found
            else:
                obj = visible.filter(pk=value).first()
                if obj is None:
                    errors[name] = [_("No such record: %s") % value]
                data[name] = obj
        if errors:
            raise ValidationError(errors)
        return data

    return resolve
