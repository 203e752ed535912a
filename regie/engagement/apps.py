from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "regie.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from regie.core import demo
        from regie.engagement import demo as engagement_demo
        from regie.engagement import my_work, roles  # noqa: F401  (registers actions, roles and My work)
        from regie.engagement.ui import project_section
        from regie.portfolio import ui

        # The project's page lists its documents (after its status and life cycle).
        if project_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.append(project_section)
        if engagement_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(engagement_demo.load)
