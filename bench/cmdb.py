"""How fast is the impact of a configuration item on a large register, and a service's page? A self-contained benchmark.

What is measured
    On a fresh database (bulk-loaded, then ``VACUUM ANALYZE``, ``ANALYZE`` on SQLite), a register of
    200,000 configuration items and 600,000 relations, built as a real estate is, in ten regions of
    20,000 items each:

    * 4 locations per region (three data centres or server rooms of different sizes and a cloud region)
      and 196 network links, each depending on one or two of them;
    * 800 servers: 750 hypervisor hosts, 20 shared storage arrays and 30 switches, each running in a
      location (the largest data centre holds half of them); every host depends on a storage array and a
      switch of its location;
    * 7,000 virtual machines on the hosts (a few hosts carry many: the fan-in of a real estate), a fifth
      with a second volume on a storage array, each connected to a network link;
    * 3,000 databases and middleware on the virtual machines (a third clustered over a second one in the
      same location);
    * 2,500 applications, each living mostly in one location: running on one to three virtual machines
      and using one or two databases there, and, on average, 1.5 other applications in three tiers (50
      shared "hub" applications per region — the directory, the file service, the message bus — run in
      both data centres and use none; a first tier uses hubs; a second uses hubs and the first tier; a
      third of the hubs used are region 1's, which every region shares); each is also connected to two
      applications (informational);
    * 6,500 workplaces depending on an office switch in the server room, connected to the server room
      and to a link;
    * 3,000 services (300 per region, 1–5 customer units each of 200), supported by the applications
      (1.3 services each), the workplaces (one of five workplace services) and the links.

    Django's test client (in this process, no HTTP server) requests, as a configuration manager on the
    domain:

    * the impact of region 1's largest data centre ``GET /api/configuration-items/<id>/impact`` and its
      impact page ``/configuration-items/<id>/impact/`` (every item, service and customer it reaches,
      transitively: about a third of the register at full size);
    * the impact API and page of a shared storage array of that data centre;
    * a service's page ``/services/<id>/`` (a workplace service with a few thousand supporting items);
    * an application's page (what it rests on) and the list of virtual machines (informational);
    * a write (informational): a virtual machine of the data centre moved to another host and back, which
      makes the table of what rests on what (``regie.configuration.reach``) compute the data centre's
      rows again;
    * a baseline measured in the same run: the impact walk over the relations (``selectors.closure``
      without the table), no request.

    The bulk load bypasses the models, so the table of what rests on what is built after it
    (``reach.rebuild``); its size and the time that took are reported.

    After a warm-up that is not counted, the requests run in interleaved rounds (``--runs``, 30 by
    default); reported per request: the median and p95 (ms), and the SQL queries of one request.
    Everything is measured first with one region (a tenth of the register), then the other nine are
    added and it is measured again, so that the query counts at both sizes stand side by side.

Targets (exit code 0 when all pass, 1 otherwise)
    * every request makes the same number of SQL queries with one region and with ten;
    * the p95 of every impact request (API and page, data centre and storage array) is at most 100 ms;
    * the p95 of the service page is at most 200 ms.
    When a target fails, the slowest SQL statements are printed with their plan; ``--explain`` prints
    them always.

Reproduce
    .venv/bin/python bench/cmdb.py                           # SQLite file in a temporary directory
    .venv/bin/python bench/cmdb.py --database-url postgres://postgres@127.0.0.1:5432/regie_bench_cmdb

    Options: ``--regions 10 --runs 30``, ``--explain``, ``--keep``. Without ``--database-url`` the benchmark
    reads ``DATABASE_URL``. The PostgreSQL database named in the URL (local, its name must contain "bench")
    is dropped and created again, and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.portfolio import (  # noqa: E402
    Measured,
    Request,
    _bulk_scopes,
    check_database_url,
    explain,
    measure,
    page_rows,
    run_at_two_sizes,
    shorten,
    table,
)

SEED = 20261203
TARGET_IMPACT_MS = 100.0
TARGET_SERVICE_MS = 200.0
SERVICES_PER_REGION = 300
UNITS = 200
PEOPLE = 300

TYPES = [
    ("LOCATION", "Location", [{"name": "kind", "label": "Kind", "kind": "text"}]),
    ("NETLINK", "Network link", [{"name": "bandwidth_mbps", "label": "Bandwidth (Mbit/s)", "kind": "integer"}]),
    (
        "SERVER",
        "Server",
        [
            {"name": "role", "label": "Role", "kind": "choice", "choices": ["hypervisor", "storage", "network"]},
            {"name": "ram_gb", "label": "RAM (GB)", "kind": "integer"},
        ],
    ),
    (
        "VM",
        "Virtual machine",
        [{"name": "vcpus", "label": "vCPUs", "kind": "integer"}, {"name": "ram_gb", "label": "RAM", "kind": "integer"}],
    ),
    ("DATABASE", "Database", [{"name": "engine", "label": "Engine", "kind": "text"}]),
    ("APPLICATION", "Application", [{"name": "criticality", "label": "Criticality", "kind": "text"}]),
    ("WORKPLACE", "Workplace", [{"name": "model", "label": "Model", "kind": "text"}]),
]
ENGINES = ["PostgreSQL", "Oracle", "Microsoft SQL Server", "MariaDB", "RabbitMQ", "Tomcat"]
MODELS = ["Latitude 7450", "Latitude 5450", "EliteBook 840", "ThinkPad T14"]


@dataclass
class World:
    domain: Any
    types: dict[str, Any]
    units: list[int]
    people: list[int]
    global_hubs: list[int] = field(default_factory=list)
    services: list[int] = field(default_factory=list)
    regions: int = 0
    # what is measured (region 1's)
    data_centre: int = 0
    storage: int = 0
    application: int = 0
    workplace_service: int = 0
    reach_rows: int = 0
    reach_seconds: float = 0.0


def populate_base() -> World:
    """The domain, the types, the customer units, the service owners and the measuring user."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from regie.configuration.models import ItemType
    from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Scope

    with transaction.atomic():
        Scope.root()
        domain = Domain(code="IT", name="Information technology")
        domain.save()
        top = OrgUnit(code="NB", name="Northbridge")
        top.save()
        scopes = _bulk_scopes("org_unit", [f"Unit {n:03}" for n in range(UNITS)], [top.scope_id] * UNITS)
        units = OrgUnit.objects.bulk_create(
            [OrgUnit(code=f"U{n:03}", name=f"Unit {n:03}", parent=top, scope=scope) for n, scope in enumerate(scopes)]
        )
        people = Person.objects.bulk_create(
            [
                Person(given_name=f"Owner{n}", family_name="Bench", email=f"owner{n}@northbridge.example", org_unit=top)
                for n in range(PEOPLE)
            ]
        )
        types = {}
        for code, name, attributes in TYPES:
            item_type = ItemType(code=code, name=name, attributes=attributes)
            item_type.full_clean()
            item_type.save()
            types[code] = item_type
        user = get_user_model()(username="bench-configuration-manager")
        user.set_unusable_password()
        user.save()
        person = Person.objects.create(given_name="Cora", family_name="Bench", user=user, org_unit=top)
        RoleAssignment.objects.create(person=person, role="configuration_manager", scope=domain.scope)
    return World(domain=domain, types=types, units=[u.pk for u in units], people=[p.pk for p in people])


