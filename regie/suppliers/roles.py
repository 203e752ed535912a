"""Contract management's actions and the roles that hold them.

Writing an agreement needs the agreement action *and* the action of its kind (``suppliers.keep_sla``,
``keep_ola``, ``keep_uc``): the SMO drafts customer and internal agreements, purchasing drafts supplier
contracts, and the contract manager runs all three. Only a contract manager approves, and never a version
they specified or edited (``services.version_approve``). Beyond roles, an agreement is seen by its contract
manager, its supplier's or customer's contacts and, unless they are external (``models.external_people``),
the owners of the services it covers and whoever sees a project that references it
(``Agreement.extra_visibility``).
"""

from django.utils.translation import gettext_lazy as _

from regie.core import permissions as p
from regie.services import roles as _service_roles  # noqa: F401  (defines smo_officer, granted below)
from regie.suppliers.choices import AgreementKind
from regie.suppliers.models import Agreement, Contact, Obligation, Organisation

for _model in (Organisation, Contact, Agreement, Obligation):
    p.register_model_actions(_model)

APPROVE = "suppliers.approve_agreement"
KIND_ACTIONS: dict[str, str] = {
    AgreementKind.SLA: "suppliers.keep_sla",
    AgreementKind.OLA: "suppliers.keep_ola",
    AgreementKind.UC: "suppliers.keep_uc",
}
p.register_action(APPROVE, _("Approve agreement versions (never one's own)"))
p.register_action(KIND_ACTIONS[AgreementKind.SLA], _("Draft customer agreements (SLA)"))
p.register_action(KIND_ACTIONS[AgreementKind.OLA], _("Draft internal agreements (OLA)"))
p.register_action(KIND_ACTIONS[AgreementKind.UC], _("Draft supplier contracts (UC)"))


def _verbs(model: type, *verbs: str) -> set[str]:
    return {p.action_for(model, verb) for verb in verbs}


VIEW = _verbs(Organisation, "view") | _verbs(Contact, "view") | _verbs(Agreement, "view") | _verbs(Obligation, "view")
KEEP_ALL = {
    p.action_for(m, verb) for m in (Organisation, Contact, Agreement, Obligation) for verb in ("add", "change", "archive")
}
#: To agree on services one must see them.
CATALOGUE = {"services.view_service", "services.view_serviceoffering", "core.view_domain"}

p.register_role(
    "contract_manager",
    _("Contract manager"),
    _(
        "Runs contract management: agreements, versions, obligations and supplier performance within the scope; "
        "approves agreements they did not specify."
    ),
    actions=VIEW | KEEP_ALL | set(KIND_ACTIONS.values()) | {APPROVE} | CATALOGUE,
)
p.register_role(
    "purchaser",
    _("Purchaser"),
    _("Keeps suppliers and their contacts, drafts supplier contracts; never approves."),
    actions=VIEW
    | _verbs(Organisation, "add", "change", "archive")
    | _verbs(Contact, "add", "change", "archive")
    | _verbs(Agreement, "add", "change")
    | {KIND_ACTIONS[AgreementKind.UC]}
    | CATALOGUE,
)
# The SMO keeps the drafts of customer and internal agreements and sees all of contract management.
p.grant(
    "smo_officer",
    *VIEW,
    *_verbs(Agreement, "add", "change"),
    KIND_ACTIONS[AgreementKind.SLA],
    KIND_ACTIONS[AgreementKind.OLA],
)
p.grant("member", *_verbs(Organisation, "view"), *_verbs(Agreement, "view"), *_verbs(Obligation, "view"))
