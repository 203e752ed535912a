"""Regie's URLs with single sign-on switched on, as regie/urls.py builds them when OIDC is configured."""

from django.urls import include, path

from regie.urls import urlpatterns as regie_urlpatterns

urlpatterns = [*regie_urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
