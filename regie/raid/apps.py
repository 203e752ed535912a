from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RaidConfig(AppConfig):
    name = "regie.raid"
    label = "raid"
    verbose_name = _("RAID log")

    def ready(self) -> None:
        from regie.core import demo
        from regie.portfolio import reporting, ui
        from regie.raid import demo as raid_demo
        from regie.raid import my_work, roles, services  # noqa: F401  (registers actions, roles, My work)

        # status reports take their top risks and the decisions needed from the project's log
        reporting.register_content_suggester(services.report_content)
        for model_ui in (ui.PROJECTS, ui.PROGRAMMES, ui.PORTFOLIOS):
            if scope_section not in model_ui.related_tabs:
                model_ui.related_tabs.append(scope_section)
        if raid_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(raid_demo.load)


def scope_section(request: Any, record: Any) -> dict[str, Any]:
    """The RAID log on a project's, programme's or portfolio's page: open items per kind, the heat map,
    top risks, decisions to take and overdue actions, rolled up from everything below."""
    from regie.raid import views

    return views.scope_section(request, record.scope)
