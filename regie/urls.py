from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from regie.core import account_views


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when this server can reach its database, 503 otherwise."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("regie.core.urls")),
    path("", include("regie.portfolio.urls")),
    path("", include("regie.planning.urls")),
    path("", include("regie.raid.urls")),
    path("", include("regie.governance.urls")),
    path("", include("regie.engagement.urls")),
    path("", include("regie.services.urls")),
    path("", include("regie.suppliers.urls")),
    path("", include("regie.configuration.urls")),
    path("", include("regie.cases.urls")),
    path("", include("regie.cases.change_urls")),
    path("api/", include("regie.api.urls")),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("accounts/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]

if getattr(settings, "OIDC_ENABLED", False):
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

if settings.REGIE_BENCHMARK_VIEWS:
    # A bare Django JSON view over the same rows as the API's people list, as the baseline for
    # bench/api_overhead.py. Only present when REGIE_BENCHMARK_VIEWS is set.
    def bare_people(request: HttpRequest) -> JsonResponse:
        from regie.core.models import Person

        rows = list(
            Person.objects.order_by("pk").values(
                "id",
                "given_name",
                "family_name",
                "email",
                "phone",
                "org_unit_id",
                "job_profile_id",
                "language",
            )[:50]
        )
        return JsonResponse({"items": rows, "count": Person.objects.count()})

    urlpatterns.append(path("bench/bare-people/", bare_people))
