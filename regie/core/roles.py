"""Core's actions and the roles every domain starts with; other apps extend these with ``grant``."""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.core.models import Domain, Job, JobProfile, OrgUnit, Person, Team

ORG_MODELS = (Domain, OrgUnit, JobProfile, Person, Team)
for _model in ORG_MODELS:
    p.register_model_actions(_model)
p.register_action("core.import_person", _("Import people from a sheet"))
p.register_action("core.invite_person", _("Invite a person to sign in"))
p.register_action("core.manage_roles", _("Assign and withdraw roles"))
p.register_action(p.action_for(Job, "view"), _("See everyone's background jobs"))

VIEW_ORGANISATION = {p.action_for(m, "view") for m in (Domain, OrgUnit, Person, Team)}

p.register_role(
    "administrator",
    _("Administrator"),
    _("Everything within the scope, including assigning roles."),
    actions={p.ALL_ACTIONS},
)
p.register_role(
    "organisation_manager",
    _("Organisation manager"),
    _("Keeps units, people and teams up to date within the scope; imports and invites people."),
    actions=VIEW_ORGANISATION
    | {p.action_for(m, verb) for m in (OrgUnit, Person, Team) for verb in ("add", "change", "archive")}
    | {"core.import_person", "core.invite_person"},
)
p.register_role(
    "member",
    _("Member"),
    _("Sees the organisation within the scope."),
    actions=VIEW_ORGANISATION,
)
