"""Service-level reporting: what a service achieved per month against the targets of the agreements
that cover it, with breaches attributed to the chain link that caused them; as a page with charts, an
Excel workbook and through the API."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from regie.core.models import RoleAssignment, Team
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.services.models import Service, ServiceLevelMeasurement, ServiceLink
from regie.services.services import measurement_record
from regie.suppliers.models import Agreement, AgreementVersion, Organisation, ServiceLevelTarget


@pytest.fixture
def setting(org: Any) -> dict[str, Any]:
    user = UserFactory(username="smo_it")
    person = PersonFactory(user=user, given_name="Sam", family_name="Officer")
    RoleAssignment.objects.create(person=person, role="smo_officer", scope=org.it.scope)
    org.users["smo_it"] = user
    mail = Service.objects.create(code="MAIL", name="E-mail", domain=org.it, owner=org.person_a)
    storage = Service.objects.create(code="STOR", name="Storage", domain=org.it, owner=org.person_a)
    team = Team.objects.create(code="OPS", name="Operations", org_unit=org.unit_b)
    supplier = Organisation.objects.create(code="CLOUD", name="Cloudco", is_supplier=True)
    internal = ServiceLink.objects.create(
        service=mail, supporting_service=storage, responsible_team=team, result="Stores mailboxes"
    )
    hosting = ServiceLink.objects.create(service=mail, supplier=supplier, result="Hosts the mail servers")
    sla = Agreement.objects.create(
        kind="sla",
        code="SLA-MAIL",
        name="Mail",
        domain=org.it,
        provider_unit=org.unit_b,
        customer_unit=org.unit_a,
        contract_manager=org.person_a,
    )
    version = AgreementVersion.objects.create(
        agreement=sla, number=1, status="approved", start=datetime.date(2026, 1, 1), specified_by=org.person_b
    )
    version.services.set([mail])
    availability = ServiceLevelTarget.objects.create(version=version, metric="availability", target=Decimal("99.5"))
    return {
        "user": user,
        "mail": mail,
        "storage": storage,
        "internal": internal,
        "hosting": hosting,
        "availability": availability,
        "version": version,
    }


def _record(s: dict[str, Any], month: int, achieved: str, **extra: Any) -> ServiceLevelMeasurement:
    return measurement_record(
        actor=s["user"],
        service=s["mail"],
        target=s["availability"],
        period=datetime.date(2026, month, 15),
        achieved=Decimal(achieved),
        **extra,
    )


@pytest.mark.django_db
def test_a_month_is_recorded_once_and_replaced_when_recorded_again(setting):
    first = _record(setting, 3, "99.1")
    again = _record(setting, 3, "99.7")
    assert first.pk == again.pk and again.period == datetime.date(2026, 3, 1)
    assert ServiceLevelMeasurement.objects.get().achieved == Decimal("99.7")
    assert again.history.count() == 2  # the earlier figure stays in the history


@pytest.mark.django_db
def test_a_measurement_must_fit_the_agreement_the_period_and_the_chain(setting, org):
    with pytest.raises(ValidationError) as not_covered:
        measurement_record(
            actor=setting["user"],
            service=setting["storage"],
            target=setting["availability"],
            period=datetime.date(2026, 3, 1),
            achieved=Decimal(99),
        )
    assert "does not cover" in " ".join(not_covered.value.message_dict["target"])
    with pytest.raises(ValidationError) as before:
        measurement_record(
            actor=setting["user"],
            service=setting["mail"],
            target=setting["availability"],
            period=datetime.date(2025, 12, 1),
            achieved=Decimal(99),
        )
    assert "not in force" in " ".join(before.value.message_dict["period"])
    foreign = ServiceLink.objects.create(service=setting["storage"], supplier=setting["hosting"].supplier, result="x")
    with pytest.raises(ValidationError) as wrong_link:
        _record(setting, 3, "99", link=foreign, breaches=1)
    assert "link" in wrong_link.value.message_dict
    with pytest.raises(ValidationError):
        _record(setting, 3, "101")
    with pytest.raises(ValidationError) as more:
        _record(setting, 3, "99", cases=2, breaches=3)
    assert "breaches" in more.value.message_dict
    member = org.users["member_it"]
    with pytest.raises(PermissionDenied):
        measurement_record(
            actor=member,
            service=setting["mail"],
            target=setting["availability"],
            period=datetime.date(2026, 3, 1),
            achieved=Decimal(99),
        )
    assert not ServiceLevelMeasurement.objects.exists()


@pytest.mark.django_db
def test_the_report_shows_missed_months_and_the_links_that_caused_them(setting, org):
    _record(setting, 1, "99.9")
    _record(setting, 2, "98.2", breaches=2)
    _record(setting, 2, "98.2", breaches=2, link=setting["hosting"])
    _record(setting, 3, "99.6")
    client = org.client_for("smo_it")
    response = client.get(f"/services/{setting['mail'].pk}/service-levels/", {"start": "2026-01", "end": "2026-03"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "missed in 1 month" in page and 'class="table-danger"' in page
    assert "Cloudco" in page and 'id="levels-data"' in page
    data = json.loads(page.split('id="levels-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data[0]["months"] == ["2026-01", "2026-02", "2026-03"]
    assert data[0]["met"] == [True, False, True] and data[0]["agreed"] == 99.5
    bad = client.get(f"/services/{setting['mail'].pk}/service-levels/", {"start": "2026-05", "end": "2026-01"})
    assert bad.status_code == 400 and "comes after" in bad.content.decode()
    service_page = client.get(f"/services/{setting['mail'].pk}/").content.decode()
    assert "Service-level report" in service_page


@pytest.mark.django_db
def test_the_report_exports_to_an_excel_workbook_with_a_chart(setting, org):
    _record(setting, 1, "99.9")
    _record(setting, 2, "98.0", breaches=1)
    _record(setting, 2, "98.0", breaches=1, link=setting["internal"])
    response = org.client_for("member_it").get(
        f"/services/{setting['mail'].pk}/service-levels/", {"start": "2026-01", "end": "2026-02", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    levels, links = book.worksheets
    rows = list(levels.iter_rows(min_row=4, values_only=True))
    assert [(r[4], float(r[5]), r[8]) for r in rows] == [("2026-01", 99.9, "yes"), ("2026-02", 98.0, "no")]
    assert levels["A5"].fill.fgColor.rgb.endswith("F8D7DA") and not levels["A4"].fill.fgColor.rgb.endswith("F8D7DA")
    assert len(levels._charts) == 1
    assert list(links.iter_rows(min_row=2, values_only=True)) == [
        ("SLA-MAIL", "availability (%)", "STOR Storage", "Operations", 1)
    ]


@pytest.mark.django_db
def test_the_api_records_and_reports_service_levels(setting, org):
    client = org.client_for("smo_it")
    posted = client.post(
        "/api/service-level-measurements/",
        json.dumps(
            {
                "service": setting["mail"].pk,
                "target": setting["availability"].pk,
                "period": "2026-04-10",
                "achieved": "99.95",
                "cases": 0,
            }
        ),
        content_type="application/json",
    )
    assert posted.status_code == 200 and posted.json()["period"] == "2026-04-01"
    outside = client.post(
        "/api/service-level-measurements/",
        json.dumps(
            {"service": setting["mail"].pk, "target": setting["availability"].pk, "period": "2025-04-10", "achieved": "99"}
        ),
        content_type="application/json",
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "period"
    too_much = client.post(
        "/api/service-level-measurements/",
        json.dumps(
            {"service": setting["mail"].pk, "target": setting["availability"].pk, "period": "2026-04-10", "achieved": "120"}
        ),
        content_type="application/json",
    )
    assert too_much.status_code == 422
    member = org.client_for("member_it").post(
        "/api/service-level-measurements/",
        json.dumps(
            {"service": setting["mail"].pk, "target": setting["availability"].pk, "period": "2026-05-10", "achieved": "99"}
        ),
        content_type="application/json",
    )
    assert member.status_code == 403
    report = client.get(f"/api/services/{setting['mail'].pk}/service-levels", {"start": "2026-01-01", "end": "2026-06-01"}).json()
    assert report[0]["months"] == [{"period": "2026-04-01", "achieved": "99.950", "cases": 0, "breaches": 0, "met": True}]


@pytest.mark.django_db
def test_a_time_target_is_met_when_its_share_of_cases_is_handled_in_time(setting, org):
    from regie.planning.models import WorkCalendar

    version = setting["version"]
    version.calendar = WorkCalendar.objects.create(name="Office hours")
    version.save()
    resolution = ServiceLevelTarget(version=version, metric="resolution", priority=1, target=Decimal(240), compliance=Decimal(90))
    resolution.full_clean()
    resolution.save()
    for month, achieved in ((1, "92.000"), (2, "87.500")):
        measurement_record(
            actor=setting["user"],
            service=setting["mail"],
            target=resolution,
            period=datetime.date(2026, month, 1),
            achieved=Decimal(achieved),
            cases=8,
            breaches=1,
        )
    report = (
        org.client_for("smo_it")
        .get(f"/api/services/{setting['mail'].pk}/service-levels", {"start": "2026-01-01", "end": "2026-02-01"})
        .json()
    )
    levels = next(r for r in report if r["target_id"] == resolution.pk)
    assert levels["agreed"] == "90.00"
    assert [m["met"] for m in levels["months"]] == [True, False]
    with pytest.raises(ValidationError) as share_on_availability:
        ServiceLevelTarget(version=version, metric="availability", target=Decimal(99), compliance=Decimal(90)).full_clean()
    assert "compliance" in share_on_availability.value.message_dict
    with pytest.raises(ValidationError) as zero:
        ServiceLevelTarget(version=version, metric="response", priority=2, target=Decimal(60), compliance=Decimal(0)).full_clean()
    assert "compliance" in zero.value.message_dict


@pytest.mark.django_db
def test_only_targets_in_force_that_one_may_see_are_measured_and_dates_stay_in_range(setting, org):
    draft = AgreementVersion.objects.create(
        agreement=setting["version"].agreement,
        number=2,
        status="draft",
        start=datetime.date(2027, 1, 1),
        specified_by=org.person_b,
    )
    draft.services.set([setting["mail"]])
    draft_target = ServiceLevelTarget.objects.create(version=draft, metric="availability", target=Decimal("99.9"))
    with pytest.raises(ValidationError) as not_in_force:
        measurement_record(
            actor=setting["user"],
            service=setting["mail"],
            target=draft_target,
            period=datetime.date(2027, 1, 1),
            achieved=Decimal(99),
        )
    assert "approved" in " ".join(not_in_force.value.message_dict["target"])
    client = org.client_for("smo_it")
    far = client.post(
        "/api/service-level-measurements/",
        json.dumps(
            {"service": setting["mail"].pk, "target": setting["availability"].pk, "period": "9999-12-15", "achieved": "99"}
        ),
        content_type="application/json",
    )
    assert far.status_code == 422 and far.json()["errors"][0]["field"] == "period"
    assert (
        client.get(f"/api/services/{setting['mail'].pk}/service-levels", {"start": "9999-11-01", "end": "9999-12-31"}).status_code
        == 422
    )
    page = client.get(f"/services/{setting['mail'].pk}/service-levels/", {"start": "9999-11", "end": "9999-12"})
    assert page.status_code == 400 and "before the year 9999" in page.content.decode()
    # Someone who may record for the service but may not see the agreement cannot name its target.
    hr_smo = UserFactory(username="smo_hr")
    RoleAssignment.objects.create(person=PersonFactory(user=hr_smo), role="smo_officer", scope=org.hr.scope)
    hr_service = Service.objects.create(code="PAY", name="Payroll", domain=org.hr, owner=org.person_a)
    client.force_login(hr_smo)
    hidden = client.post(
        "/api/service-level-measurements/",
        json.dumps({"service": hr_service.pk, "target": setting["availability"].pk, "period": "2026-03-01", "achieved": "99"}),
        content_type="application/json",
    )
    assert hidden.status_code == 422 and hidden.json()["errors"][0]["field"] == "target"
    assert "SLA-MAIL" not in hidden.content.decode()
