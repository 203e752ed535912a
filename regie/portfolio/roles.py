"""Portfolio actions, and the roles that hold them. A role on a domain covers its portfolios; a role on
a portfolio covers its programmes and projects.

Beyond roles, the people named on a project play their parts whatever roles they hold (see
``services.parts``): the project manager and its PMO officers edit it and draft its reports; only the
project manager submits a report; the sponsor and the steering committee comment, acknowledge and decide
at gates. Deciding and submitting are never granted by a role — support is not decision.
"""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.portfolio.models import GateCondition, GateReview, Portfolio, Programme, Project, StatusReport

for _model in (Portfolio, Programme, Project):
    p.register_model_actions(_model)
for _record in (StatusReport, GateReview, GateCondition):
    p.register_model_actions(_record, verbs=("view",))
p.register_action("portfolio.draft_report", _("Draft status reports"))
p.register_action("portfolio.prepare_gate_review", _("Prepare gate reviews"))
p.register_action("portfolio.import_project", _("Import projects from a sheet"))
p.register_action("portfolio.export_portfolio", _("Export the portfolio (deck and workbook)"))

VIEW = {p.action_for(m, "view") for m in (Portfolio, Programme, Project, StatusReport, GateReview, GateCondition)} | {
    "core.view_domain"
}
p.grant("member", *VIEW)
p.grant("organisation_manager", *VIEW)
p.register_role(
    "portfolio_manager",
    _("Portfolio manager"),
    _("Keeps the portfolios, programmes and projects within the scope; imports and exports them."),
    actions=VIEW
    | {p.action_for(m, verb) for m in (Portfolio, Programme, Project) for verb in ("add", "change", "archive")}
    | {"portfolio.draft_report", "portfolio.prepare_gate_review", "portfolio.import_project", "portfolio.export_portfolio"},
)
p.register_role(
    "pmo_officer",
    _("PMO officer"),
    _(
        "Supports the projects within the scope: registers and updates programmes and projects, drafts status "
        "reports, prepares gate reviews and exports; never decides and never submits."
    ),
    actions=VIEW
    | {p.action_for(m, verb) for m in (Programme, Project) for verb in ("add", "change")}
    | {"portfolio.draft_report", "portfolio.prepare_gate_review", "portfolio.import_project", "portfolio.export_portfolio"},
)
