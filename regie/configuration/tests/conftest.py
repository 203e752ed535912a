from __future__ import annotations

import itertools
from typing import Any

import pytest

from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core.models import RoleAssignment
from regie.core.tests.factories import PersonFactory, UserFactory

_numbers = itertools.count(1)

SERVER_ATTRIBUTES = [
    {"name": "ram_gb", "label": "RAM (GB)", "kind": "integer", "required": True},
    {"name": "os", "label": "Operating system", "kind": "choice", "choices": ["Debian 12", "Windows Server 2022"]},
    {"name": "purchased", "label": "Purchased on", "kind": "date"},
    {"name": "virtualised", "label": "Virtualised", "kind": "boolean"},
    {"name": "cost", "label": "Cost", "kind": "decimal"},
    {"name": "rack", "label": "Rack", "kind": "text"},
]


@pytest.fixture(autouse=True)
def keepers(org: Any) -> None:
    """An SMO officer and a configuration manager on the IT domain."""
    for username, role in (("smo_it", "smo_officer"), ("cm_it", "configuration_manager")):
        user = UserFactory(username=username)
        person = PersonFactory(user=user, given_name=username.upper(), family_name="Keeper")
        RoleAssignment.objects.create(person=person, role=role, scope=org.it.scope)
        org.users[username] = user


@pytest.fixture
def server_type(db: Any) -> ItemType:
    item_type = ItemType(code="SERVER", name="Server", attributes=SERVER_ATTRIBUTES)
    item_type.full_clean()
    item_type.save()
    return item_type


@pytest.fixture
def app_type(db: Any) -> ItemType:
    item_type = ItemType(code="APP", name="Application", attributes=[{"name": "vendor", "label": "Vendor", "kind": "text"}])
    item_type.full_clean()
    item_type.save()
    return item_type


def make_item(item_type: ItemType, domain: Any, identifier: str = "", **fields: Any) -> ConfigurationItem:
    n = next(_numbers)
    attributes = fields.pop("attributes", {"ram_gb": 16} if item_type.code == "SERVER" else {})
    item = ConfigurationItem(
        item_type=item_type,
        domain=domain,
        identifier=identifier or f"ci-{n}",
        name=fields.pop("name", f"Item {identifier or n}"),
        attributes=attributes,
        **fields,
    )
    item.full_clean()
    item.save()
    return item


def relate(source: ConfigurationItem, target: ConfigurationItem, kind: str = "runs_on", **fields: Any) -> Relation:
    relation = Relation.objects.create(source=source, target=target, kind=kind, **fields)
    relation.written(created=True)  # as the services that save a relation do
    return relation


def support(item: ConfigurationItem, service: Any) -> ServiceItem:
    return ServiceItem.objects.create(item=item, service=service)
