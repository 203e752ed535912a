"""The demo organisation's configuration register: two data centres, the offices, the hosts and shared
storage, the virtual machines, databases and applications (the ERP, e-mail, the HR suite, the directory
...) and a few workplaces, related as they run, linked to the demo services so that the impact of a host
reaches several services and their customers (idempotent: looked up by type and identifier)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regie.configuration import reach
from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core.models import Domain, Person, Team
from regie.services.models import Service

DOMAIN = "northbridge.example"
OS = ["Debian 12", "Ubuntu 22.04", "Windows Server 2022", "Red Hat Enterprise Linux 9"]

# code, name, description, attributes (name, label, kind, required, choices)
TYPES: list[tuple[str, str, str, list[tuple[str, str, str, bool, list[str]]]]] = [
    (
        "LOCATION",
        "Location",
        "A data centre, server room, office or cloud region where things run.",
        [
            ("address", "Address", "text", True, []),
            ("kind", "Kind of location", "choice", True, ["data centre", "server room", "office", "cloud region"]),
            ("tier", "Tier", "choice", False, ["I", "II", "III", "IV"]),
            ("floor_space_m2", "Floor space (m²)", "integer", False, []),
        ],
    ),
    (
        "NETLINK",
        "Network link",
        "A connection between locations or to the internet.",
        [
            ("bandwidth_mbps", "Bandwidth (Mbit/s)", "integer", True, []),
            ("provider", "Provider", "text", False, []),
            ("redundant", "Redundant", "boolean", False, []),
            ("contract_end", "Contract ends", "date", False, []),
        ],
    ),
    (
        "SERVER",
        "Server",
        "Physical hardware: hypervisor hosts, storage arrays, backup and network appliances.",
        [
            ("role", "Role", "choice", True, ["hypervisor", "storage", "backup", "network"]),
            ("cpu_cores", "CPU cores", "integer", False, []),
            ("ram_gb", "RAM (GB)", "integer", False, []),
            ("serial", "Serial number", "text", False, []),
            ("warranty_until", "Warranty until", "date", False, []),
        ],
    ),
    (
        "VM",
        "Virtual machine",
        "A virtual server on a hypervisor host.",
        [
            ("vcpus", "Virtual CPUs", "integer", True, []),
            ("ram_gb", "RAM (GB)", "integer", True, []),
            ("os", "Operating system", "choice", True, OS),
            ("environment", "Environment", "choice", True, ["production", "acceptance", "test"]),
        ],
    ),
    (
        "DATABASE",
        "Database",
        "A database (instance and schema) an application keeps its data in.",
        [
            ("engine", "Engine", "choice", True, ["PostgreSQL", "Oracle", "Microsoft SQL Server", "MariaDB"]),
            ("version", "Version", "text", False, []),
            ("size_gb", "Size (GB)", "decimal", False, []),
            ("backed_up", "Backed up", "boolean", False, []),
        ],
    ),
    (
        "APPLICATION",
        "Application",
        "Software the organisation runs or subscribes to.",
        [
            ("vendor", "Vendor", "text", False, []),
            ("version", "Version", "text", False, []),
            ("licences", "Licences", "integer", False, []),
            ("criticality", "Criticality", "choice", True, ["low", "medium", "high", "critical"]),
            ("support_end", "Vendor support ends", "date", False, []),
        ],
    ),
    (
        "WORKPLACE",
        "Workplace",
        "A laptop with its docking station, as handed out to a colleague.",
        [
            ("model", "Model", "text", True, []),
            ("serial", "Serial number", "text", False, []),
            ("purchased", "Purchased on", "date", False, []),
            ("assigned_to", "Assigned to", "text", False, []),
        ],
    ),
]

# type, identifier, name, domain, status, owner team, owner (email local part), attributes
ITEMS: list[tuple[str, str, str, str, str, str, str, dict[str, Any]]] = [
    # locations
    (
        "LOCATION",
        "dc-ams1",
        "Data centre Amsterdam-1",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"address": "Science Park 610, Amsterdam", "kind": "data centre", "tier": "III", "floor_space_m2": 120},
    ),
    (
        "LOCATION",
        "dc-ams2",
        "Data centre Amsterdam-2",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"address": "Kuiperbergweg 13, Amsterdam", "kind": "data centre", "tier": "III", "floor_space_m2": 60},
    ),
    (
        "LOCATION",
        "cloud-we",
        "Cloud region West Europe",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"address": "Microsoft Azure, West Europe", "kind": "cloud region"},
    ),
    (
        "LOCATION",
        "hq",
        "Head office Northbridge",
        "FAC",
        "in_use",
        "FS",
        "pieter.vandam",
        {"address": "Stationsplein 1, Utrecht", "kind": "office", "floor_space_m2": 8400},
    ),
    (
        "LOCATION",
        "rtm",
        "Office Rotterdam",
        "FAC",
        "in_use",
        "FS",
        "maja.lund",
        {"address": "Coolsingel 40, Rotterdam", "kind": "office", "floor_space_m2": 1900},
    ),
    # network links
    (
        "NETLINK",
        "lnk-hq-dc1",
        "Fibre head office – DC1",
        "IT",
        "in_use",
        "NET",
        "sven.karlsson",
        {"bandwidth_mbps": 10000, "provider": "Eurofiber", "redundant": True, "contract_end": "2028-06-30"},
    ),
    (
        "NETLINK",
        "lnk-rtm-dc1",
        "WAN Rotterdam – DC1",
        "IT",
        "in_use",
        "NET",
        "sven.karlsson",
        {"bandwidth_mbps": 1000, "provider": "KPN", "redundant": False, "contract_end": "2027-03-31"},
    ),
    (
        "NETLINK",
        "lnk-dc1-dc2",
        "Dark fibre DC1 – DC2",
        "IT",
        "in_use",
        "NET",
        "bram.mulder",
        {"bandwidth_mbps": 40000, "provider": "Eurofiber", "redundant": True},
    ),
    (
        "NETLINK",
        "lnk-inet-dc1",
        "Internet uplink DC1",
        "IT",
        "in_use",
        "NET",
        "bram.mulder",
        {"bandwidth_mbps": 10000, "provider": "SURF", "redundant": True},
    ),
    # servers
    (
        "SERVER",
        "esx01",
        "Hypervisor host esx01",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"role": "hypervisor", "cpu_cores": 64, "ram_gb": 1024, "serial": "CZ2231A0KX", "warranty_until": "2028-01-31"},
    ),
    (
        "SERVER",
        "esx02",
        "Hypervisor host esx02",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"role": "hypervisor", "cpu_cores": 64, "ram_gb": 1024, "serial": "CZ2231A0KY", "warranty_until": "2028-01-31"},
    ),
    (
        "SERVER",
        "esx03",
        "Hypervisor host esx03",
        "IT",
        "maintenance",
        "NET",
        "liam.oconnor",
        {"role": "hypervisor", "cpu_cores": 48, "ram_gb": 768, "serial": "CZ2108B1QP", "warranty_until": "2026-09-30"},
    ),
    (
        "SERVER",
        "esx04",
        "Hypervisor host esx04",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"role": "hypervisor", "cpu_cores": 64, "ram_gb": 1024, "serial": "CZ2231A0LB", "warranty_until": "2028-01-31"},
    ),
    (
        "SERVER",
        "san01",
        "Shared storage array san01",
        "IT",
        "in_use",
        "NET",
        "marco.rossi",
        {"role": "storage", "serial": "NS-77120-A", "warranty_until": "2027-12-31"},
    ),
    ("SERVER", "bak01", "Backup appliance bak01", "IT", "in_use", "NET", "marco.rossi", {"role": "backup", "ram_gb": 256}),
    ("SERVER", "core-sw01", "Core switch DC1", "IT", "in_use", "NET", "sven.karlsson", {"role": "network"}),
    ("SERVER", "wlc01", "Wi-Fi controller head office", "IT", "in_use", "NET", "sven.karlsson", {"role": "network"}),
    # virtual machines
    (
        "VM",
        "vm-erp-app01",
        "ERP application server",
        "IT",
        "in_use",
        "APP",
        "priya.raman",
        {"vcpus": 8, "ram_gb": 32, "os": "Red Hat Enterprise Linux 9", "environment": "production"},
    ),
    (
        "VM",
        "vm-erp-db01",
        "ERP database server",
        "IT",
        "in_use",
        "APP",
        "priya.raman",
        {"vcpus": 16, "ram_gb": 128, "os": "Red Hat Enterprise Linux 9", "environment": "production"},
    ),
    (
        "VM",
        "vm-mail01",
        "Mail server 1",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vcpus": 8, "ram_gb": 64, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-mail02",
        "Mail server 2",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vcpus": 8, "ram_gb": 64, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-hr-app01",
        "HR application server",
        "IT",
        "in_use",
        "APP",
        "noor.smit",
        {"vcpus": 4, "ram_gb": 16, "os": "Debian 12", "environment": "production"},
    ),
    (
        "VM",
        "vm-hr-db01",
        "HR database server",
        "IT",
        "in_use",
        "APP",
        "noor.smit",
        {"vcpus": 4, "ram_gb": 32, "os": "Debian 12", "environment": "production"},
    ),
    (
        "VM",
        "vm-file01",
        "File server",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vcpus": 4, "ram_gb": 16, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-ad01",
        "Domain controller 1",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vcpus": 2, "ram_gb": 8, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-ad02",
        "Domain controller 2",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vcpus": 2, "ram_gb": 8, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-itsm01",
        "Service desk tool server",
        "IT",
        "in_use",
        "APP",
        "oskar.nilsson",
        {"vcpus": 4, "ram_gb": 16, "os": "Ubuntu 22.04", "environment": "production"},
    ),
    (
        "VM",
        "vm-booking01",
        "Room booking server",
        "IT",
        "in_use",
        "APP",
        "oskar.nilsson",
        {"vcpus": 2, "ram_gb": 8, "os": "Windows Server 2022", "environment": "production"},
    ),
    (
        "VM",
        "vm-intranet01",
        "Intranet server",
        "IT",
        "in_use",
        "APP",
        "tom.hendriks",
        {"vcpus": 2, "ram_gb": 8, "os": "Debian 12", "environment": "production"},
    ),
    # databases
    (
        "DATABASE",
        "db-erp",
        "ERP database",
        "IT",
        "in_use",
        "APP",
        "priya.raman",
        {"engine": "Oracle", "version": "19c", "size_gb": "850.5", "backed_up": True},
    ),
    (
        "DATABASE",
        "db-hr",
        "HR database",
        "IT",
        "in_use",
        "APP",
        "noor.smit",
        {"engine": "PostgreSQL", "version": "15", "size_gb": "120", "backed_up": True},
    ),
    (
        "DATABASE",
        "db-itsm",
        "Service desk database",
        "IT",
        "in_use",
        "APP",
        "oskar.nilsson",
        {"engine": "PostgreSQL", "version": "15", "size_gb": "40", "backed_up": True},
    ),
    (
        "DATABASE",
        "db-booking",
        "Room booking database",
        "IT",
        "in_use",
        "APP",
        "oskar.nilsson",
        {"engine": "Microsoft SQL Server", "version": "2019", "size_gb": "6.2", "backed_up": False},
    ),
    # applications
    (
        "APPLICATION",
        "app-erp",
        "Finance ERP",
        "IT",
        "in_use",
        "APP",
        "priya.raman",
        {"vendor": "Oracle", "version": "12.2", "licences": 180, "criticality": "critical", "support_end": "2030-12-31"},
    ),
    (
        "APPLICATION",
        "app-mail",
        "E-mail and calendar",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vendor": "Microsoft", "version": "Exchange 2019", "licences": 1450, "criticality": "critical"},
    ),
    (
        "APPLICATION",
        "app-hr",
        "HR suite",
        "HR",
        "in_use",
        "HRS",
        "claire.dubois",
        {"vendor": "AFAS", "version": "2026.1", "licences": 60, "criticality": "high"},
    ),
    (
        "APPLICATION",
        "app-files",
        "File service",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vendor": "Microsoft", "criticality": "high"},
    ),
    (
        "APPLICATION",
        "app-ad",
        "Directory (Active Directory)",
        "IT",
        "in_use",
        "NET",
        "liam.oconnor",
        {"vendor": "Microsoft", "criticality": "critical"},
    ),
    (
        "APPLICATION",
        "app-itsm",
        "Service desk tool",
        "IT",
        "in_use",
        "SMO",
        "daan.visser",
        {"vendor": "Regie", "criticality": "high"},
    ),
    (
        "APPLICATION",
        "app-booking",
        "Room booking",
        "FAC",
        "in_use",
        "FS",
        "pieter.vandam",
        {"vendor": "Planon", "version": "2025", "licences": 25, "criticality": "medium"},
    ),
    (
        "APPLICATION",
        "app-intranet",
        "Intranet",
        "IT",
        "planned",
        "APP",
        "tom.hendriks",
        {"vendor": "Drupal", "version": "11", "criticality": "medium"},
    ),
    # workplaces
    (
        "WORKPLACE",
        "NB-LT-0101",
        "Laptop NB-LT-0101",
        "IT",
        "in_use",
        "WP",
        "emma.dejong",
        {"model": "Latitude 7450", "serial": "7XK2Q34", "purchased": "2025-03-12", "assigned_to": "Sanne de Vries"},
    ),
    (
        "WORKPLACE",
        "NB-LT-0102",
        "Laptop NB-LT-0102",
        "IT",
        "in_use",
        "WP",
        "emma.dejong",
        {"model": "Latitude 7450", "serial": "7XK2Q35", "purchased": "2025-03-12", "assigned_to": "Fatima El Amrani"},
    ),
    (
        "WORKPLACE",
        "NB-LT-0103",
        "Laptop NB-LT-0103",
        "IT",
        "in_use",
        "WP",
        "emma.dejong",
        {"model": "Latitude 5450", "serial": "9PL0M12", "purchased": "2024-09-02", "assigned_to": "Johan Berg"},
    ),
    (
        "WORKPLACE",
        "NB-LT-0104",
        "Laptop NB-LT-0104",
        "IT",
        "maintenance",
        "WP",
        "kevin.peeters",
        {"model": "Latitude 5450", "serial": "9PL0M13", "purchased": "2024-09-02"},
    ),
    ("WORKPLACE", "NB-LT-0105", "Laptop NB-LT-0105", "IT", "planned", "WP", "kevin.peeters", {"model": "Latitude 7450"}),
]

# source, kind, target
RELATIONS: list[tuple[str, str, str]] = [
    ("lnk-hq-dc1", "depends_on", "dc-ams1"),
    ("lnk-hq-dc1", "connected_to", "hq"),
    ("lnk-rtm-dc1", "depends_on", "dc-ams1"),
    ("lnk-rtm-dc1", "connected_to", "rtm"),
    ("lnk-dc1-dc2", "depends_on", "dc-ams1"),
    ("lnk-dc1-dc2", "depends_on", "dc-ams2"),
    ("lnk-inet-dc1", "depends_on", "dc-ams1"),
    ("esx01", "runs_on", "dc-ams1"),
    ("esx02", "runs_on", "dc-ams1"),
    ("esx03", "runs_on", "dc-ams1"),
    ("esx04", "runs_on", "dc-ams2"),
    ("san01", "runs_on", "dc-ams1"),
    ("bak01", "runs_on", "dc-ams2"),
    ("core-sw01", "runs_on", "dc-ams1"),
    ("wlc01", "runs_on", "hq"),
    ("wlc01", "depends_on", "lnk-hq-dc1"),
    ("esx01", "depends_on", "san01"),
    ("esx02", "depends_on", "san01"),
    ("esx03", "depends_on", "san01"),
    ("esx01", "depends_on", "core-sw01"),
    ("esx02", "depends_on", "core-sw01"),
    ("esx03", "depends_on", "core-sw01"),
    ("bak01", "connected_to", "san01"),
    ("vm-erp-app01", "runs_on", "esx01"),
    ("vm-erp-db01", "runs_on", "esx02"),
    ("vm-mail01", "runs_on", "esx01"),
    ("vm-mail02", "runs_on", "esx04"),
    ("vm-hr-app01", "runs_on", "esx02"),
    ("vm-hr-db01", "runs_on", "esx03"),
    ("vm-file01", "runs_on", "esx03"),
    ("vm-ad01", "runs_on", "esx01"),
    ("vm-ad02", "runs_on", "esx04"),
    ("vm-itsm01", "runs_on", "esx02"),
    ("vm-booking01", "runs_on", "esx03"),
    ("vm-intranet01", "runs_on", "esx04"),
    ("db-erp", "runs_on", "vm-erp-db01"),
    ("db-hr", "runs_on", "vm-hr-db01"),
    ("db-itsm", "runs_on", "vm-itsm01"),
    ("db-booking", "runs_on", "vm-booking01"),
    ("app-erp", "runs_on", "vm-erp-app01"),
    ("app-erp", "depends_on", "db-erp"),
    ("app-erp", "depends_on", "app-ad"),
    ("app-mail", "runs_on", "vm-mail01"),
    ("app-mail", "runs_on", "vm-mail02"),
    ("app-mail", "depends_on", "app-ad"),
    ("app-hr", "runs_on", "vm-hr-app01"),
    ("app-hr", "depends_on", "db-hr"),
    ("app-hr", "depends_on", "app-ad"),
    ("app-files", "runs_on", "vm-file01"),
    ("app-files", "depends_on", "app-ad"),
    ("app-ad", "runs_on", "vm-ad01"),
    ("app-ad", "runs_on", "vm-ad02"),
    ("app-itsm", "runs_on", "vm-itsm01"),
    ("app-itsm", "depends_on", "db-itsm"),
    ("app-itsm", "depends_on", "app-mail"),
    ("app-booking", "runs_on", "vm-booking01"),
    ("app-booking", "depends_on", "db-booking"),
    ("app-booking", "depends_on", "app-ad"),
    ("app-intranet", "runs_on", "vm-intranet01"),
    ("NB-LT-0101", "depends_on", "app-ad"),
    ("NB-LT-0102", "depends_on", "app-ad"),
    ("NB-LT-0103", "depends_on", "app-ad"),
    ("NB-LT-0104", "depends_on", "app-ad"),
    ("NB-LT-0101", "connected_to", "wlc01"),
    ("NB-LT-0102", "connected_to", "wlc01"),
]

# service code, identifiers of the items that support it
SUPPORTS: list[tuple[str, list[str]]] = [
    ("WORKPLACE", ["app-mail", "app-files", "app-ad", "app-intranet", "NB-LT-0101", "NB-LT-0102", "NB-LT-0103", "NB-LT-0104"]),
    ("NETWORK", ["lnk-hq-dc1", "lnk-rtm-dc1", "lnk-dc1-dc2", "lnk-inet-dc1", "core-sw01", "wlc01"]),
    ("SERVICEDESK", ["app-itsm"]),
    ("ONBOARDING", ["app-hr", "app-ad"]),
    ("ROOMS", ["app-booking"]),
]


def load(write: Callable[[str], Any]) -> None:
    if not Domain.objects.filter(code="IT").exists():
        return
    domains = {d.code: d for d in Domain.objects.all()}
    teams = {t.code: t for t in Team.objects.all()}
    people = {(p.email or "").split("@")[0]: p for p in Person.objects.filter(email__endswith=f"@{DOMAIN}")}
    people["marco.rossi"] = Person.objects.filter(given_name="Marco", family_name="Rossi").first() or people["liam.oconnor"]
    types: dict[str, ItemType] = {}
    for code, name, description, definitions in TYPES:
        item_type = ItemType.objects.filter(code=code).first()
        if item_type is None:
            item_type = ItemType(
                code=code,
                name=name,
                description=description,
                attributes=[
                    {"name": n, "label": label, "kind": kind, "required": required, **({"choices": choices} if choices else {})}
                    for n, label, kind, required, choices in definitions
                ],
            )
            item_type.full_clean()
            item_type.save()
        types[code] = item_type
    items: dict[str, ConfigurationItem] = {}
    for type_code, identifier, name, domain, status, team, owner, values in ITEMS:
        item = ConfigurationItem.objects.filter(item_type=types[type_code], identifier=identifier).first()
        if item is None:
            item = ConfigurationItem(
                item_type=types[type_code],
                identifier=identifier,
                name=name,
                domain=domains[domain],
                status=status,
                owner_team=teams.get(team),
                owner_person=people.get(owner),
                attributes=values,
            )
            item.full_clean()
            item.save()
        items[identifier] = item
    with reach.deferred():  # what rests on what, computed once for the whole estate
        for source, kind, target in RELATIONS:
            relation, created = Relation.objects.get_or_create(source=items[source], target=items[target], kind=kind)
            if created:
                relation.written(created=True)
    for service_code, identifiers in SUPPORTS:
        service = Service.objects.filter(code=service_code).first()
        if service is None:
            continue
        for identifier in identifiers:
            ServiceItem.objects.get_or_create(item=items[identifier], service=service)
    write(
        f"Configuration register: {ConfigurationItem.objects.count()} items of {ItemType.objects.count()} types, "
        f"{Relation.objects.count()} relations."
    )
