"""Case actions and the roles that hold them. Anyone who may see a service may log a case against it and
follow their own cases; service-desk agents handle the cases of their scope (assign, move them through the
workflow's transitions their role is named in); the SMO officer keeps the workflows; change managers and
members of the change advisory board take the change workflow's decisions. Who may perform a transition
is the workflow's to say (``regie.cases.workflows``): these actions only open the door."""

from django.utils.translation import gettext_lazy as _

from regie.cases.models import Case, FreezeWindow, Workflow
from regie.core import permissions as p
from regie.services import roles as _services_roles  # noqa: F401  (the SMO officer role must exist first)

for _model in (Case, Workflow, FreezeWindow):
    p.register_model_actions(_model)
p.register_action("cases.handle_case", _("cases · handle (assign, prioritise, move through the workflow)"))

VIEW_CASE, ADD_CASE, HANDLE = "cases.view_case", "cases.add_case", "cases.handle_case"
KEEP_WORKFLOWS = {p.action_for(Workflow, verb) for verb in ("view", "add", "change", "archive")}
#: Freeze windows are the change manager's to keep; everyone who handles cases sees them.
KEEP_FREEZES = {p.action_for(FreezeWindow, verb) for verb in ("view", "add", "change", "archive")}
# The desk names the configuration items cases are about, so it reads the register of its scope.
SEES = {
    "services.view_service",
    "services.view_serviceoffering",
    "core.view_team",
    "core.view_domain",
    "configuration.view_configurationitem",
}

p.grant("member", ADD_CASE)
p.grant("smo_officer", VIEW_CASE, ADD_CASE, HANDLE, *KEEP_WORKFLOWS, "cases.view_freezewindow")
p.register_role(
    "servicedesk_agent",
    _("Service-desk agent"),
    _("Logs, assigns and handles the cases of the scope's services"),
    actions={VIEW_CASE, ADD_CASE, HANDLE, "cases.view_workflow", "cases.view_freezewindow", *SEES},
)
p.register_role(
    "change_manager",
    _("Change manager"),
    _("Assesses and approves requests for change within the scope; never realises them"),
    actions={VIEW_CASE, ADD_CASE, HANDLE, "cases.view_workflow", *KEEP_FREEZES, *SEES},
)
p.register_role(
    "cab_member",
    _("Change advisory board member"),
    _("Advises on and approves requests for change within the scope"),
    actions={VIEW_CASE, HANDLE, "cases.view_workflow", "cases.view_freezewindow", *SEES},
)
