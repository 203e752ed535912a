"""Obligations: late and missed ones flagged, penalties summed in the supplier's performance, recurring
ones renewed, and the reminders of obligations and of agreements' notice, renewal and end dates sent once
(and again after a failed send)."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from regie.suppliers import reminders, selectors, services
from regie.suppliers.models import AgreementReminder, Obligation
from regie.suppliers.tests.conftest import make_obligation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _mixed(contracts):
    """On time, late with a service credit, missed with a penalty, overdue, open; and one the customer owes."""
    contract = contracts.contract
    make_obligation(contract, due_date=TODAY - timedelta(days=40), status="delivered", delivered_on=TODAY - timedelta(days=41))
    make_obligation(
        contract,
        due_date=TODAY - timedelta(days=30),
        status="late",
        delivered_on=TODAY - timedelta(days=25),
        consequence_kind="service_credit",
        penalty_amount=Decimal("1500"),
    )
    make_obligation(
        contract, due_date=TODAY - timedelta(days=20), status="missed", consequence_kind="penalty", penalty_amount=Decimal("5000")
    )
    make_obligation(contract, due_date=TODAY - timedelta(days=3), consequence_kind="penalty", penalty_amount=Decimal("800"))
    make_obligation(contract, due_date=TODAY + timedelta(days=5))
    make_obligation(contract, due_date=TODAY - timedelta(days=3), owed_by="customer", description="Pay the invoice")


def test_flags_and_penalties_of_a_supplier(contracts):
    _mixed(contracts)
    result = selectors.performance(selectors.supplier_obligations(contracts.users["cm_it"], contracts.supplier))
    assert (result.on_time, result.late, result.missed, result.overdue, result.open) == (1, 1, 1, 1, 1)
    # An overdue obligation's penalty counts once it is declared missed, not before.
    assert result.penalties == {"EUR": Decimal("6500.00")}
    other = selectors.performance(selectors.supplier_obligations(contracts.users["cm_it"], contracts.other_supplier))
    assert other.total == 0 and other.penalties == {}


def test_the_flag_of_one_obligation_matches_the_sql(contracts):
    _mixed(contracts)
    for obligation in selectors.with_flags(Obligation.objects.all()):
        assert obligation.flag == selectors.flag_of(Obligation.objects.get(pk=obligation.pk))


def test_the_supplier_page_flags_late_and_missed_in_red_with_the_penalties(contracts):
    _mixed(contracts)
    page = contracts.client_for("cm_it").get(contracts.supplier.get_absolute_url()).content.decode()
    assert 'id="perf-missed">1<' in page and 'id="perf-late">1<' in page and 'id="perf-overdue">1<' in page
    assert "EUR 6,500.00" in page
    assert page.count('class="table-danger" data-flag="missed"') == 1
    assert page.count('class="table-danger" data-flag="late"') == 1
    assert page.count('class="table-danger" data-flag="overdue"') == 1
    assert 'class="" data-flag="on_time"' in page
    assert "Pay the invoice" not in page  # owed by us, not by the supplier
    assert contracts.contract.get_absolute_url() in page and contracts.service.get_absolute_url() in page


def test_delivery_after_the_due_date_counts_as_late(contracts):
    cm = contracts.users["cm_it"]
    on_time = make_obligation(contracts.contract, due_date=TODAY - timedelta(days=2))
    late = make_obligation(contracts.contract, due_date=TODAY - timedelta(days=2))
    services.obligation_deliver(actor=cm, obligation=on_time, delivered_on=TODAY - timedelta(days=2), expected_revision=1)
    services.obligation_deliver(actor=cm, obligation=late, delivered_on=TODAY, expected_revision=1)
    assert (on_time.status, on_time.flag) == ("delivered", "on_time")
    assert (late.status, late.flag) == ("late", "late")
    with pytest.raises(services.RuleBroken):
        services.obligation_deliver(actor=cm, obligation=late, delivered_on=TODAY, expected_revision=None)
    future = make_obligation(contracts.contract)
    with pytest.raises(ValidationError) as refused:
        services.obligation_deliver(actor=cm, obligation=future, delivered_on=TODAY + timedelta(days=1), expected_revision=None)
    assert "delivered_on" in refused.value.message_dict


def test_a_recurring_obligation_gets_its_next_occurrence(contracts):
    obligation = make_obligation(
        contracts.contract,
        due_date=date(2026, 1, 31),
        recurrence="monthly",
        penalty_amount=Decimal("100"),
        consequence_kind="penalty",
    )
    _done, following = services.obligation_deliver(
        actor=contracts.users["cm_it"], obligation=obligation, delivered_on=date(2026, 1, 30), expected_revision=None
    )
    assert following is not None and following.due_date == date(2026, 2, 28) and following.status == "open"
    assert (following.recurrence, following.penalty_amount) == ("monthly", Decimal("100"))


def test_the_owner_records_delivery_but_only_a_contract_manager_declares_it_missed(contracts):
    owner = contracts.users["service_owner"]
    obligation = make_obligation(contracts.contract, due_date=TODAY - timedelta(days=1), owner=contracts.person("service_owner"))
    with pytest.raises(PermissionDenied):
        services.obligation_close(actor=owner, obligation=obligation, status="missed", expected_revision=None)
    with pytest.raises(PermissionDenied):
        services.obligation_update(actor=owner, obligation=obligation, data={"description": "x"}, expected_revision=None)
    assert "consequence_kind" in _error_fields(
        lambda: services.obligation_close(
            actor=contracts.users["cm_it"],
            obligation=obligation,
            status="missed",
            penalty_amount=Decimal("250"),
            expected_revision=None,
        )
    )
    obligation.refresh_from_db()
    assert obligation.status == "open"
    services.obligation_close(
        actor=contracts.users["cm_it"],
        obligation=obligation,
        status="missed",
        penalty_amount=Decimal("250"),
        consequence_kind="penalty",
        note="No report",
        expected_revision=None,
    )
    obligation.refresh_from_db()
    assert (obligation.status, obligation.penalty_amount, obligation.consequence_kind) == ("missed", Decimal("250"), "penalty")
    assert obligation.notes == "No report"
    other = make_obligation(contracts.contract, due_date=TODAY - timedelta(days=1), owner=contracts.person("service_owner"))
    services.obligation_deliver(actor=owner, obligation=other, delivered_on=TODAY, expected_revision=None)
    assert other.status == "late"


def _error_fields(call):
    try:
        call()
    except ValidationError as error:
        return set(error.message_dict)
    return set()


def test_an_obligation_cannot_be_missed_before_its_due_date(contracts):
    obligation = make_obligation(contracts.contract, due_date=TODAY + timedelta(days=3))
    with pytest.raises(ValidationError):
        services.obligation_close(actor=contracts.users["cm_it"], obligation=obligation, status="missed", expected_revision=None)
    services.obligation_close(actor=contracts.users["cm_it"], obligation=obligation, status="waived", expected_revision=None)
    assert obligation.status == "waived"


def test_obligations_through_the_pages(contracts):
    client = contracts.client_for("cm_it")
    url = f"/obligations/add/?agreement={contracts.contract.pk}"
    data = {
        "description": "Quarterly capacity report",
        "owed_by": "provider",
        "due_date": (TODAY - timedelta(days=2)).isoformat(),
        "recurrence": "quarterly",
        "owner": contracts.person("cm_it").pk,
        "consequence_kind": "",
        "penalty_amount": "300",
        "currency": "EUR",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "penalty or a service credit" in bad.content.decode()
    data["consequence_kind"] = "service_credit"
    created = client.post(url, data)
    assert created.status_code == 302
    obligation = Obligation.objects.get(description="Quarterly capacity report")
    assert obligation.version == contracts.contract.current_version
    page = client.get(obligation.get_absolute_url()).content.decode()
    assert 'id="obligation-flag">overdue<' in page and "bg-red" in page
    client.post(f"/obligations/{obligation.pk}/deliver/", {"delivered_on": TODAY.isoformat(), "revision": obligation.revision})
    obligation.refresh_from_db()
    assert obligation.status == "late"
    assert Obligation.objects.filter(description="Quarterly capacity report", status="open").count() == 1
    listing = client.get("/obligations/", {"flag": "late"}).content.decode()
    assert obligation.get_absolute_url() in listing


def test_obligations_through_the_api(contracts):
    client = contracts.client_for("cm_it")
    created = client.post(
        "/api/obligations/",
        json.dumps(
            {"agreement": contracts.contract.pk, "description": "Security audit", "due_date": str(TODAY - timedelta(days=1))}
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["flag"] == "overdue" and created["ETag"] == '"1"'
    pk = body["id"]
    listed = client.get("/api/obligations/", {"flag": "overdue"}).json()
    assert [row["id"] for row in listed["items"]] == [pk] and listed["items"][0]["flag"] == "overdue"
    stale = client.post(
        f"/api/obligations/{pk}/deliver",
        json.dumps({"delivered_on": str(TODAY)}),
        content_type="application/json",
        headers={"If-Match": '"7"'},
    )
    assert stale.status_code == 409
    closed = client.post(
        f"/api/obligations/{pk}/close",
        json.dumps({"status": "missed", "penalty_amount": "900"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert closed.status_code == 422 and closed.json()["errors"][0]["field"] == "consequence_kind"
    closed = client.post(
        f"/api/obligations/{pk}/close",
        json.dumps({"status": "missed"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert closed.status_code == 200 and closed.json()["flag"] == "missed" and closed["ETag"] == '"2"'
    bad = client.post(
        "/api/obligations/",
        json.dumps({"agreement": contracts.contract.pk, "description": "", "due_date": "x"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"description", "due_date"}


# --- reminders ------------------------------------------------------------------------------------


def _notice_in(contracts, days, **extra):
    """The contract's notice date in ``days`` days (and no other deadline near)."""
    contracts.other_contract.versions.update(end=None)
    version = contracts.contract.current_version
    version.end = TODAY + timedelta(days=days + 90)
    version.notice_date = TODAY + timedelta(days=days)
    for name, value in extra.items():
        setattr(version, name, value)
    version.save()
    return version


