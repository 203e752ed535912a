from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "regie.suppliers"
    label = "suppliers"
    verbose_name = _("Suppliers and agreements")

    def ready(self) -> None:
        from regie.core import demo
        from regie.portfolio import ui
        from regie.suppliers import demo as suppliers_demo
        from regie.suppliers import my_work, roles, tasks  # noqa: F401  (registers actions, roles, My work and jobs)

        # A project's page shows the supplier contracts it references and their open obligations.
        if project_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.append(project_section)
        if suppliers_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(suppliers_demo.load)


def project_section(request: Any, project: Any) -> dict[str, Any]:
    from regie.suppliers import views

    return views.project_section(request, project)
