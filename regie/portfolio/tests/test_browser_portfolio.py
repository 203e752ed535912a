"""The PMO's month in a real browser, on the demo organisation: the PMO officer drafts a status report
(and is told that amber needs a rationale), the project manager submits it, a steering committee member
acknowledges and comments, the sponsor records a gate decision with a condition, and the PMO officer
looks at the portfolio overview and exports the steering-committee deck.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from regie.core import jobs
from regie.core.demo import DEMO_PASSWORD, load_demo
from regie.core.models import Person
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.models import GateDecision, Project, StatusReport

pytestmark = [pytest.mark.browser]


def _sign_in(browser, base, username, errors):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{username}: {response.status} {response.url}")
            if response.status >= 400 and not (response.status == 400 and response.request.resource_type == "document")
            else None
        ),
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


def test_report_and_gate_cycle(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    # The sponsor of P-001 gets a login for this story.
    sponsor = Person.objects.get(email="maarten.bakker@northbridge.example")
    sponsor.user = get_user_model().objects.create_user("sponsor", password=DEMO_PASSWORD)
    sponsor.save()
    project = Project.objects.get(code="P-001")
    base = live_server.url
    errors: list[str] = []

    # 1. The PMO officer continues this month's draft; amber without a rationale is refused.
    context, page = _sign_in(browser, base, "pmo", errors)
    page.goto(f"{base}/projects/{project.pk}/")
    page.click("#continue-draft")
    page.wait_for_url(re.compile(r".*/status-reports/\d+/edit/$"))
    page.select_option("#id_cost", "amber")
    page.fill("#id_cost_rationale", "")
    page.click("#save-draft")
    assert "Amber or red needs a rationale." in page.locator("#report-form").inner_text()
    page.fill("#id_cost_rationale", "Exchange rate raised the laptop price by 4%.")
    page.fill("#id_decisions_needed", "Accept the 4% price increase or reduce the number of laptops.")
    _shot(page, "status-report-form")
    assert page.locator("#save-submit").count() == 0  # the PMO drafts; it does not submit
    page.click("#save-draft")
    page.wait_for_url(re.compile(r".*/status-reports/\d+/$"))
    draft = StatusReport.objects.get(project=project, state="draft")
    assert draft.cost == "amber" and "4%" in draft.decisions_needed
    context.close()

    # 2. The project manager submits it.
    context, page = _sign_in(browser, base, "pm", errors)
    page.goto(f"{base}/my-work/")
    page.get_by_role("link", name=re.compile(re.escape(str(draft)))).click()
    page.click("#submit-report")
    page.wait_for_selector("#report-state")
    assert StatusReport.objects.get(pk=draft.pk).state == "submitted"
    _shot(page, "status-report-submitted")
    context.close()

    # 3. A steering committee member acknowledges and comments.
    context, page = _sign_in(browser, base, "smo", errors)
    page.goto(f"{base}/status-reports/{draft.pk}/")
    page.click("#acknowledge-report")
    page.fill("#comment-text", "Accept the increase; keep the number of laptops.")
    page.click("#add-comment")
    page.wait_for_selector("#comments >> text=Accept the increase")
    assert "Ingrid Svensson" in page.locator("#acknowledgements").inner_text()
    _shot(page, "status-report-acknowledged")
    context.close()

    # 4. The sponsor records the gate decision the PMO prepared, with a condition.
    context, page = _sign_in(browser, base, "sponsor", errors)
    page.goto(f"{base}/projects/{project.pk}/")
    assert page.locator("#rag-history canvas").count() >= 1
    _shot(page, "project-status")
    page.click("#section-action")
    assert "recommendation" in page.locator("#review-summary").inner_text().lower()
    page.select_option("#id_outcome", "go_with_conditions")
    page.fill("#id_rationale", "Design approved; roll-out may start once support is contracted.")
    page.click("#decide-button")
    assert "Name the conditions" in page.locator("#decision-form").inner_text()
    page.fill("#id_conditions-0-description", "Support contract signed")
    page.select_option("#id_conditions-0-owner", label="Johan Berg")
    page.fill("#id_conditions-0-due_date", "2027-01-15")
    _shot(page, "gate-decision")
    page.click("#decide-button")
    page.wait_for_url(re.compile(rf".*/projects/{project.pk}/$"))
    decision = GateDecision.objects.filter(project=project).order_by("-id").first()
    assert decision.outcome == "go_with_conditions" and decision.decided_by == sponsor
    assert decision.conditions.get().owner.email == "johan.berg@northbridge.example"
    assert "Support contract signed" in page.locator("#gate-conditions").inner_text()
    context.close()

    # 5. The PMO officer reads the overview and exports the deck.
    context, page = _sign_in(browser, base, "pmo", errors)
    page.goto(f"{base}/portfolio-overview/")
    assert page.locator("#phase-funnel canvas").count() >= 1
    row = page.locator('tr[data-code="P-001"]')
    assert row.locator('[data-dimension="cost"] .rag-amber').count() == 1
    _shot(page, "portfolio-overview")
    page.click("#export-deck")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    assert jobs.run_pending() == 1
    page.wait_for_selector("#job-download", timeout=10000)
    _shot(page, "deck-export")
    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename.endswith(".pptx")
    context.close()

    # On a phone the overview still fits.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    _c, small = _sign_in(browser, base, "pmo", errors)
    phone.add_cookies(_c.cookies())
    small = phone.new_page()
    small.goto(f"{base}/portfolio-overview/")
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"overview is {width}px wide on a 390px phone"
    _shot(small, "phone-portfolio-overview")
    phone.close()
    assert not errors, errors