def test_notice_reminders_go_once_per_threshold(contracts):
    _notice_in(contracts, 45)
    with override_settings(REGIE_AGREEMENT_NOTICE_DAYS=[60, 30, 7]):
        assert reminders.send_due(TODAY)["deadlines"] == 1
        assert reminders.send_due(TODAY)["deadlines"] == 0
        assert reminders.send_due(TODAY + timedelta(days=10))["deadlines"] == 0
        assert reminders.send_due(TODAY + timedelta(days=15))["deadlines"] == 1  # 30 days left
        assert reminders.send_due(TODAY + timedelta(days=40))["deadlines"] == 1  # 5 days left
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.to == [contracts.person("cm_it").email]
    assert contracts.contract.code in message.subject and "notice date" in message.subject
    assert contracts.contract.get_absolute_url() in message.body
    assert AgreementReminder.objects.filter(kind="notice").count() == 3


def test_a_failed_send_is_tried_again_on_the_next_run(contracts):
    _notice_in(contracts, 20)
    with mock.patch("regie.suppliers.reminders.EmailMessage.send", side_effect=OSError("mail server down")):
        assert reminders.send_due(TODAY)["deadlines"] == 0
    assert AgreementReminder.objects.count() == 0
    assert reminders.send_due(TODAY)["deadlines"] == 1
    assert reminders.send_due(TODAY)["deadlines"] == 0
    assert len(mail.outbox) == 1


