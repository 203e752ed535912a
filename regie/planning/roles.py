"""Planning actions and the roles that hold them. The project manager and the project's named PMO
officers edit its plan whatever their roles (see ``services.may_edit``); everyone who sees a project
sees its plan."""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.planning.models import Task

p.register_action("planning.edit_plan", _("Edit project plans (tasks, links, baselines)"))
p.register_action("planning.import_plan", _("Import MS Project plans"))
p.register_action("planning.manage_calendars", _("Keep the working calendars"))

for _role in ("portfolio_manager", "pmo_officer"):
    p.grant(_role, "planning.edit_plan", "planning.import_plan")
p.grant("portfolio_manager", "planning.manage_calendars")

p.register_model_actions(Task, verbs=("view",))
for _role in ("member", "organisation_manager", "portfolio_manager", "pmo_officer"):
    p.grant(_role, p.action_for(Task, "view"))
