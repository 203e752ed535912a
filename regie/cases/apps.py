from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "regie.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from regie.cases import demo as cases_demo
        from regie.cases import roles, tasks  # noqa: F401  (registers the actions, the roles and the jobs)
        from regie.core import demo
        from regie.planning import calendars

        if cases_demo.load not in demo.FINISHERS:
            demo.FINISHERS.append(cases_demo.load)

        if tasks.calendar_changed not in calendars.CALENDAR_CHANGED:
            calendars.CALENDAR_CHANGED.append(tasks.calendar_changed)
