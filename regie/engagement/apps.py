from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "regie.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from regie.core import demo
        from regie.engagement import demo as engagement_demo
        from regie.engagement import my_work, roles, tasks  # noqa: F401  (registers actions, roles, My work and jobs)
        from regie.engagement.meeting_views import meetings_section
        from regie.engagement.ui import project_section
        from regie.portfolio import ui

        # The project's page lists its documents (after its status and life cycle).
        if project_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.append(project_section)
        if meetings_section not in ui.PROJECTS.related_tabs:
            ui.PROJECTS.related_tabs.append(meetings_section)
        # A gate may require approved documents of the register.
        from regie.engagement.choices import DocumentKind
        from regie.engagement.gates import missing_documents
        from regie.portfolio import models as portfolio_models
        from regie.portfolio import services as portfolio_services

        portfolio_models.REQUIRABLE_DOCUMENTS.update(DocumentKind.choices)
        portfolio_services.register_gate_check(missing_documents)
        if engagement_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(engagement_demo.load)
