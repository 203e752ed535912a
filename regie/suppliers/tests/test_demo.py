"""The demo's contract management: loaded twice without change; the supplier login sees only its own
organisation's contracts; the service desk SLA waits for a contract manager other than its specifier."""

from __future__ import annotations

import pytest

from regie.core.demo import load_demo
from regie.suppliers import services
from regie.suppliers.models import Agreement, AgreementVersion, Obligation, Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_tells_the_logins():
    lines: list[str] = []
    load_demo(lines.append)
    counts = (
        Organisation.objects.count(),
        Agreement.objects.count(),
        AgreementVersion.objects.count(),
        Obligation.objects.count(),
    )
    load_demo(lambda _line: None)
    assert counts == (
        Organisation.objects.count(),
        Agreement.objects.count(),
        AgreementVersion.objects.count(),
        Obligation.objects.count(),
    )
    assert counts[0] == 6 and counts[1] >= 10
    text = "\n".join(lines)
    assert "supplier (" in text and "cm (" in text
    assert set(Agreement.objects.values_list("kind", flat=True)) == {"sla", "ola", "uc"}
    assert {"late", "missed", "delivered", "open"} <= set(Obligation.objects.values_list("status", flat=True))


def test_the_demo_logins_play_their_parts(client):
    from django.contrib.auth import get_user_model

    load_demo(lambda _line: None)
    users = get_user_model()._default_manager
    client.force_login(users.get(username="supplier"))
    rows = client.get("/api/agreements/").json()["items"]
    assert {row["code"] for row in rows} == {"UC-003"}
    review = AgreementVersion.objects.get(agreement__code="SLA-002", status="in_review")
    smo, cm = users.get(username="smo"), users.get(username="cm")
    with pytest.raises(services.SegregationOfDuties):
        services.version_approve(actor=smo, version=review, expected_version=review.version)
    assert services.version_approve(actor=cm, version=review, expected_version=review.version).status == "approved"
    client.force_login(smo)
    page = client.get("/my-work/").content.decode()
    assert "Obligations I watch" in page and "Deliver wave 1: 200 laptops" in page
