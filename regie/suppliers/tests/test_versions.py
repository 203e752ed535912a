"""Versions of an agreement: a change makes a new version and keeps the old one; only drafts are edited;
segregation of duties at approval (through the pages and the API); overlapping periods; targets that
need a calendar; and the parties each kind of agreement needs."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from regie.suppliers import services
from regie.suppliers.models import Agreement, AgreementVersion, ServiceLevelTarget
from regie.suppliers.tests.conftest import draft_of, make_agreement, make_version

pytestmark = pytest.mark.django_db


def _api(client, method, url, body=None, etag=None):
    headers = {"If-Match": etag} if etag is not None else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


# --- new versions keep the old ones ---------------------------------------------------------------


def test_a_new_version_copies_the_terms_and_leaves_the_version_in_force_unchanged(contracts):
    agreement = contracts.contract
    first = agreement.current_version
    ServiceLevelTarget.objects.create(version=first, metric="availability", target=Decimal("99.5"))
    ServiceLevelTarget.objects.create(version=first, metric="resolution", priority=1, target=Decimal("240"))
    first.offerings.set([contracts.offering])
    draft = draft_of(agreement, contracts.users["cm_it"])
    assert (draft.number, draft.status) == (2, "draft")
    assert draft.specified_by == contracts.person("cm_it")
    assert (draft.start, draft.end, draft.annual_value, draft.calendar) == (
        first.start,
        first.end,
        first.annual_value,
        first.calendar,
    )
    assert list(draft.services.all()) == [contracts.service] and list(draft.offerings.all()) == [contracts.offering]
    assert sorted((t.metric, t.priority, t.target) for t in draft.targets.all()) == [
        ("availability", None, Decimal("99.50")),
        ("resolution", 1, Decimal("240.00")),
    ]
    draft, _warnings = services.version_update(
        actor=contracts.users["cm_it"], version=draft, data={"annual_value": Decimal("150000")}, expected_version=draft.version
    )
    first.refresh_from_db()
    agreement.refresh_from_db()
    assert first.annual_value == Decimal("120000") and first.status == "approved"
    assert agreement.current_version == first
    assert first.targets.count() == 2


def test_only_one_version_is_prepared_at_a_time(contracts):
    draft_of(contracts.contract, contracts.users["cm_it"])
    with pytest.raises(services.RuleBroken) as refused:
        draft_of(contracts.contract, contracts.users["cm2_it"])
    assert refused.value.rule == "one_open_version"
    assert contracts.contract.versions.count() == 2


def test_only_drafts_are_edited_page_service_and_api(contracts):
    approved = contracts.contract.current_version
    with pytest.raises(services.RuleBroken):
        services.version_update(
            actor=contracts.users["cm_it"], version=approved, data={"price_terms": "cheaper"}, expected_version=approved.version
        )
    with pytest.raises(services.RuleBroken):
        services.target_add(
            actor=contracts.users["cm_it"], version=approved, data={"metric": "availability", "target": Decimal("90")}
        )
    client = contracts.client_for("cm_it")
    url = f"/agreements/{contracts.contract.pk}/versions/{approved.number}/edit/"
    page = client.get(url, follow=True).content.decode()
    assert "Only a draft is edited" in page
    response = client.post(url, {"start": "2026-01-01", "annual_value": "1", "currency": "EUR"})
    assert response.status_code == 302
    api = _api(
        client, "patch", f"/api/agreements/{contracts.contract.pk}/versions/1", {"price_terms": "x"}, f'"{approved.version}"'
    )
    assert api.status_code == 409 and api.json()["rule"] == "only_drafts_are_edited"
    approved.refresh_from_db()
    assert approved.price_terms == "" and approved.annual_value == Decimal("120000")


def test_the_version_page_shows_what_changed(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    services.version_update(
        actor=contracts.users["cm_it"],
        version=draft,
        data={"end": date(2027, 6, 30), "price_terms": "Fixed fee per month"},
        expected_version=draft.version,
    )
    page = contracts.client_for("cm_it").get(draft.get_absolute_url()).content.decode()
    assert "Changed since version 1" in page
    assert "31 Dec 2026" in page and "30 Jun 2027" in page and "Fixed fee per month" in page


def test_the_draft_form_saves_terms_and_names_a_bad_field(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    client = contracts.client_for("purchaser_it")
    url = f"/agreements/{contracts.contract.pk}/versions/{draft.number}/edit/"
    data = {
        "start": "2026-01-01",
        "end": "2025-12-31",
        "services": [contracts.service.pk],
        "calendar": contracts.calendar.pk,
        "annual_value": "130000",
        "currency": "EUR",
        "version": draft.version,
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "The end date is before the start date." in bad.content.decode()
    data["end"] = "2027-12-31"
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.annual_value == Decimal("130000") and draft.end == date(2027, 12, 31)
    assert contracts.person("purchaser_it") in draft.edited_by.all()


def test_far_away_dates_of_a_version_are_refused_clearly(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    client = contracts.client_for("cm_it")
    base = f"/api/agreements/{contracts.contract.pk}/versions/{draft.number}"
    for field, value in (("end", "9999-12-31"), ("notice_date", "9999-01-01"), ("start", "0001-01-01")):
        response = _api(client, "patch", base, {field: value}, f'"{draft.version}"')
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    url = f"/agreements/{contracts.contract.pk}/versions/{draft.number}/edit/"
    data = {
        "start": "2026-01-01",
        "end": "9999-12-31",
        "services": [contracts.service.pk],
        "calendar": contracts.calendar.pk,
        "annual_value": "130000",
        "currency": "EUR",
        "version": draft.version,
    }
    page = client.post(url, data)
    assert page.status_code == 400 and "Give a date between 1900-01-01 and 9998-12-31." in page.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.version_update(
            actor=contracts.users["cm_it"], version=draft, data={"renewal_date": date(9999, 6, 1)}, expected_version=None
        )
    assert "renewal_date" in refused.value.message_dict
    draft.refresh_from_db()
    assert (draft.end, draft.renewal_date) == (date(2026, 12, 31), None)


# --- segregation of duties ------------------------------------------------------------------------


def _in_review(contracts, specifier="cm_it"):
    draft = draft_of(contracts.contract, contracts.users[specifier])
    services.version_update(
        actor=contracts.users[specifier], version=draft, data={"price_terms": "Indexed yearly"}, expected_version=draft.version
    )
    draft.refresh_from_db()
    return services.version_submit(actor=contracts.users[specifier], version=draft, expected_version=draft.version)


def test_the_specifier_cannot_approve_another_contract_manager_can(contracts):
    version = _in_review(contracts)
    with pytest.raises(services.SegregationOfDuties) as refused:
        services.version_approve(actor=contracts.users["cm_it"], version=version, expected_version=version.version)
    assert "Segregation of duties" in str(refused.value) and "may not approve" in str(refused.value)
    version.refresh_from_db()
    assert version.status == "in_review"
    approved = services.version_approve(actor=contracts.users["cm2_it"], version=version, expected_version=version.version)
    contracts.contract.refresh_from_db()
    assert approved.status == "approved" and approved.approved_by == contracts.person("cm2_it")
    assert contracts.contract.current_version == approved
    assert contracts.contract.versions.get(number=1).status == "superseded"


def test_whoever_edited_the_draft_cannot_approve_it_either(contracts):
    draft = draft_of(contracts.contract, contracts.users["purchaser_it"])
    services.version_update(
        actor=contracts.users["cm2_it"], version=draft, data={"penalty_terms": "5 % credit"}, expected_version=draft.version
    )
    draft.refresh_from_db()
    services.version_submit(actor=contracts.users["purchaser_it"], version=draft, expected_version=draft.version)
    draft.refresh_from_db()
    with pytest.raises(services.SegregationOfDuties):
        services.version_approve(actor=contracts.users["cm2_it"], version=draft, expected_version=draft.version)
    assert (
        services.version_approve(actor=contracts.users["cm_it"], version=draft, expected_version=draft.version).status
        == "approved"
    )


def test_a_purchaser_never_approves(contracts):
    version = _in_review(contracts, specifier="cm_it")
    with pytest.raises(PermissionDenied) as refused:
        services.version_approve(actor=contracts.users["purchaser_it"], version=version, expected_version=version.version)
    assert not isinstance(refused.value, services.SegregationOfDuties)
    assert "Only a contract manager approves" in str(refused.value)


def test_segregation_of_duties_through_the_pages(contracts):
    version = _in_review(contracts)
    url = f"/agreements/{contracts.contract.pk}/versions/{version.number}/approve/"
    specifier = contracts.client_for("cm_it")
    detail = specifier.get(version.get_absolute_url()).content.decode()
    assert 'id="sod-hint"' in detail
    refused = specifier.post(url, {"version": version.version}, follow=True).content.decode()
    assert "Segregation of duties" in refused and "may not approve" in refused
    version.refresh_from_db()
    assert version.status == "in_review"
    purchaser = contracts.client_for("purchaser_it").post(url, {"version": version.version}, follow=True).content.decode()
    assert "Only a contract manager approves agreements." in purchaser
    approver = contracts.client_for("cm2_it")
    assert 'id="sod-hint"' not in approver.get(version.get_absolute_url()).content.decode()
    approved = approver.post(url, {"version": version.version}, follow=True).content.decode()
    assert "approved; it is now in force" in approved
    version.refresh_from_db()
    assert version.status == "approved"


def test_segregation_of_duties_through_the_api(contracts):
    agreement = contracts.contract
    specifier = contracts.client_for("cm_it")
    created = _api(specifier, "post", f"/api/agreements/{agreement.pk}/versions", {"change_summary": "Yearly indexation"})
    assert created.status_code == 201, created.content
    number, etag = created.json()["number"], created["ETag"]
    base = f"/api/agreements/{agreement.pk}/versions/{number}"
    assert _api(specifier, "patch", base, {"annual_value": "125000.00"}).status_code == 428
    patched = _api(specifier, "patch", base, {"annual_value": "125000.00"}, etag)
    assert patched.status_code == 200 and patched.json()["annual_value"] == "125000.00"
    assert _api(specifier, "patch", base, {"annual_value": "1.00"}, etag).status_code == 409
    submitted = _api(specifier, "post", base + "/submit", etag=patched["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    refused = _api(specifier, "post", base + "/approve", etag=submitted["ETag"])
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["rule"] == "segregation_of_duties" and "may not approve" in refused.json()["detail"]
    purchaser = _api(contracts.client_for("purchaser_it"), "post", base + "/approve", etag=submitted["ETag"])
    assert purchaser.status_code == 403 and "rule" not in purchaser.json()
    approved = _api(contracts.client_for("cm2_it"), "post", base + "/approve", etag=submitted["ETag"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by_id"] == contracts.person("cm2_it").pk
    again = _api(contracts.client_for("cm2_it"), "post", base + "/approve", etag=approved["ETag"])
    assert again.status_code == 409 and again.json()["rule"] == "only_in_review"
    listed = specifier.get(f"/api/agreements/{agreement.pk}/versions").json()
    assert [(v["number"], v["status"]) for v in listed] == [(2, "approved"), (1, "superseded")]
    assert specifier.get(f"/api/agreements/{agreement.pk}").json()["current_version_number"] == 2


# --- overlapping periods --------------------------------------------------------------------------


def test_overlapping_agreements_for_the_same_parties_and_service_are_refused(contracts):
    org = contracts.org
    twin = make_agreement(
        domain=org.it, manager=contracts.person("cm_it"), provider_organisation=contracts.supplier, customer_unit=org.unit_a
    )
    draft = make_version(twin, specifier=contracts.person("purchaser_it"), start=date(2026, 6, 1), end=None)
    saved, warnings = services.version_update(
        actor=contracts.users["cm_it"], version=draft, data={"services": [contracts.service]}, expected_version=draft.version
    )
    expected = f"Overlaps {contracts.contract.code} (1 Jan 2026 – 31 Dec 2026) for service Workplace."
    assert warnings == [expected]
    with pytest.raises(services.RuleBroken) as refused:
        services.version_submit(actor=contracts.users["cm_it"], version=saved, expected_version=saved.version)
    assert str(refused.value) == expected and refused.value.rule == "overlapping_period"
    saved.refresh_from_db()
    assert saved.status == "draft"
    # From the day after the other ends there is no overlap.
    saved, warnings = services.version_update(
        actor=contracts.users["cm_it"], version=saved, data={"start": date(2027, 1, 1)}, expected_version=saved.version
    )
    assert warnings == []
    assert (
        services.version_submit(actor=contracts.users["cm_it"], version=saved, expected_version=saved.version).status
        == "in_review"
    )


def test_overlap_needs_same_kind_parties_and_service(contracts):
    org = contracts.org
    other_customer = make_agreement(
        domain=org.it, manager=contracts.person("cm_it"), provider_organisation=contracts.supplier, customer_unit=org.unit_b
    )
    draft = make_version(other_customer, specifier=contracts.person("purchaser_it"), service_list=[contracts.service])
    _saved, warnings = services.version_update(
        actor=contracts.users["cm_it"], version=draft, data={"price_terms": "x"}, expected_version=draft.version
    )
    assert warnings == []


def test_overlap_is_refused_through_the_pages_with_the_other_agreement_named(contracts):
    org = contracts.org
    twin = make_agreement(
        domain=org.it, manager=contracts.person("cm_it"), provider_organisation=contracts.supplier, customer_unit=org.unit_a
    )
    draft = make_version(twin, specifier=contracts.person("purchaser_it"), service_list=[contracts.service])
    page = (
        contracts.client_for("cm_it")
        .post(f"/agreements/{twin.pk}/versions/1/submit/", {"version": draft.version}, follow=True)
        .content.decode()
    )
    assert f"Overlaps {contracts.contract.code} (1 Jan 2026 – 31 Dec 2026) for service Workplace." in page


# --- targets --------------------------------------------------------------------------------------


def test_a_timed_target_needs_a_business_hours_calendar(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    services.version_update(
        actor=contracts.users["cm_it"], version=draft, data={"calendar": None}, expected_version=draft.version
    )
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.target_add(
            actor=contracts.users["cm_it"], version=draft, data={"metric": "response", "priority": 1, "target": 30}
        )
    assert refused.value.message_dict == {"metric": ["Targets on response and resolution times need a business-hours calendar."]}
    assert services.target_add(
        actor=contracts.users["cm_it"], version=draft, data={"metric": "availability", "target": Decimal("99.9")}
    )
    api = _api(
        contracts.client_for("cm_it"),
        "post",
        f"/api/agreements/{contracts.contract.pk}/versions/{draft.number}/targets",
        {"metric": "resolution", "priority": 2, "target": "480"},
        f'"{AgreementVersion.objects.get(pk=draft.pk).version}"',
    )
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "metric"
    assert "business-hours calendar" in api.json()["detail"]
    assert draft.targets.count() == 1


def test_the_calendar_cannot_be_removed_while_timed_targets_remain(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    services.target_add(actor=contracts.users["cm_it"], version=draft, data={"metric": "response", "priority": 1, "target": 30})
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.version_update(
            actor=contracts.users["cm_it"], version=draft, data={"calendar": None}, expected_version=draft.version
        )
    assert "calendar" in refused.value.message_dict


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"metric": "availability", "target": Decimal("100.5")}, "target", "between 0 and 100"),
        ({"metric": "availability", "target": Decimal("99"), "priority": 1}, "priority", "no priority"),
        ({"metric": "response", "target": Decimal("0"), "priority": 1}, "target", "positive"),
        ({"metric": "resolution", "target": Decimal("-5")}, "target", "positive"),
    ],
)
def test_target_values_are_checked(contracts, data, field, message):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    with pytest.raises(ValidationError) as refused:
        services.target_add(actor=contracts.users["cm_it"], version=draft, data=data)
    assert message in " ".join(refused.value.message_dict[field])
    assert draft.targets.count() == 0


def test_targets_are_added_and_removed_on_the_version_page(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm2_it"])
    client = contracts.client_for("cm2_it")
    url = f"/agreements/{contracts.contract.pk}/versions/{draft.number}/targets/"
    client.post(url, {"metric": "resolution", "priority": "1", "target": "240", "version": draft.version})
    target = draft.targets.get()
    assert (target.metric, target.priority, target.target) == ("resolution", 1, Decimal("240"))
    refused = client.post(url, {"metric": "availability", "target": "150"}, follow=True).content.decode()
    assert "between 0 and 100" in refused
    client.post(f"{url}{target.pk}/remove/")
    assert draft.targets.count() == 0
    assert contracts.contract.current_version.targets.count() == 0


# --- parties per kind -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "parties", "field", "message"),
    [
        ("uc", {"provider_unit": "unit_b", "customer_unit": "unit_a"}, "provider_organisation", "needs a supplier"),
        (
            "uc",
            {"provider_organisation": "customer", "customer_unit": "unit_a"},
            "provider_organisation",
            "not marked as a supplier",
        ),
        ("uc", {"provider_organisation": "supplier"}, "customer_unit", "internal unit that buys"),
        ("ola", {"provider_unit": "unit_b", "customer_organisation": "customer"}, "customer_unit", "internal unit as customer"),
        ("ola", {"provider_organisation": "supplier", "customer_unit": "unit_a"}, "provider_unit", "internal unit as provider"),
        ("sla", {"provider_organisation": "supplier", "customer_unit": "unit_a"}, "provider_unit", "internal unit as provider"),
        ("sla", {"provider_unit": "unit_b"}, "customer_unit", "needs a customer"),
        (
            "sla",
            {"provider_unit": "unit_b", "customer_unit": "unit_a", "customer_organisation": "customer"},
            "customer_organisation",
            "Name one customer",
        ),
        (
            "sla",
            {"provider_unit": "unit_b", "customer_organisation": "supplier"},
            "customer_organisation",
            "not marked as an external",
        ),
    ],
)
def test_each_kind_needs_its_parties(contracts, kind, parties, field, message):
    org = contracts.org
    values = {"unit_a": org.unit_a, "unit_b": org.unit_b, "supplier": contracts.supplier, "customer": contracts.customer}
    data = {
        "kind": kind,
        "code": "NEW-1",
        "name": "New",
        "domain": org.it,
        "contract_manager": contracts.person("cm_it"),
        **{name: values[v] for name, v in parties.items()},
    }
    with pytest.raises(ValidationError) as refused:
        services.agreement_create(actor=contracts.users["cm_it"], data=data)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Agreement.objects.filter(code="NEW-1").exists()


def test_valid_parties_per_kind_and_the_api_names_the_field(contracts):
    org = contracts.org
    cm = contracts.users["cm_it"]
    base = {"domain": org.it, "contract_manager": contracts.person("cm_it"), "name": "Ok"}
    services.agreement_create(
        actor=cm,
        data={**base, "kind": "sla", "code": "S1", "provider_unit": org.unit_b, "customer_organisation": contracts.customer},
    )
    services.agreement_create(
        actor=cm, data={**base, "kind": "ola", "code": "O1", "provider_unit": org.unit_b, "customer_unit": org.unit_a}
    )
    services.agreement_create(
        actor=cm,
        data={**base, "kind": "uc", "code": "U1", "provider_organisation": contracts.supplier, "customer_unit": org.unit_a},
    )
    response = _api(
        contracts.client_for("cm_it"),
        "post",
        "/api/agreements/",
        {
            "kind": "uc",
            "code": "U2",
            "name": "x",
            "domain": org.it.pk,
            "contract_manager": contracts.person("cm_it").pk,
            "customer_unit": org.unit_a.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "provider_organisation", "message": "An underpinning contract needs a supplier as provider."}
    ]


def test_kind_drafting_rights_smo_drafts_sla_purchaser_drafts_uc(contracts):
    org = contracts.org
    sla = {
        "kind": "sla",
        "name": "x",
        "domain": org.it,
        "contract_manager": contracts.person("cm_it"),
        "provider_unit": org.unit_b,
        "customer_unit": org.unit_a,
    }
    uc = {
        "kind": "uc",
        "name": "y",
        "domain": org.it,
        "contract_manager": contracts.person("cm_it"),
        "provider_organisation": contracts.supplier,
        "customer_unit": org.unit_b,
    }
    assert services.agreement_create(actor=contracts.users["smo_it"], data={**sla, "code": "SLA-SMO"})
    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=contracts.users["smo_it"], data={**uc, "code": "UC-SMO"})
    assert services.agreement_create(actor=contracts.users["purchaser_it"], data={**uc, "code": "UC-PUR"})
    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=contracts.users["purchaser_it"], data={**sla, "code": "SLA-PUR"})
    with pytest.raises(PermissionDenied):
        draft_of(contracts.contract, contracts.users["smo_it"])


def test_parties_are_fixed_once_a_version_is_approved(contracts):
    with pytest.raises(ValidationError) as refused:
        services.agreement_update(
            actor=contracts.users["cm_it"],
            agreement=contracts.contract,
            data={"provider_organisation": contracts.other_supplier},
            expected_version=contracts.contract.version,
        )
    assert "provider_organisation" in refused.value.message_dict
    updated = services.agreement_update(
        actor=contracts.users["cm_it"], agreement=contracts.contract, data={"name": "Hosting 2026"}, expected_version=None
    )
    assert updated.name == "Hosting 2026"


# --- the parties and kind of an agreement being prepared -------------------------------------------


def _new_uc(contracts, code="UC-NEW"):
    """A supplier contract drafted by the purchaser, with a first draft covering the service."""
    purchaser = contracts.users["purchaser_it"]
    agreement = services.agreement_create(
        actor=purchaser,
        data={
            "kind": "uc",
            "code": code,
            "name": "Printing",
            "domain": contracts.org.it,
            "provider_organisation": contracts.supplier,
            "customer_unit": contracts.org.unit_b,
            "contract_manager": contracts.person("cm_it"),
        },
    )
    draft = services.version_new(actor=purchaser, agreement=agreement)
    draft, _warnings = services.version_update(
        actor=purchaser, version=draft, data={"services": [contracts.service]}, expected_version=None
    )
    return agreement, draft


def test_whoever_changes_the_parties_of_a_draft_may_not_approve_it(contracts):
    agreement, draft = _new_uc(contracts)
    cm = contracts.users["cm_it"]
    services.agreement_update(
        actor=cm, agreement=agreement, data={"provider_organisation": contracts.other_supplier}, expected_version=None
    )
    assert contracts.person("cm_it") in draft.edited_by.all()
    draft.refresh_from_db()
    services.version_submit(actor=contracts.users["purchaser_it"], version=draft, expected_version=None)
    with pytest.raises(services.SegregationOfDuties):
        services.version_approve(actor=cm, version=draft, expected_version=None)
    approved = services.version_approve(actor=contracts.users["cm2_it"], version=draft, expected_version=None)
    assert approved.status == "approved"


def test_the_kind_and_parties_are_frozen_while_a_version_is_in_review(contracts):
    agreement, draft = _new_uc(contracts)
    draft.refresh_from_db()
    services.version_submit(actor=contracts.users["purchaser_it"], version=draft, expected_version=None)
    cm = contracts.users["cm_it"]
    with pytest.raises(ValidationError) as refused:
        services.agreement_update(
            actor=cm, agreement=agreement, data={"provider_organisation": contracts.other_supplier}, expected_version=None
        )
    assert "in review" in refused.value.message_dict["provider_organisation"][0]
    agreement.refresh_from_db()
    assert agreement.provider_organisation == contracts.supplier
    response = _api(
        contracts.client_for("cm_it"),
        "patch",
        f"/api/agreements/{agreement.pk}",
        {"provider_organisation": contracts.other_supplier.pk},
        f'"{agreement.version}"',
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "provider_organisation"
    # What is not part of the terms still changes.
    assert services.agreement_update(actor=cm, agreement=agreement, data={"name": "Printing 2027"}, expected_version=None)


def test_changing_the_kind_needs_the_right_to_draft_that_kind(contracts):
    org = contracts.org
    agreement, _draft = _new_uc(contracts)
    to_ola = {"kind": "ola", "provider_organisation": None, "provider_unit": org.unit_a}
    with pytest.raises(PermissionDenied):
        services.agreement_update(
            actor=contracts.users["purchaser_it"], agreement=agreement, data=dict(to_ola), expected_version=None
        )
    agreement.refresh_from_db()
    assert agreement.kind == "uc"
    response = _api(
        contracts.client_for("purchaser_it"),
        "patch",
        f"/api/agreements/{agreement.pk}",
        {"kind": "ola", "provider_organisation": None, "provider_unit": org.unit_a.pk},
        f'"{agreement.version}"',
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.kind == "uc"
    # A contract manager drafts every kind.
    changed = services.agreement_update(actor=contracts.users["cm_it"], agreement=agreement, data=to_ola, expected_version=None)
    assert changed.kind == "ola"


# --- a target that was measured ---------------------------------------------------------------------


def test_a_target_that_was_measured_is_not_removed_and_the_refusal_is_clear(contracts):
    from regie.services.models import ServiceLevelMeasurement

    cm = contracts.users["cm_it"]
    draft = draft_of(contracts.contract, cm)
    target = services.target_add(actor=cm, version=draft, data={"metric": "availability", "target": Decimal("99.5")})
    ServiceLevelMeasurement.objects.create(
        target=target, service=contracts.service, period=date(2026, 3, 1), achieved=Decimal("99")
    )
    draft.refresh_from_db()
    counter = draft.version
    with pytest.raises(services.RuleBroken) as refused:
        services.target_remove(actor=cm, target=target, expected_version=None)
    assert refused.value.rule == "target_measured"
    assert draft.version == counter
    client = contracts.client_for("cm_it")
    url = f"/api/agreements/{contracts.contract.pk}/versions/{draft.number}/targets/{target.pk}"
    response = _api(client, "delete", url, etag=f'"{counter}"')
    assert response.status_code == 409 and response.json()["rule"] == "target_measured"
    page = client.post(
        f"/agreements/{contracts.contract.pk}/versions/{draft.number}/targets/{target.pk}/remove/",
        {"version": counter},
        follow=True,
    )
    assert page.status_code == 200 and "Service levels have been measured against this target" in page.content.decode()
    assert ServiceLevelTarget.objects.filter(pk=target.pk).exists()
    draft.refresh_from_db()
    assert draft.version == counter


# --- a version approved to start later --------------------------------------------------------------


def _approve_next(contracts, **terms):
    """A new version of the contract with these terms, drafted by the purchaser and approved by cm."""
    purchaser = contracts.users["purchaser_it"]
    draft = draft_of(contracts.contract, purchaser)
    draft, _warnings = services.version_update(actor=purchaser, version=draft, data=terms, expected_version=None)
    services.version_submit(actor=purchaser, version=draft, expected_version=None)
    return services.version_approve(actor=contracts.users["cm_it"], version=draft, expected_version=None)


def _twin_version(contracts, start, end):
    """A draft of another contract with the same supplier, customer and service."""
    twin = make_agreement(
        domain=contracts.org.it,
        manager=contracts.person("cm_it"),
        provider_organisation=contracts.supplier,
        customer_unit=contracts.org.unit_a,
    )
    return make_version(twin, specifier=contracts.person("purchaser_it"), start=start, end=end, service_list=[contracts.service])


def test_a_version_approved_to_start_later_leaves_the_version_in_force_until_its_start(contracts):
    from regie.suppliers import reminders
    from regie.suppliers.models import AgreementReminder

    today = timezone.localdate()
    agreement = contracts.contract
    first = agreement.current_version
    AgreementVersion.objects.filter(pk=first.pk).update(
        start=today - timedelta(days=300), end=None, notice_date=today + timedelta(days=20)
    )
    later = _approve_next(contracts, start=today + timedelta(days=30), end=today + timedelta(days=60), notice_date=None)
    agreement.refresh_from_db()
    first.refresh_from_db()
    assert later.status == "approved" and later.comes_into_force_later
    assert first.status == "approved" and agreement.current_version == first
    client = contracts.client_for("cm_it")
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert 'id="agreement-in-force">version 1 in force' in page and f'data-upcoming="{later.number}"' in page
    # The version in force keeps its reminders.
    reminders.send_deadline_reminders(today)
    assert AgreementReminder.objects.filter(agreement=agreement, kind="notice").count() == 1
    # Another contract for the same supplier, customer and service may not overlap the version in force...
    clash = _twin_version(contracts, today, today + timedelta(days=10))
    with pytest.raises(services.RuleBroken) as refused:
        services.version_submit(actor=contracts.users["cm_it"], version=clash, expected_version=None)
    assert refused.value.rule == "overlapping_period"
    assert date_format(today + timedelta(days=29), "j M Y") in str(refused.value)
    # ...but may follow the later version, although the first one was agreed open-ended.
    clear = _twin_version(contracts, today + timedelta(days=61), None)
    assert services.version_submit(actor=contracts.users["cm_it"], version=clear, expected_version=None).status == "in_review"
    # The job brings the later version into force on its start, once.
    assert services.versions_bring_into_force(today=today + timedelta(days=29)) == 0
    assert services.versions_bring_into_force(today=today + timedelta(days=30)) == 1
    assert services.versions_bring_into_force(today=today + timedelta(days=30)) == 0
    agreement.refresh_from_db()
    first.refresh_from_db()
    assert agreement.current_version == later and first.status == "superseded"


def test_the_hourly_job_puts_a_version_into_force_when_its_start_has_come(contracts):
    from regie.core import jobs

    today = timezone.localdate()
    first = contracts.contract.current_version
    AgreementVersion.objects.filter(pk=first.pk).update(start=today - timedelta(days=300), end=None)
    later = _approve_next(contracts, start=today + timedelta(days=5))
    contracts.contract.refresh_from_db()
    assert contracts.contract.current_version == first
    AgreementVersion.objects.filter(pk=later.pk).update(start=today)  # the start has come
    jobs.enqueue("suppliers.send_reminders")
    jobs.run_pending()
    contracts.contract.refresh_from_db()
    first.refresh_from_db()
    assert contracts.contract.current_version == later and first.status == "superseded"


def test_a_superseded_version_still_counts_for_the_period_it_was_in_force(contracts):
    today = timezone.localdate()
    first = contracts.contract.current_version
    AgreementVersion.objects.filter(pk=first.pk).update(start=today - timedelta(days=300), end=None)
    second = _approve_next(contracts, start=today - timedelta(days=100))
    first.refresh_from_db()
    assert first.status == "superseded" and second.status == "approved"
    clash = _twin_version(contracts, today - timedelta(days=200), today - timedelta(days=150))
    with pytest.raises(services.RuleBroken) as refused:
        services.version_submit(actor=contracts.users["cm_it"], version=clash, expected_version=None)
    period = f"{date_format(today - timedelta(days=300), 'j M Y')} – {date_format(today - timedelta(days=101), 'j M Y')}"
    assert f"Overlaps {contracts.contract.code} ({period}) for service Workplace." == str(refused.value)
    before = _twin_version(contracts, today - timedelta(days=400), today - timedelta(days=301))
    assert services.version_submit(actor=contracts.users["cm_it"], version=before, expected_version=None).status == "in_review"


def test_submission_and_approval_check_overlaps_after_claiming_the_version_and_locking_competitors(contracts):
    calls: list = []
    real_lock, real_check = services._lock_competitors, services._require_no_overlap

    def lock(agreement):
        calls.append("lock")
        real_lock(agreement)

    def check(version):
        calls.append(("check", AgreementVersion.objects.get(pk=version.pk).version))
        real_check(version)

    purchaser = contracts.users["purchaser_it"]
    draft = draft_of(contracts.contract, purchaser)
    counter = draft.version
    with (
        mock.patch.object(services, "_lock_competitors", lock),
        mock.patch.object(services, "_require_no_overlap", check),
        CaptureQueriesContext(connection) as queries,
    ):
        services.version_submit(actor=purchaser, version=draft, expected_version=counter)
        services.version_approve(actor=contracts.users["cm_it"], version=draft, expected_version=counter + 1)
    assert calls == ["lock", ("check", counter + 1), "lock", ("check", counter + 2)]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)


def test_a_refused_submission_leaves_the_version_as_it_was(contracts):
    clash = _twin_version(contracts, date(2026, 6, 1), None)
    counter = clash.version
    with pytest.raises(services.RuleBroken):
        services.version_submit(actor=contracts.users["cm_it"], version=clash, expected_version=None)
    assert clash.version == counter and clash.status == "draft"
    clash.refresh_from_db()
    assert clash.version == counter and clash.status == "draft"


# --- the version page -------------------------------------------------------------------------------


def test_the_version_page_reads_offerings_and_targets_in_a_fixed_number_of_queries(contracts):
    from regie.services.models import ServiceOffering

    first = contracts.contract.current_version
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    client = contracts.client_for("cm_it")

    def grow(label, n):
        for i in range(n):
            offering = ServiceOffering.objects.create(service=contracts.service, code=f"{label}{i}", name=f"Offering {label}{i}")
            first.offerings.add(offering)
            draft.offerings.add(offering)
            for version in (first, draft):
                ServiceLevelTarget.objects.create(version=version, metric="availability", target=Decimal("99"), offering=offering)

    def count(page):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.get_absolute_url()).status_code == 200
        return len(queries.captured_queries)

    grow("A", 1)
    before = (count(first), count(draft), count(contracts.contract))
    grow("B", 5)
    assert (count(first), count(draft), count(contracts.contract)) == before
