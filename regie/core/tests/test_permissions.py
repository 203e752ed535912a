"""The role × action matrix: who may do what, where — deny by default."""

from __future__ import annotations

import pytest

from regie.core import permissions
from regie.core.models import OrgUnit, Person, RoleAssignment, Team
from regie.core.tests.factories import PersonFactory, UserFactory

# (user, action, target, expected). Targets: unit A's person, unit A1's person (below A), unit B's person.
MATRIX = [
    ("administrator", "core.change_person", "a", True),
    ("administrator", "core.change_person", "b", True),
    ("manager_a", "core.view_person", "a", True),
    ("manager_a", "core.change_person", "a", True),
    ("manager_a", "core.change_person", "a_sub", True),
    ("manager_a", "core.change_person", "b", False),
    ("manager_a", "core.view_person", "b", False),
    ("manager_a", "core.archive_person", "a", True),
    ("manager_a", "core.manage_roles", "a", False),
    ("member_a", "core.view_person", "a", True),
    ("member_a", "core.view_person", "a_sub", True),
    ("member_a", "core.view_person", "b", False),
    ("member_a", "core.change_person", "a", False),
    ("member_all", "core.view_person", "b", True),
    ("member_all", "core.change_person", "b", False),
    ("norole", "core.view_person", "a", False),
    ("superuser", "core.change_person", "b", True),
]


@pytest.mark.parametrize(("who", "action", "target", "expected"), MATRIX)
def test_may_follows_roles_and_scopes(org, who, action, target, expected):
    person = {"a": org.person_a, "a_sub": org.person_a_sub, "b": org.person_b}[target]
    assert permissions.may(org.users[who], action, person) is expected


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("administrator", {"a", "a_sub", "b"}),
        ("manager_a", {"a", "a_sub"}),
        ("member_a", {"a", "a_sub"}),
        ("member_all", {"a", "a_sub", "b"}),
        ("norole", set()),
    ],
)
def test_lists_only_show_what_the_user_may_see(org, who, visible):
    people = {"a": org.person_a, "a_sub": org.person_a_sub, "b": org.person_b}
    shown = set(
        Person.objects.visible_to(org.users[who]).filter(pk__in=[p.pk for p in people.values()]).values_list("pk", flat=True)
    )
    assert shown == {people[k].pk for k in visible}


def test_anonymous_and_inactive_users_may_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.may(AnonymousUser(), "core.view_person", org.person_a)
    assert not Person.objects.visible_to(AnonymousUser()).exists()
    admin = org.users["administrator"]
    admin.is_active = False
    assert not permissions.may(admin, "core.view_person", org.person_a)


def test_everyone_sees_their_own_person_record(org):
    user = org.users["norole"]
    assert permissions.may(user, "core.view_person", user.person)
    assert list(Person.objects.visible_to(user)) == [user.person]
    assert not permissions.may(user, "core.change_person", user.person)


def test_unknown_action_is_denied_even_for_broad_roles(org):
    assert not permissions.may(org.users["member_all"], "core.delete_everything", org.person_a)
    # The administrator role grants every action, registered or not: it is the whole scope's owner.
    assert permissions.may(org.users["administrator"], "core.delete_everything", org.person_a)


def test_role_on_archived_person_grants_nothing(org):
    user = org.users["member_all"]
    person = user.person
    person.archived_at = person.created_at
    person.save()
    permissions.forget(user)
    assert not permissions.may(user, "core.view_person", org.person_b)


def test_moving_a_unit_moves_its_subtree_out_of_scope(org):
    """A1 sits under A; moved under B, manager A no longer reaches it or its people."""
    user = org.users["manager_a"]
    assert permissions.may(user, "core.change_person", org.person_a_sub)
    unit = OrgUnit.objects.get(pk=org.unit_a_sub.pk)
    unit.parent = org.unit_b
    unit.save()
    person = Person.objects.get(pk=org.person_a_sub.pk)
    permissions.forget(user)
    assert not permissions.may(user, "core.change_person", person)
    assert permissions.may(org.users["member_all"], "core.view_person", person)


def test_team_visibility_follows_its_unit(org):
    team_a = Team.objects.create(code="TA", name="Team A", org_unit=org.unit_a)
    team_b = Team.objects.create(code="TB", name="Team B", org_unit=org.unit_b)
    visible = set(Team.objects.visible_to(org.users["member_a"]))
    assert team_a in visible and team_b not in visible


def test_job_profiles_are_reference_data_readable_by_every_signed_in_user(org):
    from regie.core.models import JobProfile

    user = org.users["norole"]
    assert list(JobProfile.objects.visible_to(user)) == [org.profile]
    assert not permissions.may(user, "core.change_jobprofile", org.profile)
    assert not permissions.may(org.users["manager_a"], "core.change_jobprofile", org.profile)


def test_every_role_names_only_registered_actions():
    for role in permissions.ROLES.values():
        unknown = {a for a in role.actions if a != permissions.ALL_ACTIONS and a not in permissions.ACTIONS}
        assert not unknown, f"{role.code} grants unregistered actions {unknown}"


def test_assignments_are_read_once_per_user_object(org, django_assert_num_queries):
    user = UserFactory(username="counter")
    PersonFactory(user=user, org_unit=org.unit_a)
    RoleAssignment.objects.create(person=user.person, role="member", scope=org.unit_a.scope)
    permissions.may(user, "core.view_person", org.person_a)
    with django_assert_num_queries(0):
        for _ in range(5):
            permissions.may(user, "core.view_person", org.person_b)