def test_renewal_and_end_dates_remind_too_and_superseded_versions_do_not(contracts):
    _notice_in(contracts, 200, renewal_date=TODAY + timedelta(days=6), end=TODAY + timedelta(days=25))
    contracts.other_contract.versions.update(status="superseded", end=TODAY + timedelta(days=6))
    with override_settings(REGIE_AGREEMENT_NOTICE_DAYS="30"):
        assert reminders.send_due(TODAY)["deadlines"] == 2
    assert {r.kind for r in AgreementReminder.objects.all()} == {"renewal", "end"}


def test_obligation_owners_are_reminded_before_and_when_overdue_once_each(contracts):
    contracts.contract.versions.update(end=None)
    contracts.other_contract.versions.update(end=None)
    owner = contracts.person("service_owner")
    obligation = make_obligation(contracts.contract, due_date=TODAY + timedelta(days=3), owner=owner)
    unowned = make_obligation(contracts.contract, due_date=TODAY + timedelta(days=2))
    make_obligation(contracts.contract, due_date=TODAY + timedelta(days=30), owner=owner)
    with override_settings(REGIE_OBLIGATION_REMIND_DAYS=7):
        assert reminders.send_due(TODAY)["obligations"] == 2
        assert reminders.send_due(TODAY)["obligations"] == 0
        assert reminders.send_due(TODAY + timedelta(days=4))["obligations"] == 2  # both overdue now
        assert reminders.send_due(TODAY + timedelta(days=5))["obligations"] == 0
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([owner.email, owner.email, contracts.person("cm_it").email, contracts.person("cm_it").email])
    assert any("Overdue under" in m.subject and str(obligation) in m.subject for m in mail.outbox)
    services.obligation_deliver(actor=contracts.users["cm_it"], obligation=unowned, delivered_on=TODAY, expected_revision=None)
    assert reminders.send_due(TODAY + timedelta(days=6))["obligations"] == 0


