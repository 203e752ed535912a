"""RAID actions and the roles that hold them.

Members see the logs within their scope; PMO officers and portfolio managers administer them. Beyond
roles, a project's manager and named PMO officers administer the project's log, the people named on the
project read it, and an item's owner reads and updates their own item (see ``RaidItem.extra_visibility``
and ``services.parts``).
"""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.raid.models import RaidItem

p.register_model_actions(RaidItem)
p.register_action("raid.escalate_raiditem", _("Escalate RAID items"))

VIEW = p.action_for(RaidItem, "view")
ADMINISTER = {p.action_for(RaidItem, verb) for verb in ("add", "change", "archive")} | {"raid.escalate_raiditem"}

p.grant("member", VIEW)
p.grant("organisation_manager", VIEW)
p.grant("portfolio_manager", VIEW, *ADMINISTER)
p.grant("pmo_officer", VIEW, *ADMINISTER)
