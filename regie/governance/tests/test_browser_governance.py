"""Stakeholders and RACI in a real browser, on the demo organisation: the project manager of P-001
looks at the power/interest grid, adds a row to the RACI matrix, is told that it has two accountable
people, fixes it and saves. The screenshots are the user guide's (docs/screenshots/)."""

from __future__ import annotations

import pytest

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.governance.models import RaciRow
from regie.portfolio.models import Project
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]


def test_grid_and_matrix(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    project = Project.objects.get(code="P-001")
    base = live_server.url
    errors: list[str] = []
    context, page = _sign_in(browser, base, "pm", errors)

    page.goto(f"{base}/projects/{project.pk}/stakeholders/")
    assert "Works council" in page.locator('[data-quadrant="manage"]').inner_text()
    _shot(page, "stakeholders-grid")

    page.goto(f"{base}/projects/{project.pk}/raci/")
    new = page.locator("#raci-table tbody tr").last
    new.locator("input[name$='-subject']").fill("Training of the floor support")
    selects = new.locator("select[name*='-person-']")
    selects.nth(0).select_option("A")
    selects.nth(1).select_option("A")
    page.click("#raci-save")
    assert "has 2 accountable people" in page.locator("#raci-errors").inner_text()
    # the row stays on the page as it was typed, marked, with the blank line for a new row below it
    row = page.locator('#raci-table tbody tr:has(input[value="Training of the floor support"])')
    assert "table-danger" in row.get_attribute("class")
    row.locator("select[name*='-person-']").nth(1).select_option("R")
    page.click("#raci-save")
    page.wait_for_load_state()
    assert RaciRow.objects.filter(project=project, subject="Training of the floor support", cells__letter="A").count() == 1
    _shot(page, "raci-matrix")
    context.close()
    assert [e for e in errors if "400" not in e] == []
