"""Governance actions. Members see stakeholder registers and RACI matrices within their scope; those
who may change a project keep them (see ``services.manages``); the people named on a project see its
registers, and a person sees the RACI rows they take a part in."""

from regie.core import permissions as p
from regie.governance.models import RaciRow, Stakeholder

for _model in (Stakeholder, RaciRow):
    p.register_model_actions(_model)

VIEW = {p.action_for(m, "view") for m in (Stakeholder, RaciRow)}
KEEP = {p.action_for(m, verb) for m in (Stakeholder, RaciRow) for verb in ("add", "change", "archive")}
p.grant("member", *VIEW)
p.grant("organisation_manager", *VIEW)
p.grant("portfolio_manager", *VIEW, *KEEP)
p.grant("pmo_officer", *VIEW, *KEEP)