def test_the_job_is_scheduled():
    from regie.core.jobs import SCHEDULES, TASKS

    schedule = SCHEDULES["Agreement deadlines and obligation reminders"]
    assert schedule.task == "suppliers.send_reminders" and schedule.task in TASKS


def test_deadlines_and_watched_obligations_on_my_work(contracts):
    _notice_in(contracts, 20)
    make_obligation(
        contracts.contract,
        description="Monthly service report",
        due_date=TODAY - timedelta(days=1),
        owner=contracts.person("cm2_it"),
    )
    page = contracts.client_for("cm_it").get("/my-work/").content.decode()
    assert "Agreement deadlines" in page and f"{contracts.contract.code} · notice date" in page
    watcher = contracts.client_for("cm2_it").get("/my-work/").content.decode()
    assert "Obligations I watch" in watcher and "Monthly service report" in watcher and "overdue since" in watcher


def test_an_obligation_has_a_history_an_export_and_is_archived_not_deleted(contracts):
    obligation = make_obligation(contracts.contract, description="Annual penetration test")
    client = contracts.client_for("cm_it")
    services.obligation_update(
        actor=contracts.users["cm_it"],
        obligation=obligation,
        data={"notes": "Scope agreed"},
        expected_revision=obligation.revision,
    )
    history = client.get(f"/obligations/{obligation.pk}/history/").content.decode()
    assert "Scope agreed" in history and str(contracts.person("cm_it")) in history
    assert [e["kind_label"] for e in client.get(f"/api/obligations/{obligation.pk}/history").json()][:1] == ["changed"]
    exported = client.get("/obligations/", {"export": "csv"}).content.decode()
    assert "Annual penetration test" in exported and "open" in exported
    stale = client.post(f"/obligations/{obligation.pk}/archive/", {"revision": 1}, follow=True).content.decode()
    assert "changed by someone else" in stale
    assert client.post(f"/obligations/{obligation.pk}/archive/", {"revision": 2}).status_code == 302
    obligation.refresh_from_db()
    assert obligation.archived_at is not None and Obligation.objects.filter(pk=obligation.pk).exists()
    assert obligation.get_absolute_url() not in client.get("/obligations/").content.decode()
    assert contracts.client_for("member_it").post(f"/obligations/{obligation.pk}/archive/", {"restore": "1"}).status_code == 403


# --- recurring obligations ------------------------------------------------------------------------


def _monthly(contracts, due_date):
    return services.obligation_create(
        actor=contracts.users["cm_it"],
        agreement=contracts.contract,
        data={"description": "Monthly service report", "due_date": due_date, "recurrence": "monthly"},
    )


def test_a_recurring_series_keeps_to_the_day_of_the_month_it_started_on(contracts):
    year = TODAY.year - 1
    obligation = _monthly(contracts, date(year, 1, 31))
    assert obligation.anchor_day == 31
    due_dates = []
    for _ in range(4):
        _done, obligation = services.obligation_deliver(
            actor=contracts.users["cm_it"], obligation=obligation, delivered_on=TODAY, expected_revision=None
        )
        due_dates.append(obligation.due_date)
    february = calendar.monthrange(year, 2)[1]
    assert due_dates == [date(year, 2, february), date(year, 3, 31), date(year, 4, 30), date(year, 5, 31)]