class Loader:
    """Bulk writes: ``bulk_create`` in large batches, ``COPY`` for the relations on PostgreSQL."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.now = timezone.now()

    def items(self, world: World, type_code: str, rows: list[tuple[str, str, dict[str, Any]]]) -> list[int]:
        from regie.configuration.models import ConfigurationItem

        item_type = world.types[type_code]
        objects = [
            ConfigurationItem(
                item_type=item_type,
                identifier=identifier,
                name=name,
                domain=world.domain,
                status="in_use",
                attributes=attributes,
                created_at=self.now,
            )
            for identifier, name, attributes in rows
        ]
        return [o.pk for o in ConfigurationItem.objects.bulk_create(objects, batch_size=5000)]

    def relations(self, rows: list[tuple[int, str, int]]) -> None:
        from django.db import connection

        from regie.configuration.models import Relation

        if connection.vendor == "postgresql":
            table_name = Relation._meta.db_table
            with connection.cursor() as cursor:
                columns = "(created_at, updated_at, version, source_id, kind, target_id, note)"
                with cursor.copy(f"COPY {table_name} {columns} FROM STDIN") as copy:
                    for source, kind, target in rows:
                        copy.write_row((self.now, self.now, 1, source, kind, target, ""))
            return
        Relation.objects.bulk_create(
            [Relation(source_id=s, kind=k, target_id=t, created_at=self.now) for s, k, t in rows], batch_size=10000
        )

    def supports(self, rows: list[tuple[int, int]]) -> None:
        from regie.configuration.models import ServiceItem

        ServiceItem.objects.bulk_create(
            [ServiceItem(item_id=i, service_id=s, created_at=self.now) for i, s in rows], batch_size=10000
        )


def add_region(world: World, loader: Loader, region: int) -> dict[str, int]:
    """One region's estate: 20,000 items and about 59,000 relations (its own seeded generator)."""
    from django.db import transaction

    from regie.services.models import Service

    rng = random.Random(f"{SEED}-{region}")
    tag = f"r{region:02}"
    relations: list[tuple[int, str, int]] = []
    supports: list[tuple[int, int]] = []
    with transaction.atomic():
        # services of the region, with their customers
        names = [f"Service {tag}-{n:03}" for n in range(SERVICES_PER_REGION)]
        scopes = _bulk_scopes("service", names, [world.domain.scope_id] * len(names))
        services = Service.objects.bulk_create(
            [
                Service(
                    code=f"S-{tag}-{n:03}",
                    name=name,
                    domain=world.domain,
                    owner_id=rng.choice(world.people),
                    status="live",
                    scope=scope,
                )
                for n, (name, scope) in enumerate(zip(names, scopes, strict=True))
            ]
        )
        through = Service.customers.through
        through.objects.bulk_create(
            [through(service_id=s.pk, orgunit_id=unit) for s in services for unit in rng.sample(world.units, rng.randint(1, 5))]
        )
        service_ids = [s.pk for s in services]
        world.services += service_ids
        workplace_services, network_service, other_services = service_ids[:5], service_ids[5], service_ids[6:]

        locations = loader.items(
            world,
            "LOCATION",
            [
                (f"{tag}-dc1", f"Data centre {tag}-1", {"kind": "data centre"}),
                (f"{tag}-dc2", f"Data centre {tag}-2", {"kind": "data centre"}),
                (f"{tag}-sr1", f"Server room {tag}", {"kind": "server room"}),
                (f"{tag}-cloud", f"Cloud region {tag}", {"kind": "cloud region"}),
            ],
        )
        location_weights = [50, 30, 15, 5]
        links = loader.items(
            world, "NETLINK", [(f"{tag}-lnk{n:03}", f"Link {tag}-{n:03}", {"bandwidth_mbps": 1000}) for n in range(196)]
        )
        for link in links:
            for location in set(rng.choices(locations, location_weights, k=rng.randint(1, 2))):
                relations.append((link, "depends_on", location))
            supports.append((link, network_service))

        host_places = rng.choices(range(4), location_weights, k=800)
        hosts = loader.items(
            world,
            "SERVER",
            [
                (
                    f"{tag}-srv{n:04}",
                    f"Server {tag}-{n:04}",
                    {"role": "storage" if n < 20 else "network" if n < 50 else "hypervisor", "ram_gb": 512},
                )
                for n in range(800)
            ],
        )
        storage_by_place: dict[int, list[int]] = {}
        switches_by_place: dict[int, list[int]] = {}
        place_of: dict[int, int] = {}
        for n, (host, place) in enumerate(zip(hosts, host_places, strict=True)):
            relations.append((host, "runs_on", locations[place]))
            place_of[host] = place
            if n < 20:
                storage_by_place.setdefault(place, []).append(host)
            elif n < 50:
                switches_by_place.setdefault(place, []).append(host)
        storage_all, switches_all = hosts[:20], hosts[20:50]
        hypervisors = hosts[50:]
        for host, place in zip(hypervisors, host_places[50:], strict=True):
            relations.append((host, "depends_on", rng.choice(storage_by_place.get(place) or storage_all)))
            relations.append((host, "depends_on", rng.choice(switches_by_place.get(place) or switches_all)))
        # A few hosts carry many machines: a skewed choice.
        host_weights = [rng.paretovariate(1.5) for _ in hypervisors]

        vms = loader.items(
            world,
            "VM",
            [(f"{tag}-vm{n:05}", f"VM {tag}-{n:05}", {"vcpus": rng.choice([2, 4, 8]), "ram_gb": 16}) for n in range(7000)],
        )
        vms_at: dict[int, list[int]] = {}
        for vm, host in zip(vms, rng.choices(hypervisors, host_weights, k=len(vms)), strict=True):
            place = place_of[host]
            place_of[vm] = place
            vms_at.setdefault(place, []).append(vm)
            relations.append((vm, "runs_on", host))
            if rng.random() < 0.2:
                relations.append((vm, "depends_on", rng.choice(storage_by_place.get(place) or storage_all)))
            relations.append((vm, "connected_to", rng.choice(links)))

        def near(pool: dict[int, list[int]], place: int, every: list[int]) -> list[int]:
            """Mostly from the same location (an application lives where its data lives)."""
            return pool.get(place) or every if rng.random() < 0.9 else every

        databases = loader.items(
            world,
            "DATABASE",
            [(f"{tag}-db{n:05}", f"Database {tag}-{n:05}", {"engine": rng.choice(ENGINES)}) for n in range(3000)],
        )
        dbs_at: dict[int, list[int]] = {}
        for database in databases:
            first = rng.choice(vms)
            place = place_of[first]
            dbs_at.setdefault(place, []).append(database)
            relations.append((database, "runs_on", first))
            if rng.random() < 0.3:
                second = rng.choice(vms_at[place])  # a cluster in the same location
                if second != first:
                    relations.append((database, "depends_on", second))

        applications = loader.items(
            world,
            "APPLICATION",
            [
                (f"{tag}-app{n:04}", f"Application {tag}-{n:04}", {"criticality": rng.choice(["low", "medium", "high"])})
                for n in range(2500)
            ],
        )
        hubs = applications[:50]  # the directory, the file service, the message bus ...
        if region == 0:
            world.global_hubs = hubs[:10]
        for index, app in enumerate(applications):
            if index < 50:
                # a hub runs redundantly in both data centres
                chosen = {rng.choice(vms_at.get(0) or vms), rng.choice(vms_at.get(1) or vms)}
            else:
                home = rng.choices(range(4), location_weights)[0]
                pool = near(vms_at, home, vms)
                chosen = set(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
                pool = near(dbs_at, home, databases)
                for database in set(rng.sample(pool, min(len(pool), rng.randint(1, 2)))):
                    relations.append((app, "depends_on", database))
            for vm in chosen:
                relations.append((app, "runs_on", vm))
            # Three tiers, so that the data, like the rules, has no cycle: the hubs use no application;
            # the first tier uses hubs; the second uses hubs and the first tier.
            used: set[int] = set()
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3]) if index >= 50 else 0):
                if rng.random() < 0.5 or index < 1000:
                    pool = world.global_hubs if rng.random() < 0.33 and region > 0 else hubs
                    used.add(rng.choice(pool))
                else:
                    used.add(rng.choice(applications[50:1000]))
            for other in used - {app}:
                relations.append((app, "depends_on", other))
            for _ in range(rng.choice([0, 1, 2, 3, 4])):
                other = rng.choice(applications)
                if other != app:
                    relations.append((app, "connected_to", other))
            for service in set(rng.choices(other_services, k=rng.choice([1, 1, 1, 2]))):
                supports.append((app, service))

        workplaces = loader.items(
            world,
            "WORKPLACE",
            [(f"{tag}-wp{n:05}", f"Laptop {tag}-{n:05}", {"model": rng.choice(MODELS)}) for n in range(6500)],
        )
        office_switches = switches_by_place.get(2) or switches_all  # the offices hang on the server room
        for workplace in workplaces:
            relations.append((workplace, "depends_on", rng.choice(office_switches)))
            relations.append((workplace, "connected_to", locations[2]))
            relations.append((workplace, "connected_to", rng.choice(links)))
            supports.append((workplace, rng.choice(workplace_services)))

        # pairs repeat now and then in a random estate; a relation is there once
        unique = list(dict.fromkeys(relations))
        loader.relations(unique)
        loader.supports(list(dict.fromkeys(supports)))
    if region == 0:
        world.data_centre = locations[0]
        dc_storage = storage_by_place.get(0) or storage_all
        world.storage = dc_storage[0]
        world.application = applications[-1]
        world.workplace_service = workplace_services[0]
    world.regions += 1
    return {"items": 20000, "relations": len(unique)}


