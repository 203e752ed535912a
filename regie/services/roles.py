"""Service catalogue actions and the roles that hold them. Members see the catalogue within their scope;
the SMO (service management office, a role on a domain) keeps it. A service's owner and manager see and
describe their own service (``Service.extra_visibility``)."""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.services.models import Service, ServiceLink, ServiceOffering

for _model in (Service, ServiceOffering, ServiceLink):
    p.register_model_actions(_model)

VIEW = {p.action_for(m, "view") for m in (Service, ServiceOffering, ServiceLink)}
KEEP = {p.action_for(m, verb) for m in (Service, ServiceOffering, ServiceLink) for verb in ("add", "change", "archive")}
RAID = {"raid.view_raiditem", "raid.add_raiditem", "raid.change_raiditem", "raid.archive_raiditem", "raid.escalate_raiditem"}

#: Recording what a service achieved is the SMO's work (and, once cases measure it, the system's own).
p.register_action("services.record_measurement", _("service levels · record"))

p.grant("member", *VIEW)
p.grant("organisation_manager", *VIEW)
p.register_role(
    "smo_officer",
    _("SMO officer"),
    _("Keeps the service catalogue within the scope: services, their offerings and their RAID logs; never decides."),
    actions=VIEW | KEEP | RAID | {"core.view_domain", "services.record_measurement"},
)
