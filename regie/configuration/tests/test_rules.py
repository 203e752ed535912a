"""The register's rules: a type's attribute definitions, an item's values against its type, and the
relations (not to itself, once per kind, no cycle of "runs on"/"depends on")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from regie.configuration import attributes, selectors
from regie.configuration.models import ConfigurationItem, ItemType, Relation
from regie.configuration.tests.conftest import make_item, relate
from regie.core import services

pytestmark = pytest.mark.django_db


# --- definitions ----------------------------------------------------------------------------------


def _problems(definitions):
    return attributes.clean_definitions(definitions)[1]


def test_good_definitions_are_stored_in_full():
    cleaned, problems = attributes.clean_definitions(
        [{"name": "ram_gb", "kind": "integer"}, {"name": "os", "label": "OS", "kind": "choice", "choices": [" Debian 12 "]}]
    )
    assert problems == []
    assert cleaned == [
        {"name": "ram_gb", "label": "ram_gb", "kind": "integer", "required": False},
        {"name": "os", "label": "OS", "kind": "choice", "required": False, "choices": ["Debian 12"]},
    ]


@pytest.mark.parametrize(
    ("definitions", "words"),
    [
        ([{"name": "RAM GB", "kind": "integer"}], "lower-case identifier"),
        ([{"name": "9lives", "kind": "integer"}], "lower-case identifier"),
        ([{"name": "ram", "kind": "integer"}, {"name": "ram", "kind": "text"}], "“ram” is used twice"),
        ([{"name": "ram", "kind": "float"}], "the kind must be one of"),
        ([{"name": "ram", "kind": "integer", "choices": ["a"]}], "only a choice attribute has choices"),
        ([{"name": "os", "kind": "choice"}], "needs a list of choices"),
        ([{"name": "os", "kind": "choice", "choices": ["a", "A"]}], "listed twice"),
        ([{"name": "identifier", "kind": "text"}], "an item's own field"),
        ([{"name": "ram", "kind": "integer", "required": "yes"}], "true or false"),
        ([{"name": "ram", "kind": "integer", "unit": "GB"}], "unknown key(s) unit"),
        ({"name": "ram"}, "must be a list"),
        (["ram"], "Attribute 1"),
    ],
)
def test_bad_definitions_are_named(definitions, words):
    problems = _problems(definitions)
    assert any(words in p for p in problems), problems


def test_a_type_with_bad_definitions_is_refused_on_save():
    item_type = ItemType(code="X", name="X", attributes=[{"name": "cpu", "kind": "float"}])
    with pytest.raises(ValidationError) as error:
        item_type.full_clean()
    assert "Attribute 1 (cpu)" in error.value.message_dict["attributes"][0]


# --- values ---------------------------------------------------------------------------------------


def test_values_are_stored_in_their_kind(server_type):
    values, problems = attributes.clean_values(
        "Server",
        server_type.definitions,
        {"ram_gb": "64", "os": "debian 12", "purchased": "2026-01-05 00:00:00", "virtualised": "ja", "cost": "1.250,5"},
    )
    assert problems == []
    assert values == {"ram_gb": 64, "os": "Debian 12", "purchased": "2026-01-05", "virtualised": True, "cost": "1250.5"}


def test_decimal_comma_and_point():
    definition = {"name": "cost", "kind": "decimal"}
    assert attributes.convert(definition, "12,50") == "12.5"
    assert attributes.convert(definition, 7) == "7"
    assert attributes.convert(definition, "1,250.75") == "1250.75"
    assert attributes.convert(definition, "0.10") == "0.1"
    with pytest.raises(ValueError, match="is not a number"):
        attributes.convert(definition, "twelve")


@pytest.mark.parametrize(
    ("values", "name", "words"),
    [
        ({"ram_gb": 8, "cpu": 4}, "cpu", "Unknown attribute 'cpu' for type Server."),
        ({"ram_gb": "lots"}, "ram_gb", "'lots' is not a whole number."),
        ({"ram_gb": 2.5}, "ram_gb", "'2.5' is not a whole number."),
        ({"ram_gb": True}, "ram_gb", "'True' is not a whole number."),
        ({}, "ram_gb", "'ram_gb' is required for type Server."),
        ({"ram_gb": "  "}, "ram_gb", "'ram_gb' is required for type Server."),
        ({"ram_gb": 8, "os": "Linux"}, "os", "'Linux' is not one of: Debian 12, Windows Server 2022."),
        ({"ram_gb": 8, "purchased": "next week"}, "purchased", "is not a date (write it as YYYY-MM-DD)"),
        ({"ram_gb": 8, "purchased": "2026-02-30"}, "purchased", "is not a date"),
        ({"ram_gb": 8, "virtualised": "maybe"}, "virtualised", "'maybe' is not yes or no."),
        ({"ram_gb": 8, "rack": {"row": 1}}, "rack", "is not text"),
        ({"ram_gb": 8, "rack": "a\x00b"}, "rack", "NUL"),
        ({"ram_gb": 10**20}, "ram_gb", "too large"),
    ],
)
def test_wrong_values_are_named(server_type, values, name, words):
    _values, problems = attributes.clean_values("Server", server_type.definitions, values)
    assert [p.name for p in problems] == [name]
    assert words in problems[0].text


def test_the_model_names_the_attribute_in_its_error(org, server_type):
    item = ConfigurationItem(
        item_type=server_type, domain=org.it, identifier="x", name="X", attributes={"ram_gb": "lots", "cpu": 2}
    )
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert error.value.message_dict["attributes.ram_gb"] == ["'lots' is not a whole number."]
    assert error.value.message_dict["attributes.cpu"] == ["Unknown attribute 'cpu' for type Server."]


def test_a_domain_type_serves_only_its_domain(org):
    hr_type = ItemType.objects.create(code="HRDOC", name="HR document", domain=org.hr)
    item = ConfigurationItem(item_type=hr_type, domain=org.it, identifier="x", name="X")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "another domain" in error.value.message_dict["item_type"][0]


def test_identifier_is_unique_per_type(org, server_type, app_type):
    make_item(server_type, org.it, "host1")
    make_item(app_type, org.it, "host1")  # another type may use it
    duplicate = ConfigurationItem(
        item_type=server_type, domain=org.hr, identifier="host1", name="Again", attributes={"ram_gb": 1}
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already exists" in str(error.value)


# --- relations ------------------------------------------------------------------------------------


def test_an_item_cannot_relate_to_itself(org, server_type):
    item = make_item(server_type, org.it)
    with pytest.raises(ValidationError) as error:
        Relation(source=item, target=item, kind="connected_to").full_clean()
    assert error.value.message_dict["target"] == ["An item cannot relate to itself."]


def test_a_relation_is_there_once_per_kind(org, server_type):
    a, b = make_item(server_type, org.it), make_item(server_type, org.it)
    relate(a, b, "runs_on")
    Relation(source=a, target=b, kind="connected_to").full_clean()  # another kind is another relation
    with pytest.raises(ValidationError) as error:
        Relation(source=a, target=b, kind="runs_on").full_clean()
    assert "This relation already exists" in str(error.value)


def test_a_cycle_is_refused_naming_the_chain(org, server_type):
    x = make_item(server_type, org.it, "x", name="X")
    y = make_item(server_type, org.it, "y", name="Y")
    z = make_item(server_type, org.it, "z", name="Z")
    relate(y, z, "depends_on")  # Y depends on Z
    relate(z, x, "runs_on")  # Z runs on X
    with pytest.raises(ValidationError) as error:
        Relation(source=x, target=y, kind="runs_on").full_clean()  # X runs on Y: X → Y → Z → X
    assert error.value.message_dict["target"] == ["X (x) would depend on itself through Y (y) → Z (z)."]
    # A connection is informational: it may close a loop.
    Relation(source=x, target=y, kind="connected_to").full_clean()


def test_a_cycle_through_an_archived_relation_is_no_cycle(org, server_type):
    x, y = make_item(server_type, org.it), make_item(server_type, org.it)
    old = relate(y, x, "runs_on")
    services.record_archive(actor=org.users["superuser"], instance=old)
    Relation(source=x, target=y, kind="runs_on").full_clean()


def test_changing_a_relation_does_not_see_itself_as_a_cycle(org, server_type):
    a, b = make_item(server_type, org.it), make_item(server_type, org.it)
    relation = relate(a, b, "runs_on")
    relation.source, relation.target = b, a  # turn it round
    relation.full_clean()
    relation.kind = "depends_on"
    relation.full_clean()


def test_dependency_path_finds_the_shortest_chain(org, server_type):
    a, b, c, d = (make_item(server_type, org.it) for _ in range(4))
    relate(a, b, "runs_on")
    relate(b, c, "depends_on")
    relate(a, d, "depends_on")
    relate(d, c, "runs_on")
    relate(c, a, "connected_to")  # not followed
    assert selectors.dependency_path(a.pk, c.pk) in ([a.pk, b.pk, c.pk], [a.pk, d.pk, c.pk])
    assert selectors.dependency_path(c.pk, a.pk) is None
