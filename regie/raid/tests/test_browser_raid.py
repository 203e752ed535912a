"""The RAID log in a real browser, on the demo organisation: the PMO officer of P-001 reads the log on
the project page, adds a risk and is told what is missing, looks at the portfolio's heat map, and
escalates a risk to the programme; a developer who owns an overdue action finds it on "My work" and
marks it done — as its owner he updates its status and progress, not the rest.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.models import Portfolio, Project
from regie.portfolio.tests.test_browser_portfolio import _sign_in
from regie.raid.models import Escalation, RaidItem

pytestmark = [pytest.mark.browser]


def test_the_log_from_project_page_to_my_work(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    project = Project.objects.get(code="P-001")
    base = live_server.url
    errors: list[str] = []

    # 1. The PMO officer reads the log on the project page and adds a risk; a missing owner is named.
    context, page = _sign_in(browser, base, "pmo", errors)
    page.goto(f"{base}/projects/{project.pk}/")
    section = page.locator("#raid-section")
    section.scroll_into_view_if_needed()
    assert "Laptop delivery slips past the roll-out window" in section.inner_text()
    assert section.locator("td.heat-filled").count() >= 1
    _shot(page, "raid-project-section")
    page.click("#raid-add-risk")
    page.fill("#id_title", "Floor support falls ill during wave 2")
    page.fill("#id_cause", "Only two floor support engineers")
    page.select_option("#id_probability", "3")
    page.select_option("#id_impact", "4")
    page.click("#save-button")
    assert "This field is required" in page.locator("#item-form").inner_text()
    page.select_option("#id_owner", label="Johan Berg")
    page.select_option("#id_residual_probability", "2")
    page.select_option("#id_residual_impact", "3")
    page.fill("#id_response", "Borrow an engineer from the service desk for wave 2.")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/raid/\d+/$"))
    assert page.locator("#item-exposure").inner_text() == "exposure 12"
    _shot(page, "raid-item")
    assert RaidItem.objects.filter(title="Floor support falls ill during wave 2", exposure=12, residual_exposure=6).exists()

    # 2. The portfolio's heat map counts it, before and after its response.
    portfolio = Portfolio.objects.get(code="IT-PF")
    page.goto(f"{base}/raid/heat-map/?within={portfolio.scope_id}")
    before = page.locator('#heat-before td[data-probability="3"][data-impact="4"]').inner_text()
    after = page.locator('#heat-after td[data-probability="2"][data-impact="3"]').inner_text()
    assert int(before) >= 2 and int(after) >= 1
    _shot(page, "raid-heat-map")

    # 3. She escalates the delivery risk to the programme, with a reason.
    risk = RaidItem.objects.get(title="Laptop delivery slips past the roll-out window")
    page.goto(f"{base}/raid/{risk.pk}/")
    page.select_option("#id_to_scope", label=str(project.programme))
    page.fill("#id_reason", "The office suite migration waits for the same laptops.")
    page.click("#escalate-button")
    page.wait_for_load_state()
    assert Escalation.objects.filter(item=risk, to_scope=project.programme.scope).exists()
    context.close()

    # 4. The developer finds his overdue action on My work and, as its owner, marks it done.
    context, page = _sign_in(browser, base, "dev", errors)
    page.goto(f"{base}/my-work/")
    link = page.get_by_role("link", name=re.compile("Test the new docking station model on floor 3"))
    assert "overdue since" in link.inner_text()
    _shot(page, "raid-my-work")
    link.click()
    page.click("#edit-button")
    assert page.locator("#id_title").count() == 0  # an owner does not rewrite the item
    page.select_option("#id_status", "done")
    page.fill("#id_progress", "Ordered on the vendor portal, confirmation attached.")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/raid/\d+/$"))
    assert page.locator("#item-status").inner_text() == "Done"
    page.goto(f"{base}/my-work/")
    assert page.get_by_role("link", name=re.compile("Test the new docking station model on floor 3")).count() == 0
    context.close()
    assert errors == []
