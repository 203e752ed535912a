"""The impact walk: transitive, each item once at its nearest level (a diamond), connections not
followed (a loop of them neither), the depth limit, archived records skipped, services and customers,
what a user may not see counted but not named, and a number of queries that does not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regie.configuration import selectors
from regie.configuration.tests.conftest import make_item, relate, support
from regie.core import services as core_services
from regie.services.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org, server_type, app_type):
    """location ← host ← vm1, vm2 ← db (on vm1) ← app (on vm2 and using db): a diamond; the app supports
    a service with customers; a loop of connections on the side."""
    it = org.it
    items = {
        "dc": make_item(server_type, it, "dc"),
        "host": make_item(server_type, it, "host"),
        "vm1": make_item(server_type, it, "vm1"),
        "vm2": make_item(server_type, it, "vm2"),
        "db": make_item(app_type, it, "db"),
        "app": make_item(app_type, it, "app"),
        "peer": make_item(server_type, it, "peer"),
    }
    relate(items["host"], items["dc"], "runs_on")
    relate(items["vm1"], items["host"], "runs_on")
    relate(items["vm2"], items["host"], "runs_on")
    relate(items["db"], items["vm1"], "runs_on")
    relate(items["app"], items["vm2"], "runs_on")
    relate(items["app"], items["db"], "depends_on")
    relate(items["peer"], items["dc"], "connected_to")
    relate(items["dc"], items["peer"], "connected_to")
    service = Service.objects.create(code="ERP", name="ERP", domain=it, owner=org.person_a)
    service.customers.set([org.unit_a, org.unit_b])
    support(items["app"], service)
    return items, service


def _ids(items, *names):
    return {items[n].pk for n in names}


def test_the_walk_is_transitive_and_each_item_comes_once_at_its_nearest_level(estate):
    items, service = estate
    walked = selectors.closure(items["dc"].pk, services=True)
    assert walked.depths == {
        items["host"].pk: 1,
        items["vm1"].pk: 2,
        items["vm2"].pk: 2,
        items["db"].pk: 3,
        items["app"].pk: 3,  # on vm2 (3), and through db (4): counted once, at 3
    }
    assert walked.total == 5 and not walked.capped
    assert walked.service_ids == [service.pk]
    # every step of the diamond is an edge (nearer, further)
    assert (items["db"].pk, items["app"].pk) in walked.edges
    assert (items["vm2"].pk, items["app"].pk) in walked.edges
    assert (items["dc"].pk, items["host"].pk) in walked.edges


def test_connections_are_not_followed_even_in_a_loop(estate):
    items, _service = estate
    assert items["peer"].pk not in selectors.closure(items["dc"].pk).depths
    assert selectors.closure(items["peer"].pk).depths == {}


def test_the_depth_limit_stops_the_walk(estate):
    items, _service = estate
    walked = selectors.closure(items["dc"].pk, depth_limit=2, services=True)
    assert set(walked.depths) == _ids(items, "host", "vm1", "vm2")
    assert walked.service_ids == []  # the app is three levels away


def test_the_other_direction_is_what_an_item_rests_on(estate):
    items, _service = estate
    walked = selectors.closure(items["app"].pk, direction=selectors.DEPENDENCIES)
    assert walked.depths == {
        items["vm2"].pk: 1,
        items["db"].pk: 1,
        items["host"].pk: 2,
        items["vm1"].pk: 2,
        items["dc"].pk: 3,
    }


def test_a_cycle_in_the_data_ends(org, server_type):
    """Data may hold a cycle the rules would refuse (written before a rule, or by hand): the walk ends."""
    a, b, c = (make_item(server_type, org.it) for _ in range(3))
    relate(a, b)
    relate(b, c)
    relate(c, a)
    walked = selectors.closure(a.pk, depth_limit=30)
    assert walked.depths == {c.pk: 1, b.pk: 2}


def test_archived_relations_and_items_are_not_walked(org, estate):
    items, _service = estate
    actor = org.users["superuser"]
    core_services.record_archive(actor=actor, instance=items["vm2"])
    walked = selectors.closure(items["dc"].pk)
    assert items["vm2"].pk not in walked.depths
    assert walked.depths[items["app"].pk] == 4  # now only through vm1 and the database
    relation = items["db"].outgoing.get()
    core_services.record_archive(actor=actor, instance=relation)
    assert set(selectors.closure(items["dc"].pk).depths) == _ids(items, "host", "vm1")


def test_the_cap_keeps_the_nearest_and_counts_all(estate):
    items, _service = estate
    walked = selectors.closure(items["dc"].pk, cap=3)
    assert set(walked.depths) == _ids(items, "host", "vm1", "vm2")
    assert walked.total == 5 and walked.capped
    assert all(a in walked.depths or a == items["dc"].pk for a, _b in walked.edges)


def test_impact_for_a_user_names_what_they_see_and_counts_the_rest(org, estate, app_type):
    items, service = estate
    secret = make_item(app_type, org.hr, "hr-app")
    relate(secret, items["host"], "runs_on")
    hr_service = Service.objects.create(code="PAY", name="Payroll", domain=org.hr, owner=org.person_b)
    hr_service.customers.set([org.unit_b])
    support(secret, hr_service)
    result = selectors.impact(org.users["member_it"], items["dc"])
    assert result.total == 6
    assert result.hidden == 1
    assert {n.id for n in result.visible_nodes} == _ids(items, "host", "vm1", "vm2", "db", "app")
    assert [s.pk for s in result.services] == [service.pk] and result.hidden_services == 1
    assert {u.code for u in result.customers} == {"A", "B"}
    assert (items["app"].pk, service.pk) in result.supports
    everything = selectors.impact(org.users["superuser"], items["dc"])
    assert everything.hidden == 0 and everything.hidden_services == 0
    assert {s.code for s in everything.services} == {"ERP", "PAY"}


def test_impact_queries_do_not_grow_with_the_estate(org, server_type, app_type):
    def build(hosts):
        dc = make_item(server_type, org.it)
        service = Service.objects.create(code=f"S{hosts}", name="S", domain=org.it, owner=org.person_a)
        service.customers.set([org.unit_a])
        for _ in range(hosts):
            host = make_item(server_type, org.it)
            relate(host, dc)
            for _ in range(3):
                app = make_item(app_type, org.it)
                relate(app, host)
                support(app, service)
        return dc

    small, large = build(2), build(30)
    client = org.client_for("member_it")
    counts = []
    for dc in (small, large):
        for url in (f"/configuration-items/{dc.pk}/impact/", f"/api/configuration-items/{dc.pk}/impact"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert counts[0] <= 14, counts
