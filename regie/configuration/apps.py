from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigurationConfig(AppConfig):
    name = "regie.configuration"
    label = "configuration"
    verbose_name = _("Configuration register")

    def ready(self) -> None:

        from regie.configuration import demo as configuration_demo
        from regie.configuration import reach, roles, tasks  # noqa: F401  (registers actions, roles and the import job)
        from regie.core import demo
        from regie.services.ui import SERVICES

        if supporting_items_section not in SERVICES.related_tabs:
            SERVICES.related_tabs.append(supporting_items_section)
        if configuration_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(configuration_demo.load)


def supporting_items_section(request: Any, service: Any) -> dict[str, Any]:
    """On a service's page: the configuration items that support it."""
    from regie.configuration import views

    return views.service_section(request, service)
