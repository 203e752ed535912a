from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "regie.services"
    label = "services"
    verbose_name = _("Services")

    def ready(self) -> None:
        from regie.core import demo
        from regie.raid.apps import scope_section
        from regie.services import demo as services_demo
        from regie.services import roles  # noqa: F401  (registers actions and roles)
        from regie.services.ui import SERVICES, chain_section
        from regie.services.views import levels_section

        for position, section in enumerate((chain_section, levels_section)):
            if section not in SERVICES.related_tabs:
                SERVICES.related_tabs.insert(position, section)
        # A service keeps a RAID log as projects do.
        if scope_section not in SERVICES.related_tabs:
            SERVICES.related_tabs.append(scope_section)
        if services_demo.load not in demo.EXTENSIONS:
            demo.EXTENSIONS.append(services_demo.load)
        # Chains name suppliers and agreements: drawn once every capability has loaded its demo data.
        if services_demo.load_chains not in demo.FINISHERS:
            demo.FINISHERS.append(services_demo.load_chains)
