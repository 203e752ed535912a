from typing import Any

from django.conf import settings
from django.http import HttpRequest

from regie.core import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "menu": navigation.menu_for(user) if signed_in else [],
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        "theme": request.COOKIES.get("regie_theme", "auto") if hasattr(request, "COOKIES") else "auto",
    }