def requests_for(world: World) -> list[Request]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from regie.configuration import selectors

    client = Client()
    client.force_login(get_user_model()._default_manager.get(username="bench-configuration-manager"))

    def get(path: str) -> Any:
        return lambda: page_rows(client.get(path))

    def api(path: str) -> Any:
        def call() -> int:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"bench: {path} answered HTTP {response.status_code}: {response.content[:300]!r}")
            return response.json()["total_items"]

        return call

    def bare() -> int:
        return selectors.closure(world.data_centre, services=True).total

    dc, storage = world.data_centre, world.storage
    vm_type = world.types["VM"].pk
    return [
        Request("impact_api_dc", "impact API, largest data centre", api(f"/api/configuration-items/{dc}/impact"), targeted=True),
        Request("impact_page_dc", "impact page, largest data centre", get(f"/configuration-items/{dc}/impact/"), targeted=True),
        Request(
            "impact_api_storage",
            "impact API, shared storage array",
            api(f"/api/configuration-items/{storage}/impact"),
            targeted=True,
        ),
        Request(
            "impact_page_storage",
            "impact page, shared storage array",
            get(f"/configuration-items/{storage}/impact/"),
            targeted=True,
        ),
        Request("service", "service page (workplace service)", get(f"/services/{world.workplace_service}/"), targeted=True),
        Request("item", "application page (what it rests on)", get(f"/configuration-items/{world.application}/")),
        Request("list", "list of virtual machines, 50 a page", get(f"/configuration-items/?item_type={vm_type}&per_page=50")),
        Request("bare", "baseline: the walk alone (data centre)", bare),
    ]


