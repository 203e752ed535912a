"""A document through review and approval in a real browser, on the demo organisation: the project
manager opens the project's register, is refused a forbidden file, uploads a new version of the roll-out
design and sends it for review; the approver (a steering committee member) finds it on My work and
approves it; the document shows "approved".

The screenshots are the user guide's (docs/screenshots/documents-*.png).
"""

from __future__ import annotations

import re

import pytest

from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.engagement.models import Document
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]


def test_document_review_and_approval(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    design = Document.objects.get(reference="P-001-DES")
    base = live_server.url
    errors: list[str] = []

    # 1. The project manager opens the project's register and the roll-out design.
    context, page = _sign_in(browser, base, "pm", errors)
    page.goto(f"{base}/projects/{design.project_id}/")
    page.click("#open-register")
    page.wait_for_url(re.compile(r".*/documents/\?scope=\d+$"))
    assert "Business case" in page.locator("#record-table").inner_text()
    _shot(page, "documents-register")
    page.get_by_role("link", name="Roll-out design").click()
    page.wait_for_selector("#upload-form")

    # 2. A forbidden file is refused with a clear message; the new version is accepted.
    program = {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
    page.set_input_files("#id_file", files=[program])
    page.click("#upload-button")
    assert "are not accepted" in page.locator("#upload-form").inner_text()
    _shot(page, "documents-upload-refused")
    markdown = b"# Roll-out design\n\n- Four waves of 300 laptops\n- Service desk briefed before each wave\n"
    page.set_input_files("#id_file", files=[{"name": "rollout-design-v2.md", "mimeType": "text/markdown", "buffer": markdown}])
    page.fill("#id_note", "Service desk briefing added before each wave.")
    page.click("#upload-button")
    page.wait_for_selector('#versions tr[data-version="2"]')
    assert page.locator("#document-version").inner_text() == "v2"

    # 3. ... and sends it for review.
    page.click("#submit-document")
    page.wait_for_selector('#document-status [data-status="in_review"]')
    assert page.locator("#review-card").count() == 0  # the project manager is not named to review it
    context.close()
    design.refresh_from_db()
    assert (design.status, design.latest_version) == ("in_review", 2)

    # 4. The approver finds it on My work and approves it.
    context, page = _sign_in(browser, base, "smo", errors)
    page.goto(f"{base}/my-work/")
    page.get_by_role("link", name=re.compile(r"Roll-out design · v2")).click()
    page.wait_for_selector("#review-card")
    page.check('#review-form input[name="verdict"][value="approve"]')
    page.fill("#id_comment", "Clear hand-over to the service desk.")
    _shot(page, "documents-review")
    page.click("#review-button")
    page.wait_for_selector('#document-status [data-status="approved"]')
    assert "v2" in page.locator("#approved-version").inner_text()
    assert "last approved" in page.locator('#versions tr[data-version="2"]').inner_text()
    _shot(page, "documents-approved")
    page.click("#trail-tab")
    assert page.locator('#trail-table tr[data-kind="approved"]').count() == 1
    context.close()

    design.refresh_from_db()
    assert (design.status, design.approved_version) == ("approved", 2)
    assert design.reviews.get(verdict="approve").reviewer.email == "ingrid.svensson@northbridge.example"
    assert not errors, errors
