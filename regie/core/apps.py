from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "regie.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from regie.core import audit, lookups, my_work, roles, tasks  # noqa: F401  (registers roles, tasks, sections, the audit receiver, lookups)