def vm_move(world: World) -> Callable[[], int]:
    """A write that changes the impact of the data centre: a virtual machine there moved from its host to
    another one and back on the next call, saved as a page saves it, in a transaction; the table of what
    rests on what follows (the hosts, what they rest on, the data centre). Returns the data centre's
    rows in that table."""
    from django.db import transaction

    from regie.configuration.models import Reach, Relation

    servers = Reach.objects.filter(up_id=world.data_centre, depth=1, down__item_type__code="SERVER")
    hosts = list(servers.values_list("down_id", flat=True).order_by("down_id")[:50])
    relation = Relation.objects.filter(kind="runs_on", target_id__in=hosts, source__item_type__code="VM").order_by("id").first()
    assert relation is not None, "no virtual machine runs on a server of the data centre"
    taken = set(Relation.objects.filter(source_id=relation.source_id).values_list("target_id", flat=True))
    targets = [relation.target_id, next(h for h in hosts if h not in taken)]

    def call() -> int:
        relation.target_id = targets[1] if relation.target_id == targets[0] else targets[0]
        with transaction.atomic():
            relation.save()
        return Reach.objects.filter(up_id=world.data_centre).count()

    return call


def data_summary(world: World) -> dict[str, Any]:
    from regie.configuration import selectors
    from regie.configuration.models import ConfigurationItem, Relation, ServiceItem
    from regie.services.models import Service

    dc = selectors.closure(world.data_centre, services=True)
    storage = selectors.closure(world.storage, services=True)
    return {
        "items": ConfigurationItem.objects.count(),
        "relations": Relation.objects.count(),
        "propagating": Relation.objects.filter(kind__in=["runs_on", "depends_on"]).count(),
        "supports": ServiceItem.objects.count(),
        "services": Service.objects.count(),
        "dc_items": dc.total,
        "dc_services": len(dc.service_ids),
        "storage_items": storage.total,
        "storage_services": len(storage.service_ids),
        "service_items": ServiceItem.objects.filter(service_id=world.workplace_service).count(),
        "reach_rows": world.reach_rows,
        "reach_seconds": world.reach_seconds,
    }


