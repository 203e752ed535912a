"""Configuration register actions and the roles that hold them. Members see the register within their
scope; SMO officers and configuration managers keep it (types, items, relations, which items support which
services, imports). A service's owner and manager see the items that support their service
(``ConfigurationItem.extra_visibility``)."""

from django.utils.translation import gettext_lazy as _

from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core import permissions as p
from regie.services import roles as _services_roles  # noqa: F401  (the SMO officer role must exist first)

MODELS = (ItemType, ConfigurationItem, Relation, ServiceItem)
for _model in MODELS:
    p.register_model_actions(_model)
p.register_action("configuration.import_configurationitem", _("Import configuration items and relations from a sheet"))

VIEW = {p.action_for(m, "view") for m in MODELS}
KEEP = {p.action_for(m, verb) for m in MODELS for verb in ("add", "change", "archive")} | {
    "configuration.import_configurationitem"
}

p.grant("member", *VIEW)
p.grant("organisation_manager", *VIEW)
p.grant("smo_officer", *VIEW, *KEEP)
p.register_role(
    "configuration_manager",
    _("Configuration manager"),
    _("Keeps the configuration register within the scope"),
    # To place items and link them to services, a keeper sees the domains, teams and services there.
    actions=VIEW | KEEP | {"core.view_domain", "core.view_team", "services.view_service"},
)
