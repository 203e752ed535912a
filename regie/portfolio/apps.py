from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "regie.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from regie.core import demo
        from regie.portfolio import demo as portfolio_demo
        from regie.portfolio import importing, my_work, roles, tasks  # noqa: F401  (registers actions, roles, tasks, My work)

        if portfolio_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(portfolio_demo.load)
