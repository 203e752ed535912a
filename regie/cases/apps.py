from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "regie.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from regie.cases import roles  # noqa: F401  (registers the actions and the roles)
