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
        from regie.portfolio import reporting

        reporting.register_suggester(services.report_suggestion)

        if planning_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(planning_demo.load)
