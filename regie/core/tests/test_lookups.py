"""``any_of``: the rows of ``in``, on every database."""

from __future__ import annotations

import pytest

from regie.core.models import Person, Team

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_rows_in_finds_on_a_field_and_on_a_relation(org):
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    chosen = people[::2]
    assert list(Person.objects.filter(pk__any_of=chosen).order_by("pk").values_list("pk", flat=True)) == chosen
    assert not Person.objects.filter(pk__any_of=[]).exists()
    assert not Person.objects.filter(pk__any_of=[None]).exists()
    with_users = Person.objects.filter(user__isnull=False).order_by("pk")
    users = list(with_users.values_list("user_id", flat=True))[:3]
    found = Person.objects.filter(user_id__any_of=users).order_by("pk").values_list("user_id", flat=True)
    assert list(found) == users == list(Person.objects.filter(user_id__in=users).order_by("pk").values_list("user_id", flat=True))
    assert Team.objects.filter(members__pk__any_of=chosen).exists() == Team.objects.filter(members__pk__in=chosen).exists()
