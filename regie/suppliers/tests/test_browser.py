"""Contract management in a real browser, on the demo organisation: the SMO officer who specified the
service desk SLA's new version tries to approve it and is refused (segregation of duties); the contract
manager opens it, sees what changed and approves it; the supplier page flags the hosting supplier's missed
obligation with its penalty; Deskware's account manager sees only Deskware's contract.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.tests.test_browser_portfolio import _sign_in
from regie.suppliers.models import Agreement, AgreementVersion, Organisation

pytestmark = [pytest.mark.browser]


def test_approval_with_segregation_of_duties_and_the_supplier_page(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    desk = Agreement.objects.get(code="SLA-002")
    base = live_server.url
    errors: list[str] = []

    # 1. The SMO officer specified version 2; as a contract manager she sees the button but is refused.
    context, page = _sign_in(browser, base, "smo", errors)
    page.goto(f"{base}/agreements/{desk.pk}/versions/2/")
    assert page.locator("#sod-hint").is_visible()
    page.click("#approve-version")
    page.wait_for_load_state()
    assert (
        "Segregation of duties" in page.locator(".alert-danger, .alert").first.inner_text()
        or "Segregation of duties" in page.content()
    )
    assert AgreementVersion.objects.get(agreement=desk, number=2).status == "in_review"
    _shot(page, "agreement-sod-refused")
    context.close()

    # 2. The contract manager finds it in the list, reads the agreement and the changes, and approves it.
    context, page = _sign_in(browser, base, "cm", errors)
    page.goto(f"{base}/agreements/")
    _shot(page, "agreements-list")
    page.get_by_role("link", name=re.compile("^SLA-002$")).first.click()
    page.wait_for_url(re.compile(rf".*/agreements/{desk.pk}/$"))
    assert page.locator("#pending-status").inner_text() == "in review"
    assert "Ingrid Svensson" in page.locator("#pending-version").inner_text()
    _shot(page, "agreement-page")
    page.click("#pending-link")
    assert "Changed since version 1" in page.locator("#version-diff").inner_text()
    assert page.locator("#sod-hint").count() == 0
    _shot(page, "agreement-version")
    page.click("#approve-version")
    page.wait_for_load_state()
    assert page.locator("#version-status").inner_text() == "approved"
    assert "Daan Visser" in page.locator("#approved-by").inner_text()
    # Version 2 starts on 1 January: version 1 stays in force until then.
    assert page.locator("#version-upcoming").inner_text().startswith("in force from 1 Jan")
    desk.refresh_from_db()
    assert desk.current_version.number == 1
    assert AgreementVersion.objects.get(agreement=desk, number=1).status == "approved"

    # 3. Notice is near on the hosting contract: he starts a new version, edits the draft and submits it.
    hosting = Agreement.objects.get(code="UC-001")
    page.goto(f"{base}/agreements/{hosting.pk}/")
    page.click("#new-version")
    page.wait_for_url(re.compile(rf".*/agreements/{hosting.pk}/versions/2/edit/$"))
    page.fill("#id_price_terms", "EUR 16,900 per month from the renewal date.")
    page.fill("#id_change_summary", "Renewal with a lower monthly fee.")
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "agreement-draft-edit")
    page.click("#save-button")
    page.wait_for_url(re.compile(rf".*/agreements/{hosting.pk}/versions/2/$"))
    assert "EUR 16,900 per month" in page.locator("#version-diff").inner_text()
    page.click("#submit-version")
    page.wait_for_load_state()
    assert page.locator("#version-status").inner_text() == "in review"
    assert AgreementVersion.objects.get(agreement=hosting, number=1).status == "approved"

    # 4. The hosting supplier's page flags the missed security audit with its penalty.
    nimbus = Organisation.objects.get(code="NIMBUS")
    page.goto(f"{base}/organisations/{nimbus.pk}/")
    missed = page.locator('#supplier-obligations tr[data-flag="missed"]')
    assert missed.count() == 1 and "table-danger" in missed.get_attribute("class")
    assert "Quarterly security audit report" in missed.inner_text() and "EUR 5,000.00" in missed.inner_text()
    assert page.locator("#perf-missed").inner_text() == "1"
    assert page.locator("#perf-penalties").inner_text() == "EUR 5,000.00"
    _shot(page, "supplier-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "supplier-page-phone")
    context.close()

    # 5. Deskware's account manager sees Deskware's contract, read-only, and nothing of the others.
    context, page = _sign_in(browser, base, "supplier", errors)
    page.goto(f"{base}/agreements/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "UC-003" in rows.first.inner_text()
    page.get_by_role("link", name=re.compile("^UC-003$")).first.click()
    assert page.locator("#edit-button").count() == 0 and page.locator("#pending-version").count() == 0
    _shot(page, "supplier-contact-agreement")
    response = page.goto(f"{base}/agreements/{hosting.pk}/")
    assert response is not None and response.status == 404
    errors[:] = [e for e in errors if f"/agreements/{hosting.pk}/" not in e]
    context.close()
    assert errors == []
