"""The demo's service desk: loaded twice without change; the desk login finds the workplace's cases in
every state, with clocks from the SLA and the chain's agreements, and its queue and "My work" show them."""

from __future__ import annotations

import pytest

from regie.cases.models import Case, SlaClock
from regie.core.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_service_desk(client):
    load_demo(lambda _line: None)
    before = (Case.objects.count(), SlaClock.objects.count())
    load_demo(lambda _line: None)
    assert (Case.objects.count(), SlaClock.objects.count()) == before
    assert before[0] == 7
    states = set(Case.objects.values_list("state", flat=True))
    assert {"logged", "assigned", "in_progress", "waiting_supplier", "resolved"} <= states
    assert SlaClock.objects.filter(link__isnull=True, agreement__code="SLA-001").exists()
    assert SlaClock.objects.filter(link__isnull=False).exists()  # a chain link held a case
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model()._default_manager.get(username="desk"))
    my_work = client.get("/my-work/").content.decode()
    working = Case.objects.get(title="Laptop does not start after the update")
    assert working.number in my_work
    page = client.get(working.get_absolute_url()).content.decode()
    assert 'data-step="resolve"' in page and 'id="case-clocks"' in page
    assert client.get("/cases/queue/").status_code == 200
