"""The table of what rests on what (``Reach``) stays equal to what a walk over the relations finds, through
any sequence of changes: relations added, re-pointed, re-kinded, archived and restored, items archived
and restored, an import; and a change of a note alone leaves it untouched."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regie.configuration import reach, selectors
from regie.configuration.models import Reach, Relation
from regie.configuration.tests.conftest import make_item, relate, support
from regie.services.models import Service

pytestmark = pytest.mark.django_db


def _table() -> set[tuple[int, int, int]]:
    rows = list(Reach.objects.values_list("up_id", "down_id", "depth", "down_type_id", "down__item_type_id"))
    assert all(kept == actual for *_pair, kept, actual in rows), "a row carries another type than its item's"
    return {row[:3] for row in rows}


def _assert_table_is_what_a_walk_finds(items: list) -> None:
    for item in items:
        item.refresh_from_db()
        if item.is_archived:
            assert not Reach.objects.filter(up=item).exists()
            continue
        for depth in (2, selectors.MAX_DEPTH_LIMIT):
            read = selectors.closure(item.pk, depth_limit=depth, cap=None, services=True, live_root=True)
            walked = selectors.closure(item.pk, depth_limit=depth, cap=None, services=True)
            assert read == walked, f"{item} at depth {depth}"
    kept = _table()
    reach.rebuild()
    assert _table() == kept


def _try(step) -> bool:
    """Apply a change as the pages would: refused (a loop, a duplicate) changes nothing."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    try:
        with transaction.atomic():
            step()
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("seed", range(6))
def test_the_table_follows_every_change(org, server_type, app_type, seed):
    rng = random.Random(seed)
    items = [make_item(server_type if n < 6 else app_type, org.it, f"r{seed}-{n}") for n in range(12)]
    service = Service.objects.create(code=f"S{seed}", name="Service", domain=org.it, owner=org.person_a)
    for item in items[8:]:
        support(item, service)
    kinds = ["runs_on", "depends_on", "connected_to"]

    def add() -> None:
        source, target = rng.sample(items, 2)
        relation = Relation(source=source, target=target, kind=rng.choice(kinds))
        relation.full_clean()
        relation.save()
        relation.written(created=True)

    def relation_step(change) -> None:
        relations = list(Relation.objects.all())
        if relations:
            relation = rng.choice(relations)
            change(relation)
            relation.full_clean()
            relation.save()
            relation.written(created=False)

    def archive_or_restore(relation: Relation) -> None:
        relation.archived_at = None if relation.archived_at else relation.created_at

    def rekind(relation: Relation) -> None:
        relation.kind = rng.choice(kinds)

    def repoint(relation: Relation) -> None:
        relation.target = rng.choice([i for i in items if i.pk != relation.source_id])

    def renote(relation: Relation) -> None:
        relation.note = f"note {rng.random()}"

    def item_step() -> None:
        item = rng.choice(items)
        item.refresh_from_db()
        item.archived_at = None if item.archived_at else item.created_at
        item.save()
        item.written(created=False)

    def retype() -> None:
        item = rng.choice(items)
        item.refresh_from_db()
        item.item_type = app_type if item.item_type_id == server_type.pk else server_type
        item.save()
        item.written(created=False)

    steps = [add, add, add, lambda: relation_step(archive_or_restore), lambda: relation_step(rekind)]
    steps += [lambda: relation_step(repoint), lambda: relation_step(renote), item_step, retype]
    applied = 0
    for _ in range(40):
        applied += _try(rng.choice(steps))
        _assert_table_is_what_a_walk_finds(items)
    assert applied > 20 and Reach.objects.exists()


def test_an_item_archived_leaves_every_impact_and_comes_back_when_restored(org, server_type):
    dc, host, vm = (make_item(server_type, org.it, name) for name in ("dc", "host", "vm"))
    relate(host, dc)
    relate(vm, host)
    assert _table() == {(dc.pk, host.pk, 1), (dc.pk, vm.pk, 2), (host.pk, vm.pk, 1)}
    host.archived_at = host.created_at
    host.save()
    host.written(created=False)
    assert _table() == set()  # the host is not reached, nor walked through; it keeps no rows of its own
    host.archived_at = None
    host.save()
    host.written(created=False)
    assert _table() == {(dc.pk, host.pk, 1), (dc.pk, vm.pk, 2), (host.pk, vm.pk, 1)}