def report(
    options: argparse.Namespace,
    info: dict[str, Any],
    requests: list[Request],
    small: dict[str, Measured],
    full: dict[str, Measured],
) -> bool:
    from django.db import connection

    print()
    print("Regie configuration register benchmark")
    print(f"  database     {connection.vendor}")
    for label in ("small", "full"):
        d = info[label]
        print(
            f"  {label:12} {d['items']:,} items, {d['relations']:,} relations ({d['propagating']:,} runs on / depends on),"
            f" {d['services']:,} services, {d['supports']:,} supporting links; the data centre reaches {d['dc_items']:,} items"
            f" and {d['dc_services']:,} services, the storage array {d['storage_items']:,} items and"
            f" {d['storage_services']:,} services; the service page's service has {d['service_items']:,} items"
        )
    print(f"  loading      {info['load_seconds']:.0f} s in all")
    print(
        f"  reach table  {info['full']['reach_rows']:,} rows (what rests on what), built after the bulk load in"
        f" {info['full']['reach_seconds']:.1f} s"
    )
    print(f"  measured     median and p95 of {options.runs} interleaved runs per request (Django test client, in process)")
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {info['load_before']:.2f} before, {info['load_after']:.2f} after"
    )
    print()
    rows = [["request", "rows", "queries small", "queries full", "median ms", "p95 ms", "target"]]
    passed = True
    failing: list[str] = []
    for request in requests:
        s, f = small.get(request.key), full[request.key]
        target = ""
        if request.targeted:
            limit = TARGET_SERVICE_MS if request.key == "service" else TARGET_IMPACT_MS
            ok = s is not None and f.p95_ms() <= limit and s.count == f.count
            target = f"<= {limit:.0f} ms, same queries: {'PASS' if ok else 'FAIL'}"
            if not ok:
                passed = False
                failing.append(request.key)
        rows.append(
            [
                request.label,
                f"{f.rows:,}",
                str(s.count) if s else "–",
                str(f.count),
                f"{f.median_ms():.1f}",
                f"{f.p95_ms():.1f}",
                target,
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5}))
    for key in failing if not options.explain else [r.key for r in requests if r.targeted]:
        measured = full[key]
        slowest = sorted(measured.queries, key=lambda q: q["ms"], reverse=True)[:2]
        print(f"\n{key}: {measured.count} statements; the slowest:")
        for query in slowest:
            print(f"  {query['ms']:.1f} ms  {shorten(query['sql'], 300)}")
            for line in explain(query["sql"]):
                print("      " + line)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--regions", type=int, default=10, help="regions of 20,000 items (default 10)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args(argv)
    if options.regions < 2 or options.runs < 5:
        parser.error("need --regions >= 2 and --runs >= 5")
    check_database_url(parser, options.database_url)
    return options


