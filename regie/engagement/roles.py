"""Document actions, and the roles that hold them. A role on a domain, portfolio, programme or project
covers the documents registered there and below.

Beyond roles, the people named play their parts (see ``services.parts``): the author and the project's
manager and PMO officers keep a project's documents; only the named reviewers and approvers review, and
only the named approvers approve — never a role, and never the author of the version under review.
"""

from regie.core import permissions as p
from regie.engagement.models import CommunicationItem, Document, Meeting

p.register_model_actions(Document)
p.register_model_actions(Meeting, verbs=("view",))
p.register_model_actions(CommunicationItem, verbs=("view",))

VIEW = p.action_for(Document, "view")
KEEP = {p.action_for(Document, verb) for verb in ("add", "change", "archive")}

VIEW_MEETING = p.action_for(Meeting, "view")
VIEW_PLAN = p.action_for(CommunicationItem, "view")

p.grant("member", VIEW, VIEW_MEETING, VIEW_PLAN)
p.grant("organisation_manager", VIEW, VIEW_MEETING, VIEW_PLAN)
p.grant("portfolio_manager", VIEW, VIEW_MEETING, VIEW_PLAN, *KEEP)
p.grant("pmo_officer", VIEW, VIEW_MEETING, VIEW_PLAN, *KEEP)
