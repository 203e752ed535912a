"""The service desk in a real browser, on the demo organisation: the head of operations (a customer of the
digital workplace) logs an incident; the desk assigns it to the service desk team and to himself, starts
it and asks the customer a question — the clock pauses —; the customer answers, the desk resolves it, and
the customer sees the resolution. The SLA clocks, the team queue and the workflow's instructions are on
the pages.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

from regie.cases.models import Case, SlaClock
from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]


def _step(page, code: str, note: str = "", **fields: str) -> None:
    form = page.locator(f'form[data-step="{code}"]')
    if form.locator("details").count() and form.locator("details").get_attribute("open") is None:
        form.locator("summary").click()
    if note:
        form.locator("textarea[name=note]").fill(note)
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_an_incident_from_logging_to_resolution(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    base = live_server.url
    errors: list[str] = []

    # 1. The customer logs an incident.
    customer_context, customer = _sign_in(browser, base, "ops", errors)
    customer.goto(f"{base}/cases/new/")
    customer.select_option("#id_kind", "incident")
    customer.select_option("#id_service", label="WORKPLACE Digital workplace")
    customer.fill("#id_title", "Teams calls drop after a minute")
    customer.fill("#id_description", "Since this morning every Teams call drops after about a minute, on Wi-Fi and cable.")
    customer.select_option("#id_impact", "2")
    customer.select_option("#id_urgency", "1")
    _shot(customer, "case-new")
    customer.click("#log-button")
    customer.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get(title="Teams calls drop after a minute")
    assert case.priority == 2 and case.state == "logged"
    assert "Logged" in customer.locator("#case-state").inner_text()
    assert customer.locator('form[data-step="assign"]').count() == 0  # not the customer's step

    # 2. The desk finds it in the list, assigns it to the service desk team and to himself, and starts.
    desk_context, desk = _sign_in(browser, base, "desk", errors)
    desk.goto(f"{base}/cases/")
    desk.click(f'tr[data-case="{case.number}"] a')
    desk.wait_for_url(re.compile(rf".*/cases/{case.pk}/$"))
    desk.select_option("#id_assign_team", label="Service desk")
    desk.select_option("#id_assign_assignee", label="Yusuf Demir")
    desk.click("#assign-form button[type=submit]")
    desk.wait_for_url(re.compile(rf".*/cases/{case.pk}/$"))
    _step(desk, "assign")
    assert "Assigned" in desk.locator("#case-state").inner_text()
    _step(desk, "start")
    assert "In progress" in desk.locator("#case-state").inner_text()
    clocks = desk.locator("#case-clocks")
    assert "SLA-001" in clocks.inner_text() and clocks.locator('[data-clock="resolution"]').count() >= 1
    _shot(desk, "case-in-progress")

    # 3. A question to the customer: the clock pauses.
    _step(desk, "wait_for_customer", note="Does it also happen on the laptop's own Wi-Fi at home?")
    case.refresh_from_db()
    assert case.state == "waiting_customer"
    assert SlaClock.objects.get(case=case, name="resolution", link__isnull=True).status == "paused"
    assert "paused" in desk.locator('#case-clocks [data-clock="resolution"]').first.inner_text()
    _shot(desk, "case-waiting")

    # 4. The customer answers on the case's page.
    customer.goto(f"{base}/cases/{case.pk}/")
    _step(customer, "answer", note="Yes, at home as well.")
    case.refresh_from_db()
    assert case.state == "in_progress"

    # 5. The team's queue shows it; the desk resolves it.
    desk.goto(f"{base}/cases/queue/")
    assert desk.locator(f'tr[data-case="{case.number}"]').count() == 1
    _shot(desk, "case-queue")
    desk.goto(f"{base}/cases/{case.pk}/")
    _step(desk, "resolve")  # the resolution is required: the form says so, nothing changes
    assert desk.locator('form[data-step="resolve"] .invalid-feedback').count() >= 1
    case.refresh_from_db()
    assert case.state == "in_progress"
    _step(desk, "resolve", resolution="The Teams client is updated to the current release; calls stay up.")
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_at is not None
    assert SlaClock.objects.get(case=case, name="resolution", link__isnull=True).status == "stopped"

    # 6. The customer sees the resolution and the history.
    customer.goto(f"{base}/cases/{case.pk}/")
    assert "The Teams client is updated" in customer.locator("body").inner_text()
    assert customer.locator('#case-history [data-event="state"]').count() == 5
    _shot(customer, "case-resolved")
    assert not errors, errors
    customer_context.close()
    desk_context.close()


def test_a_change_specified_approved_by_another_and_realised_by_a_third(live_server, browser, transactional_db):  # noqa: F811
    """The head of operations requests a change; the change manager (cab) assesses and approves it — not
    the requester, who is not offered the decision —; the service desk (desk) realises it in a planned
    window and completes it; the change manager, having approved it, is not offered its realisation."""
    load_demo(lambda _line: None)
    base = live_server.url
    errors: list[str] = []

    requester_context, requester = _sign_in(browser, base, "ops", errors)
    requester.goto(f"{base}/cases/new/?kind=change")
    requester.select_option("#id_service", label="WORKPLACE Digital workplace")
    requester.fill("#id_title", "Move the shared mailboxes to the new mail platform")
    requester.fill("#id_description", "The sales and operations shared mailboxes, in one evening, with a fallback.")
    requester.click("#log-button")
    requester.wait_for_url(re.compile(r".*/cases/\d+/$"))
    change = Case.objects.get(title="Move the shared mailboxes to the new mail platform")
    assert change.kind == "change" and change.number.startswith("RFC-")
    assert requester.locator("#change-decide-form").count() == 0

    manager_context, manager = _sign_in(browser, base, "cab", errors)
    manager.goto(f"{base}/cases/{change.pk}/")
    _step(manager, "assess", note="Low risk with the fallback.", impact_assessment="Shared mailboxes unavailable for an hour.")
    assert manager.locator('form[data-step="assess"] .invalid-feedback').count() >= 1  # the risk is needed too
    manager.locator('form[data-step="assess"] select[name=risk]').select_option("3")
    manager.locator('form[data-step="assess"] button[type=submit]').click()
    manager.wait_for_load_state()
    change.refresh_from_db()
    assert change.state == "assessed"
    manager.select_option("#change-decide-form select[name=decision]", "approve")
    manager.fill("#change-decide-form textarea[name=note]", "Approved for Thursday evening.")
    manager.click("#change-decide-form button[type=submit]")
    manager.wait_for_load_state()
    change.refresh_from_db()
    assert change.state == "approved"
    manager.goto(f"{base}/cases/{change.pk}/")
    _shot(manager, "change-approved")

    desk_context, desk = _sign_in(browser, base, "desk", errors)
    desk.goto(f"{base}/cases/{change.pk}/")
    desk.select_option("#id_assign_team", label="Service desk")
    desk.click("#assign-form button[type=submit]")
    desk.wait_for_url(re.compile(rf".*/cases/{change.pk}/$"))
    _step(desk, "realise", planned_start="2026-12-10T18:00", planned_end="2026-12-10T21:00")
    change.refresh_from_db()
    assert change.state == "in_realisation"
    manager.goto(f"{base}/cases/{change.pk}/")
    assert manager.locator('form[data-step="complete"]').count() == 0  # who approved does not realise
    desk.goto(f"{base}/cases/{change.pk}/")
    _step(desk, "complete", note="Moved; both mailboxes tested with their owners.")
    change.refresh_from_db()
    assert change.state == "realised"
    _shot(desk, "change-realised")
    desk.goto(f"{base}/changes/calendar/?month=2026-12")
    assert change.number in desk.locator("body").inner_text()
    _shot(desk, "change-calendar")
    assert not errors, errors
    for context in (requester_context, manager_context, desk_context):
        context.close()


def test_the_smo_gives_facilities_its_own_incident_workflow(live_server, browser, transactional_db):  # noqa: F811
    from regie.cases.models import Workflow

    load_demo(lambda _line: None)
    base = live_server.url
    errors: list[str] = []
    context, page = _sign_in(browser, base, "smo", errors)
    page.goto(f"{base}/workflows/")
    assert page.locator("#workflows tbody tr").count() >= 6  # the five defaults and HR's own
    page.click("#workflow-new")
    page.select_option("#id_kind", "incident")
    page.select_option("#id_domain", label="Facilities")
    page.fill("#id_name", "Facilities incidents")
    _shot(page, "workflow-new")
    page.click("#workflow-new-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/workflows/\d+/$"))
    own = Workflow.objects.get(kind="incident", domain__code="FAC")
    assert own.name == "Facilities incidents" and own.current_version().number == 1
    assert "Facilities incidents" in page.locator("h1").inner_text()
    page.goto(f"{base}/workflows/")
    assert page.locator("#workflows").get_by_text("Facilities incidents").count() == 1
    _shot(page, "workflow-list")
    context.close()
    assert errors == []
