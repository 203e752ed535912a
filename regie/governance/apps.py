from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "regie.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from regie.core import demo
        from regie.governance import demo as governance_demo
        from regie.governance import roles  # noqa: F401  (registers actions)
        from regie.portfolio import ui

        if project_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.append(project_section)
        if programme_section not in ui.PROGRAMMES.related_tabs:
            ui.PROGRAMMES.related_tabs.append(programme_section)
        if governance_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(governance_demo.load)


def project_section(request: Any, project: Any) -> dict[str, Any]:
    """Stakeholders and RACI on the project's page: the grid's quadrants and the matrix's size."""
    from regie.governance import views

    return views.project_section(request, project)


def programme_section(request: Any, programme: Any) -> dict[str, Any]:
    """The programme's stakeholder register on its page."""
    from regie.governance import views

    return views.programme_section(request, programme)
