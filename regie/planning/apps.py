from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "regie.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from regie.core import demo
        from regie.planning import demo as planning_demo
        from regie.planning import my_work, roles, services, tasks  # noqa: F401  (registers actions, roles, tasks, My work)
        from regie.portfolio import reporting, ui

        # status reports take the schedule's status and milestones from the plan
        reporting.register_suggester(services.report_suggestion)
        if project_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.insert(0, project_section)
        if planning_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(planning_demo.load)


def project_section(request: Any, project: Any) -> dict[str, Any]:
    """The plan on the project's page: its forecast finish, the suggested schedule status and the coming
    milestones, with the way to the Gantt chart."""
    from regie.planning import services

    return {"template": "planning/_project_section.html", "project": project, "suggestion": services.schedule_suggestion(project)}