def test_a_note_changes_nothing_and_costs_no_walk(org, server_type):
    dc, host = make_item(server_type, org.it, "dc"), make_item(server_type, org.it, "host")
    relation = relate(host, dc)
    relation = Relation.objects.get(pk=relation.pk)
    relation.note = "Rack 12"
    with CaptureQueriesContext(connection) as queries:
        relation.save()
        relation.written(created=False)
    assert not any("WITH RECURSIVE" in q["sql"] for q in queries)
    assert _table() == {(dc.pk, host.pk, 1)}


def test_a_deferred_block_computes_each_root_once_at_its_end(org, server_type):
    dc = make_item(server_type, org.it, "dc")
    hosts = [make_item(server_type, org.it, f"h{n}") for n in range(5)]
    with CaptureQueriesContext(connection) as queries, reach.deferred():
        for host in hosts:
            relate(host, dc)
        assert _table() == set()  # not yet
    assert _table() == {(dc.pk, host.pk, 1) for host in hosts}
    assert sum("INSERT INTO" in q["sql"] and "configuration_reach" in q["sql"] for q in queries) == 1


def test_a_failed_deferred_block_computes_nothing(org, server_type):
    dc, host = make_item(server_type, org.it, "dc"), make_item(server_type, org.it, "host")
    with pytest.raises(RuntimeError), reach.deferred():
        relate(host, dc)
        raise RuntimeError("the import was refused")
    # The relation row stays here (no transaction in this test), but the block's changes were dropped;
    # the next change computes the root again from what is there.
    assert _table() == set()
    relate(make_item(server_type, org.it, "vm"), host)
    assert (dc.pk, host.pk, 1) in _table()


def test_an_import_leaves_the_table_as_a_walk_finds_it(org, server_type):
    from regie.configuration import services

    dc = make_item(server_type, org.it, "dc")
    rows = [
        {"type": "SERVER", "identifier": f"host{n}", "name": f"Host {n}", "domain": org.it.code, "ram_gb": "64"} for n in range(3)
    ]

    def relation(source: str, kind: str, target: str) -> dict[str, str]:
        return {
            "source_type": "SERVER",
            "source_identifier": source,
            "kind": kind,
            "target_type": "SERVER",
            "target_identifier": target,
        }

    relations = [relation(f"host{n}", "runs_on", "dc") for n in range(3)] + [relation("host1", "depends_on", "host0")]
    services.items_import(actor=org.users["cm_it"], item_rows=rows, relation_rows=relations)
    hosts = {item.identifier: item.pk for item in type(dc).objects.filter(identifier__startswith="host")}
    assert _table() == {
        (dc.pk, hosts["host0"], 1),
        (dc.pk, hosts["host1"], 1),
        (dc.pk, hosts["host2"], 1),
        (hosts["host0"], hosts["host1"], 1),
    }


def test_the_pages_and_the_api_keep_the_table(org, server_type):
    """Through the services every page and endpoint uses: a relation added by the API, an item archived
    and restored on its page."""
    import json

    dc, host = make_item(server_type, org.it, "dc"), make_item(server_type, org.it, "host")
    client = org.client_for("cm_it")
    added = client.post(
        "/api/configuration-relations/",
        json.dumps({"source": host.pk, "target": dc.pk, "kind": "runs_on"}),
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert _table() == {(dc.pk, host.pk, 1)}
    assert client.post(f"/configuration-items/{host.pk}/archive/").status_code == 302
    assert _table() == set()
    assert client.post(f"/configuration-items/{host.pk}/archive/", {"restore": "1"}).status_code == 302
    assert _table() == {(dc.pk, host.pk, 1)}