@pytest.mark.parametrize("outcome", ["missed", "waived"])
def test_a_recurring_obligation_missed_or_waived_gets_its_next_occurrence(contracts, outcome):
    year = TODAY.year - 1
    obligation = _monthly(contracts, date(year, 8, 31))
    services.obligation_close(actor=contracts.users["cm_it"], obligation=obligation, status=outcome, expected_revision=None)
    following = Obligation.objects.get(agreement=contracts.contract, status="open")
    assert (following.due_date, following.description, following.recurrence) == (
        date(year, 9, 30),
        "Monthly service report",
        "monthly",
    )
    _done, after = services.obligation_deliver(
        actor=contracts.users["cm_it"], obligation=following, delivered_on=TODAY, expected_revision=None
    )
    assert after.due_date == date(year, 10, 31)


# --- dates far away -------------------------------------------------------------------------------


def test_far_away_due_dates_are_refused_clearly_and_never_crash(contracts):
    client = contracts.client_for("cm_it")
    for due in ("9999-12-15", "0001-01-01"):
        response = client.post(
            "/api/obligations/",
            json.dumps({"agreement": contracts.contract.pk, "description": "Far", "due_date": due}),
            content_type="application/json",
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "due_date"
    page = client.post(
        f"/obligations/add/?agreement={contracts.contract.pk}",
        {"description": "Far", "owed_by": "provider", "due_date": "9999-12-15", "recurrence": "monthly", "currency": "EUR"},
    )
    assert page.status_code == 400 and "Give a date between 1900-01-01 and 9998-12-31." in page.content.decode()
    with pytest.raises(ValidationError) as refused:
        _monthly(contracts, date(9999, 12, 15))
    assert "due_date" in refused.value.message_dict
    assert not Obligation.objects.filter(description__in=["Far", "Monthly service report"]).exists()
    # The last month a due date may fall in has no next occurrence, and one stored beyond it no longer crashes.
    last = _monthly(contracts, date(9998, 12, 15))
    _done, following = services.obligation_deliver(
        actor=contracts.users["cm_it"], obligation=last, delivered_on=TODAY, expected_revision=None
    )
    assert following is None
    stored = Obligation.objects.create(
        agreement=contracts.contract, description="Stored long ago", due_date=date(9999, 12, 15), recurrence="monthly"
    )
    _done, following = services.obligation_deliver(
        actor=contracts.users["cm_it"], obligation=stored, delivered_on=TODAY, expected_revision=None
    )
    assert following is None


# --- archived obligations and agreements ----------------------------------------------------------


def test_an_archived_obligation_is_neither_delivered_nor_closed(contracts):
    cm = contracts.users["cm_it"]
    obligation = make_obligation(contracts.contract, recurrence="monthly", due_date=TODAY - timedelta(days=1))
    services.obligation_archive(actor=cm, obligation=obligation, expected_revision=None)
    with pytest.raises(ValidationError):
        services.obligation_deliver(actor=cm, obligation=obligation, delivered_on=TODAY, expected_revision=None)
    with pytest.raises(ValidationError):
        services.obligation_close(actor=cm, obligation=obligation, status="missed", expected_revision=None)
    response = contracts.client_for("cm_it").post(
        f"/api/obligations/{obligation.pk}/deliver",
        json.dumps({"delivered_on": str(TODAY)}),
        content_type="application/json",
        headers={"If-Match": f'"{obligation.revision}"'},
    )
    assert response.status_code == 422 and "restore it first" in response.json()["detail"]
    assert Obligation.objects.filter(agreement=contracts.contract).count() == 1
    obligation.refresh_from_db()
    assert obligation.status == "open"


def test_the_obligations_of_an_archived_agreement_are_neither_delivered_nor_closed(contracts):
    cm = contracts.users["cm_it"]
    obligation = make_obligation(contracts.contract, recurrence="monthly", due_date=TODAY - timedelta(days=1))
    services.agreement_archive(actor=cm, agreement=contracts.contract, expected_version=None)
    obligation.refresh_from_db()
    for attempt in (
        lambda: services.obligation_deliver(actor=cm, obligation=obligation, delivered_on=TODAY, expected_revision=None),
        lambda: services.obligation_close(actor=cm, obligation=obligation, status="waived", expected_revision=None),
        lambda: services.obligation_update(actor=cm, obligation=obligation, data={"notes": "x"}, expected_revision=None),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "is archived" in refused.value.messages[0]
    page = contracts.client_for("cm_it").post(
        f"/obligations/{obligation.pk}/deliver/",
        {"delivered_on": TODAY.isoformat(), "revision": obligation.revision},
        follow=True,
    )
    assert page.status_code == 200 and "is archived" in page.content.decode()
    assert list(Obligation.objects.filter(agreement=contracts.contract).values_list("status", flat=True)) == ["open"]


# --- what a closed obligation said stays ----------------------------------------------------------


def test_a_delivered_or_missed_obligation_keeps_its_terms(contracts):
    cm = contracts.users["cm_it"]
    missed = make_obligation(
        contracts.contract,
        due_date=TODAY - timedelta(days=5),
        status="missed",
        consequence_kind="penalty",
        penalty_amount=Decimal("5000"),
    )
    for data in (
        {"due_date": TODAY + timedelta(days=30)},
        {"penalty_amount": Decimal("0")},
        {"recurrence": "monthly"},
    ):
        with pytest.raises(ValidationError) as refused:
            services.obligation_update(actor=cm, obligation=missed, data=data, expected_revision=None)
        assert set(refused.value.message_dict) == set(data)
    missed.refresh_from_db()
    assert (missed.due_date, missed.penalty_amount, missed.recurrence) == (TODAY - timedelta(days=5), Decimal("5000"), "none")
    # Its owner and notes may still change.
    noted = services.obligation_update(
        actor=cm, obligation=missed, data={"notes": "Escalated", "owner": contracts.person("cm_it")}, expected_revision=None
    )
    assert noted.notes == "Escalated"
    client = contracts.client_for("cm_it")
    response = client.patch(
        f"/api/obligations/{missed.pk}",
        json.dumps({"due_date": str(TODAY + timedelta(days=30))}),
        content_type="application/json",
        headers={"If-Match": f'"{noted.revision}"'},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "due_date"
    delivered = make_obligation(contracts.contract, due_date=TODAY - timedelta(days=5), status="delivered", delivered_on=TODAY)
    page = client.post(
        f"/obligations/{delivered.pk}/edit/",
        {
            "description": delivered.description,
            "owed_by": "provider",
            "due_date": (TODAY + timedelta(days=30)).isoformat(),
            "recurrence": "none",
            "currency": "EUR",
            "revision": delivered.revision,
        },
    )
    assert page.status_code == 400 and "what it said stays as it was" in page.content.decode()
    delivered.refresh_from_db()
    assert delivered.due_date == TODAY - timedelta(days=5)


# --- who is reminded ------------------------------------------------------------------------------


def test_a_new_version_that_keeps_the_notice_date_does_not_remind_again(contracts):
    version = _notice_in(contracts, 25)
    assert reminders.send_deadline_reminders(TODAY) == 1
    purchaser = contracts.users["purchaser_it"]
    draft = services.version_new(actor=purchaser, agreement=contracts.contract)
    services.version_update(actor=purchaser, version=draft, data={"price_terms": "Indexed 3 %"}, expected_version=None)
    services.version_submit(actor=purchaser, version=draft, expected_version=None)
    services.version_approve(actor=contracts.users["cm_it"], version=draft, expected_version=None)
    contracts.contract.refresh_from_db()
    assert contracts.contract.current_version == draft and draft.notice_date == version.notice_date
    assert reminders.send_deadline_reminders(TODAY + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("unreachable", ["archived", "no_email"])
def test_an_unreachable_owner_is_replaced_by_the_contract_manager(contracts, unreachable):
    from django.utils import timezone

    from regie.core.models import Person

    owner = contracts.person("service_owner")
    changes = {"archived_at": timezone.now()} if unreachable == "archived" else {"email": ""}
    Person.objects.filter(pk=owner.pk).update(**changes)
    obligation = make_obligation(contracts.contract, due_date=TODAY + timedelta(days=2), owner=owner)
    assert reminders.send_obligation_reminders(TODAY) == 1
    assert [m.to for m in mail.outbox] == [[contracts.person("cm_it").email]]
    assert AgreementReminder.objects.get().obligation == obligation
