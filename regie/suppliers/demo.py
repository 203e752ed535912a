"""The demo organisation's suppliers, external customer and agreements (idempotent: looked up by code).

Five suppliers with contacts, one external customer; SLAs for the IT services with targets on the
organisation's business-hours calendar, OLAs between the IT teams, underpinning contracts with the
suppliers. The workplace SLA has two versions; the service desk SLA has a new version in review,
specified by the SMO login (``smo``), which another contract manager (``cm``) must approve. Obligations
delivered on time, one late with a service credit, one missed with a penalty, and some coming up that the
SMO login watches. The hosting contract's notice date falls within the next 60 days. The laptop contract
is referenced by project P-001, and Deskware's account manager signs in as ``supplier``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from regie.core.demo import ensure_login
from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Scope
from regie.suppliers.models import Agreement, AgreementVersion, Contact, Obligation, Organisation, ServiceLevelTarget

DOMAIN = "northbridge.example"

# code, name, supplier, customer, registration number, address, website, notes
ORGANISATIONS = [
    (
        "NIMBUS",
        "Nimbus Cloud Hosting",
        True,
        False,
        "NL-81234567",
        "Cloudweg 12\n1101 AB Amsterdam",
        "https://nimbus.example",
        "Hosts file storage and the identity platform.",
    ),
    (
        "LINKNET",
        "LinkNet Carrier",
        True,
        False,
        "NL-72345678",
        "Glasvezelstraat 4\n3521 CD Utrecht",
        "https://linknet.example",
        "",
    ),
    (
        "DESKWARE",
        "Deskware Workplace Supplies",
        True,
        False,
        "NL-63456789",
        "Bureaulaan 88\n5611 EF Eindhoven",
        "https://deskware.example",
        "Laptops, docking stations and headsets; the laptop refresh (P-001) buys through this contract.",
    ),
    (
        "CODEWORKS",
        "Codeworks Software",
        True,
        False,
        "SE-556677-8899",
        "Kodgatan 3\n111 22 Stockholm",
        "https://codeworks.example",
        "",
    ),
    (
        "BRIGHTCLEAN",
        "BrightClean Facility Services",
        True,
        False,
        "NL-54567890",
        "Poetsplein 1\n2511 GH Den Haag",
        "https://brightclean.example",
        "",
    ),
    (
        "HARBOUR",
        "Harbourside Municipality",
        False,
        True,
        "NL-45678901",
        "Havenkade 1\n1791 JK Den Burg",
        "https://harbourside.example",
        "A neighbouring municipality that uses Northbridge's network under a shared-services agreement.",
    ),
]
# organisation, name, role, email, phone
CONTACTS = [
    ("NIMBUS", "Sofia Almeida", "account manager", "sofia.almeida@nimbus.example", "+31 20 700 1100"),
    ("NIMBUS", "Nimbus service desk", "service desk", "support@nimbus.example", "+31 20 700 1199"),
    ("LINKNET", "Jeroen Kuipers", "account manager", "jeroen.kuipers@linknet.example", "+31 30 600 2200"),
    ("DESKWARE", "Mark de Wit", "account manager", "mark.dewit@deskware.example", "+31 40 500 3300"),
    ("CODEWORKS", "Lena Berggren", "licence manager", "lena.berggren@codeworks.example", "+46 8 400 4400"),
    ("BRIGHTCLEAN", "Anouk Visser", "site manager", "anouk.visser@brightclean.example", "+31 70 300 5500"),
    ("HARBOUR", "Pim Schouten", "information manager", "pim.schouten@harbourside.example", "+31 222 100 600"),
]
SUPPLIER_LOGIN = ("supplier", "Mark de Wit", "mark.dewit@deskware.example", "DESKWARE")


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@{DOMAIN}")


def _version(
    agreement: Agreement,
    number: int,
    status: str,
    *,
    specified_by: Person,
    approved_by: Person | None,
    start: date,
    end: date | None,
    services: list[Any],
    calendar: Any,
    value: str,
    targets: list[tuple[str, int | None, str]] = (),  # type: ignore[assignment]
    offerings: list[Any] = (),  # type: ignore[assignment]
    **terms: Any,
) -> AgreementVersion:
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        status=status,
        start=start,
        end=end,
        specified_by=specified_by,
        approved_by=approved_by,
        approved_at=timezone.now() - timedelta(days=30 * (3 - number)) if approved_by else None,
        calendar=calendar,
        annual_value=Decimal(value),
        **terms,
    )
    version.services.set(services)
    version.offerings.set(list(offerings))
    ServiceLevelTarget.objects.bulk_create(
        ServiceLevelTarget(
            version=version,
            metric=metric,
            priority=priority,
            target=Decimal(target),
            # Times are agreed for nine cases in ten, as the organisation's SLAs do.
            compliance=None if metric == "availability" else Decimal("90"),
        )
        for metric, priority, target in targets
    )
    if status == "approved":
        Agreement.objects.filter(pk=agreement.pk).update(current_version=version)
        agreement.current_version = version
    return version


@transaction.atomic
def load(write: Callable[[str], Any]) -> None:
    if not Domain.objects.filter(code="IT").exists():
        return
    from regie.planning.services import default_calendar
    from regie.portfolio.models import Project
    from regie.services.models import Service, ServiceOffering

    organisations = {}
    for code, name, supplier, customer, registration, address, website, notes in ORGANISATIONS:
        organisations[code] = Organisation.objects.filter(code=code).first() or Organisation.objects.create(
            code=code,
            name=name,
            is_supplier=supplier,
            is_customer=customer,
            registration_number=registration,
            address=address,
            website=website,
            notes=notes,
        )
    for organisation, name, role, email, phone in CONTACTS:
        Contact.objects.get_or_create(
            organisation=organisations[organisation], name=name, defaults={"role": role, "email": email, "phone": phone}
        )
    # Deskware's account manager signs in and sees Deskware's contracts and obligations, nothing else.
    username, full_name, email, organisation = SUPPLIER_LOGIN
    given, family = full_name.split(" ", 1)
    account_manager = Person.objects.filter(email=email).first() or Person.objects.create(
        given_name=given, family_name=family, email=email, language="nl"
    )
    ensure_login(username, account_manager)
    Contact.objects.filter(organisation=organisations[organisation], name=full_name, person__isnull=True).update(
        person=account_manager
    )
    # Daan Visser runs contract management for the organisation; the SMO lead does for IT; a purchaser
    # keeps the suppliers and drafts their contracts.
    root = Scope.root()
    daan, ingrid, elin = _person("daan.visser"), _person("ingrid.svensson"), _person("elin.andersson")
    ensure_login("cm", daan)
    RoleAssignment.objects.get_or_create(person=daan, role="contract_manager", scope=root)
    RoleAssignment.objects.get_or_create(person=ingrid, role="contract_manager", scope=Domain.objects.get(code="IT").scope)
    RoleAssignment.objects.get_or_create(person=elin, role="purchaser", scope=root)

    if not Agreement.objects.filter(code="SLA-001").exists():
        _agreements(organisations, daan, ingrid, elin, default_calendar(), Service, ServiceOffering, Project)
    write(
        f"  suppliers: {Organisation.objects.count()} external organisations, {Agreement.objects.count()} agreements, "
        f"{Obligation.objects.count()} obligations"
    )
    write(f"  logins: cm ({daan}, contract manager, approves SLA-002's version in review specified by smo)")
    write(f"          supplier ({account_manager} of Deskware: sees only Deskware's contracts and obligations)")


def _agreements(
    organisations: dict[str, Organisation], daan: Person, ingrid: Person, elin: Person, calendar: Any, *models: Any
) -> None:
    service_model, offering_model, project_model = models
    services = {s.code: s for s in service_model.objects.all()}
    offerings = {(o.service.code, o.code): o for o in offering_model.objects.select_related("service")}
    units = {u.code: u for u in OrgUnit.objects.all()}
    it, fac = Domain.objects.get(code="IT"), Domain.objects.get(code="FAC")
    today = timezone.localdate()
    year_start = date(today.year, 1, 1)
    last_year = date(today.year - 1, 1, 1)
    year_end = date(today.year, 12, 31)
    next_year_end = date(today.year + 1, 12, 31)

    def make(kind: str, code: str, name: str, domain: Domain, manager: Person, **parties: Any) -> Agreement:
        agreement = Agreement(kind=kind, code=code, name=name, domain=domain, contract_manager=manager, **parties)
        agreement.full_clean()
        agreement.save()
        return agreement

    workplace_targets = [
        ("availability", None, "99.5"),
        ("response", 1, "30"),
        ("response", 2, "120"),
        ("resolution", 1, "240"),
        ("resolution", 2, "960"),
        ("resolution", 3, "2400"),
    ]
    # SLAs with the internal customers and the external one.
    workplace = make(
        "sla", "SLA-001", "Digital workplace", it, ingrid, provider_unit=units["NB-IT"], customer_unit=units["NB-OPS"]
    )
    _version(
        workplace, 1, "superseded", specified_by=ingrid, approved_by=daan, start=last_year, end=next_year_end,
        services=[services["WORKPLACE"]], calendar=calendar, value="1150000",
        targets=[("availability", None, "99.0"), ("resolution", 1, "480")],
        price_terms="EUR 42 per user per month.", change_summary="First agreement on the digital workplace.",
    )  # fmt: skip
    _version(
        workplace, 2, "approved", specified_by=ingrid, approved_by=daan, start=year_start, end=next_year_end,
        services=[services["WORKPLACE"]], calendar=calendar, value="1250000", targets=workplace_targets,
        offerings=[offerings[("WORKPLACE", "STD")], offerings[("WORKPLACE", "PREM")]],
        price_terms="Standard EUR 45, premium EUR 70 per user per month.",
        penalty_terms="Below 99.5 % availability in a month: 5 % of that month's fee as a service credit.",
        renewal_date=next_year_end, notice_date=date(today.year + 1, 9, 30),
        change_summary="Premium offering added; availability raised to 99.5 %; priority 3 resolution agreed.",
    )  # fmt: skip
    desk = make("sla", "SLA-002", "IT service desk", it, daan, provider_unit=units["NB-IT"], customer_unit=units["NB-OPS"])
    _version(
        desk, 1, "approved", specified_by=elin, approved_by=daan, start=year_start, end=year_end,
        services=[services["SERVICEDESK"]], calendar=calendar, value="380000",
        targets=[("response", 1, "15"), ("response", 2, "60"), ("resolution", 2, "480")],
        renewal_date=year_end, price_terms="Included in the IT charge.",
    )  # fmt: skip
    review = _version(
        desk, 2, "in_review", specified_by=ingrid, approved_by=None, start=date(today.year + 1, 1, 1),
        end=date(today.year + 1, 12, 31), services=[services["SERVICEDESK"]], calendar=calendar, value="395000",
        targets=[("response", 1, "15"), ("response", 2, "45"), ("resolution", 2, "480"), ("resolution", 3, "1440")],
        price_terms="Included in the IT charge.",
        change_summary="Next year: faster response on priority 2, a target for priority 3.",
    )  # fmt: skip
    AgreementVersion.objects.filter(pk=review.pk).update(submitted_by=ingrid, submitted_at=timezone.now() - timedelta(days=2))
    harbour = make(
        "sla", "SLA-003", "Network for Harbourside", it, daan,
        provider_unit=units["NB-IT"], customer_organisation=organisations["HARBOUR"],
    )  # fmt: skip
    _version(
        harbour, 1, "approved", specified_by=ingrid, approved_by=daan, start=year_start, end=None,
        services=[services["NETWORK"]], calendar=calendar, value="48000", targets=[("availability", None, "99.8")],
        price_terms="EUR 4,000 per month, indexed yearly.",
    )  # fmt: skip
    # OLAs between the IT teams.
    ola_network = make(
        "ola", "OLA-001", "Network for the workplace", it, ingrid,
        provider_unit=units["NB-IT-INF"], customer_unit=units["NB-IT-WP"],
    )  # fmt: skip
    _version(
        ola_network, 1, "approved", specified_by=ingrid, approved_by=daan, start=year_start, end=None,
        services=[services["NETWORK"]], calendar=calendar, value="0",
        targets=[("availability", None, "99.7"), ("resolution", 1, "180")],
    )  # fmt: skip
    ola_apps = make(
        "ola", "OLA-002", "Application support for the service desk", it, ingrid,
        provider_unit=units["NB-IT-APP"], customer_unit=units["NB-IT-WP"],
    )  # fmt: skip
    _version(
        ola_apps, 1, "approved", specified_by=ingrid, approved_by=daan, start=year_start, end=None,
        services=[services["SERVICEDESK"]], calendar=calendar, value="0", targets=[("response", 2, "60")],
    )  # fmt: skip
    # Underpinning contracts with the suppliers.
    hosting = make(
        "uc", "UC-001", "Cloud hosting", it, daan, provider_organisation=organisations["NIMBUS"], customer_unit=units["NB-IT-INF"]
    )
    _version(
        hosting, 1, "approved", specified_by=elin, approved_by=daan, start=last_year, end=today + timedelta(days=130),
        notice_date=today + timedelta(days=40), renewal_date=today + timedelta(days=130),
        services=[services["WORKPLACE"]], calendar=calendar, value="210000", targets=[("availability", None, "99.95")],
        price_terms="EUR 17,500 per month.", penalty_terms="EUR 5,000 for each missed security audit.",
    )  # fmt: skip
    carrier = make(
        "uc",
        "UC-002",
        "Campus connectivity",
        it,
        daan,
        provider_organisation=organisations["LINKNET"],
        customer_unit=units["NB-IT-INF"],
    )
    _version(
        carrier, 1, "approved", specified_by=elin, approved_by=daan, start=year_start, end=next_year_end,
        services=[services["NETWORK"]], calendar=calendar, value="96000",
        targets=[("availability", None, "99.9"), ("resolution", 1, "240")],
        penalty_terms="Late incident reports: a service credit of EUR 1,500 each.",
    )  # fmt: skip
    laptops = make(
        "uc", "UC-003", "Laptops and accessories", it, ingrid,
        provider_organisation=organisations["DESKWARE"], customer_unit=units["NB-IT-WP"],
    )  # fmt: skip
    _version(
        laptops, 1, "approved", specified_by=elin, approved_by=ingrid, start=year_start, end=next_year_end,
        services=[services["WORKPLACE"]], calendar=calendar, value="640000",
        targets=[("resolution", 2, "960")], price_terms="EUR 1,150 per laptop; docking station EUR 180.",
        penalty_terms="Late delivery of a wave: 2 % of the wave's value per working day.",
    )  # fmt: skip
    project = project_model.objects.filter(code="P-001").first()
    if project is not None:
        laptops.projects.add(project)
    licences = make(
        "uc", "UC-004", "Office suite licences", it, daan,
        provider_organisation=organisations["CODEWORKS"], customer_unit=units["NB-IT-APP"],
    )  # fmt: skip
    _version(
        licences, 1, "approved", specified_by=elin, approved_by=daan, start=year_start, end=year_end,
        services=[services["WORKPLACE"]], calendar=None, value="185000", price_terms="EUR 9.50 per user per month.",
    )  # fmt: skip
    office_suite = project_model.objects.filter(code="P-002").first()
    if office_suite is not None:
        licences.projects.add(office_suite)
    cleaning = make(
        "uc",
        "UC-005",
        "Office cleaning",
        fac,
        daan,
        provider_organisation=organisations["BRIGHTCLEAN"],
        customer_unit=units["NB-FAC"],
    )
    _version(
        cleaning, 1, "approved", specified_by=elin, approved_by=daan, start=year_start, end=None,
        services=[services["ROOMS"]], calendar=None, value="156000",
    )  # fmt: skip

    def owe(agreement: Agreement, description: str, due: int, **fields: Any) -> None:
        Obligation.objects.create(
            agreement=agreement,
            version=agreement.current_version,
            description=description,
            due_date=today + timedelta(days=due),
            **fields,
        )

    owe(hosting, "Monthly availability report", -35, status="delivered", delivered_on=today - timedelta(days=37), owner=daan)
    owe(
        hosting, "Quarterly security audit report", -21, status="missed", owner=daan,
        consequence_kind="penalty", penalty_amount=Decimal("5000"), notes="No audit report received; penalty invoiced.",
    )  # fmt: skip
    owe(hosting, "Monthly availability report", 9, recurrence="monthly", owner=ingrid)
    owe(
        carrier, "Major incident report within 5 working days", -14, status="late",
        delivered_on=today - timedelta(days=6), owner=daan, consequence_kind="service_credit", penalty_amount=Decimal("1500"),
    )  # fmt: skip
    owe(carrier, "Capacity plan for next year", 20, owner=daan)
    owe(laptops, "Deliver wave 1: 200 laptops", 12, owner=ingrid, consequence_kind="penalty", penalty_amount=Decimal("4600"))
    owe(laptops, "Monthly stock and delivery report", 4, recurrence="monthly", owner=ingrid)
    owe(
        laptops,
        "Monthly stock and delivery report",
        -26,
        status="delivered",
        delivered_on=today - timedelta(days=27),
        owner=ingrid,
    )
    owe(laptops, "Purchase order for wave 2", 30, owed_by="customer", owner=elin)
    owe(licences, "Licence true-up statement", -60, status="delivered", delivered_on=today - timedelta(days=60), owner=daan)
    owe(cleaning, "Quarterly cleaning quality audit", 15, recurrence="quarterly", owner=daan)
    owe(workplace, "Monthly service-level report to the customer", 6, recurrence="monthly", owner=ingrid)
