"""Portfolio actions, and the roles that hold them. A role on a domain covers its portfolios; a role on
a portfolio covers its programmes and projects. Project managers and PMO officers named on a project may
change it whatever their roles (see ``Project.extra_visibility``)."""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.portfolio.models import Portfolio, Programme, Project

for _model in (Portfolio, Programme, Project):
    p.register_model_actions(_model)

VIEW = {p.action_for(m, "view") for m in (Portfolio, Programme, Project)} | {"core.view_domain"}
p.grant("member", *VIEW)
p.grant("organisation_manager", *VIEW)
p.register_role(
    "portfolio_manager",
    _("Portfolio manager"),
    _("Keeps the portfolios, programmes and projects within the scope."),
    actions=VIEW | {p.action_for(m, verb) for m in (Portfolio, Programme, Project) for verb in ("add", "change", "archive")},
)
p.register_role(
    "pmo_officer",
    _("PMO officer"),
    _("Supports the projects within the scope: registers and updates programmes and projects; never decides."),
    actions=VIEW | {p.action_for(m, verb) for m in (Programme, Project) for verb in ("add", "change")},
)