def build_reach(world: World) -> None:
    """The bulk load bypasses the models, so the table of what rests on what is built afterwards, as
    after any bulk load; its time is reported."""
    from regie.configuration import reach
    from regie.configuration.models import Reach

    step = time.perf_counter()
    reach.rebuild()
    world.reach_seconds = time.perf_counter() - step
    world.reach_rows = Reach.objects.count()
    print(f"  what rests on what: {world.reach_rows:,} rows built in {world.reach_seconds:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    loader: list[Loader] = []
    worlds: list[World] = []

    def load_small() -> tuple[World, dict[str, int]]:
        world = populate_base()
        worlds.append(world)
        loader.append(Loader())
        loaded = add_region(world, loader[0], 0)
        build_reach(world)
        return world, loaded

    def load_rest(world: World) -> None:
        step = time.perf_counter()
        for region in range(1, options.regions):
            add_region(world, loader[0], region)
            print(f"  {region + 1} regions loaded ({time.perf_counter() - step:.0f} s)", flush=True)
        build_reach(world)

    def finish(info: dict[str, Any], requests: list[Request], small: dict[str, Measured], full: dict[str, Measured]) -> bool:
        # The write is measured after the reads, not between them: each one rewrites the data centre's
        # rows, and interleaved with the reads it would measure the table's churn rather than a read.
        write = Request("move", "a VM moved to another host (a write, after the reads)", vm_move(worlds[0]))
        return report(options, info, [*requests, write], small, full | measure([write], options.runs))

    return run_at_two_sizes(
        options,
        "regie-bench-cmdb-",
        load_small,
        load_rest,
        requests_for,
        data_summary,
        finish,
    )


if __name__ == "__main__":
    sys.exit(main())
