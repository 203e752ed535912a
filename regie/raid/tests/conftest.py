from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from regie.core.tests.factories import PersonFactory, UserFactory
from regie.portfolio.models import Portfolio, Programme, Project
from regie.raid.models import RaidItem


@dataclass
class Log:
    portfolio: Portfolio
    programme: Programme
    project: Project
    other: Project
    users: dict[str, Any]

    def person(self, who: str) -> Any:
        return self.users[who].person


@pytest.fixture
def log(org: Any) -> Log:
    """A portfolio in the IT domain with a programme and a project: ``pm`` manages the project and
    ``named_pmo`` is its named PMO officer (neither holds a role), ``owner`` owns items without any role,
    ``stranger`` has a login and nothing else; ``other`` is a project in the HR domain."""
    users = dict(org.users)
    for name in ("pm", "named_pmo", "owner", "stranger", "sponsor"):
        users[name] = UserFactory(username=name)
        PersonFactory(user=users[name], given_name=name.capitalize(), family_name="Person")
    portfolio = Portfolio.objects.create(code="ITP", name="IT portfolio", domain=org.it)
    programme = Programme.objects.create(code="PRG", name="Programme", portfolio=portfolio)
    project = Project.objects.create(
        code="P1",
        name="Project one",
        portfolio=portfolio,
        programme=programme,
        project_manager=users["pm"].person,
        sponsor=users["sponsor"].person,
    )
    project.pmo_officers.set([users["named_pmo"].person])
    hr = Portfolio.objects.create(code="HRP", name="HR portfolio", domain=org.hr)
    other = Project.objects.create(code="H1", name="HR project", portfolio=hr)
    for user in users.values():
        user.refresh_from_db()
    return Log(portfolio, programme, project, other, users)


def make_item(scope_owner: Any, kind: str = "risk", **fields: Any) -> RaidItem:
    """An item on a project's (or programme's) log, saved directly."""
    defaults: dict[str, Any] = {"title": f"A {kind}"}
    if kind == "risk":
        defaults.update(probability=3, impact=4)
    if kind == "issue":
        defaults.update(severity="high")
    if kind == "action":
        defaults.update(due_date=timezone.localdate() + timedelta(days=7))
    defaults.update(fields)
    project = scope_owner if isinstance(scope_owner, Project) else None
    item = RaidItem(scope=scope_owner.scope, project=project, kind=kind, **defaults)
    item.full_clean()
    item.save()
    return item
