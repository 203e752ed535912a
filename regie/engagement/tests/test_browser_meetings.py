"""A steering committee in a real browser, on the demo organisation: the PMO officer of P-001 prepares the
meeting from the project's data, takes the minutes, records the sponsor's decision and an action for a
developer, and downloads the minutes as a Word file; the developer finds the action on "My work".

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest
from docx import Document as WordDocument

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.models import Project
from regie.portfolio.tests.test_browser_portfolio import _sign_in
from regie.raid.models import RaidItem

pytestmark = [pytest.mark.browser]


def test_steering_committee(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    project = Project.objects.get(code="P-001")
    base = live_server.url
    errors: list[str] = []

    # 1. The PMO officer prepares the meeting from the project page.
    context, page = _sign_in(browser, base, "pmo", errors)
    page.goto(f"{base}/projects/{project.pk}/")
    page.click("#prepare-meeting")
    page.fill("#id_title", "Steering committee P-001, January")
    page.fill("#id_location", "Room 4.12")
    page.click("#prepare-button")
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    agenda = page.locator("#agenda")
    kinds = agenda.locator("section.agenda-point").evaluate_all("(nodes) => nodes.map((n) => n.dataset.kind)")
    assert kinds[0] == "report" and "decision" in kinds and "action" in kinds and kinds[-1] == "other"
    assert "Go ahead with the second supplier for docking stations" in agenda.inner_text()
    _shot(page, "meeting-agenda")

    # 2. The minutes: a note on the decision point, the sponsor's decision and an action.
    point = agenda.locator('section[data-kind="decision"]').first
    point.locator("textarea").fill("Supplier B delivers in two weeks; supplier A in six.")
    page.click("#save-minutes")
    page.wait_for_load_state()
    page.select_option("#id_decision-agenda_item", index=1)
    page.select_option("#id_decision-decided_by", label="Maarten Bakker")
    page.fill("#id_decision-basis", "Supplier B delivers in time for wave 2 at the same price.")
    page.click("#record-decision")
    page.wait_for_load_state()
    page.fill("#id_action-title", "Test five docking stations of supplier B")
    page.select_option("#id_action-owner", label="Tom Hendriks")
    page.fill("#id_action-due_date", "2027-01-15")
    page.click("#record-action")
    page.wait_for_load_state()
    outcomes = page.locator("#outcomes").inner_text()
    assert "Go ahead with the second supplier" in outcomes and "Test five docking stations of supplier B" in outcomes
    decision = RaidItem.objects.get(title="Go ahead with the second supplier for docking stations")
    assert decision.status == "decided" and str(decision.decided_by) == "Maarten Bakker"
    _shot(page, "meeting-minutes")
    with page.expect_download() as download:
        page.click("#minutes-docx")
    minutes = WordDocument(download.value.path())
    assert any("Supplier B delivers in two weeks" in p.text for p in minutes.paragraphs)
    # the project's communication plan, with its weekly email to the key users
    page.goto(f"{base}/projects/{project.pk}/communication/")
    assert "Laptop refresh: this week" in page.locator("#communication-plan").inner_text()
    _shot(page, "communication-plan")
    context.close()

    # 3. The developer finds the action on My work.
    context, page = _sign_in(browser, base, "dev", errors)
    page.goto(f"{base}/my-work/")
    assert page.get_by_role("link", name=re.compile("Test five docking stations of supplier B")).count() == 1
    _shot(page, "meeting-action-my-work")
    context.close()
    assert errors == []
