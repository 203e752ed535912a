"""A person's first session, in a real browser: sign in, switch to Dutch, create a unit and a person,
see the change in the History tab, look at it on a phone and in the dark theme, sign out.

Drives Debian's Chromium through Playwright; the screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from regie.core.demo import DEMO_PASSWORD, load_demo
from regie.core.models import OrgUnit, Person

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"

pytestmark = [pytest.mark.browser]


def _browser_or_skip():
    if not CHROMIUM.exists():
        if os.environ.get("REGIE_REQUIRE_BROWSER"):
            pytest.fail("Browser tests are required here but /usr/bin/chromium is missing.")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture
def browser():
    sync_playwright = _browser_or_skip()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _assert_header_fits(page):
    """At 1280 px every menu, the search and the person's menu fit in the header, none cut off: the search
    is a link there and the person shows their initials (their name in the menu's title)."""
    width = page.viewport_size["width"]
    for selector in ("#user-menu", "#search-link", "#theme-toggle", "#language-select"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    header = "header.navbar .container-xl"
    assert page.evaluate(f"() => {{ const n = document.querySelector('{header}'); return n.scrollWidth - n.clientWidth; }}") <= 0
    assert page.locator("#user-menu").get_attribute("title") == "Regie Administrator"
    assert page.locator("#user-menu").inner_text().strip() == "RA"


def test_first_session(live_server, browser, transactional_db):
    load_demo(lambda _line: None)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Every request must succeed, except the documents that answer a wrong form with 400 on purpose.
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not (response.status == 400 and response.request.resource_type == "document")
            else None
        ),
    )
    base = live_server.url

    page.goto(f"{base}/people/")
    assert "/accounts/login/" in page.url
    _shot(page, "login")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "wrong password")
    page.click("#sign-in")
    assert page.locator(".alert-danger").is_visible()
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r".*/people/$"))
    _shot(page, "people-list")

    page.goto(f"{base}/")
    _shot(page, "home")
    _assert_header_fits(page)

    # Switch to Dutch: the select submits itself and the page comes back translated.
    with page.expect_navigation():
        page.select_option("#language-select", "nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("link", name="Mijn werk", exact=True).is_visible()
    _shot(page, "language-dutch")
    _assert_header_fits(page)

    # Create an organisational unit through the form, first with a mistake.
    page.goto(f"{base}/units/add/")
    page.fill("#id_code", "bad code!")
    page.fill("#id_name", "Datateam")
    page.select_option("#id_parent", label="IT department")
    page.click("#save-button")
    assert page.locator(".invalid-feedback").first.is_visible()
    page.fill("#id_code", "NB-IT-DATA")
    _shot(page, "orgunit-form")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/units/\d+/$"))
    unit = OrgUnit.objects.get(code="NB-IT-DATA")
    assert unit.parent.code == "NB-IT"

    # A person in the new unit, then a change to see in the History tab.
    page.goto(f"{base}/people/add/")
    page.fill("#id_given_name", "Mila")
    page.fill("#id_family_name", "Verhoeven")
    page.fill("#id_email", "mila.verhoeven@northbridge.example")
    page.select_option("#id_org_unit", label="Datateam")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/people/\d+/$"))
    person = Person.objects.get(email="mila.verhoeven@northbridge.example")
    assert person.org_unit == unit
    _shot(page, "person-detail")
    page.click("#edit-button")
    page.fill("#id_phone", "+31 20 555 0199")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/people/\d+/$"))
    page.click("#history-tab")
    history = page.locator("#history-table")
    assert "+31 20 555 0199" in history.inner_text()
    assert "Regie Administrator" in history.inner_text()
    _shot(page, "history")

    # Dark theme sticks across pages.
    page.click("#theme-toggle")
    page.reload()
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    _shot(page, "dark-theme")
    page.click("#theme-toggle")

    # On a phone the list still works: the menu folds away and the table scrolls sideways.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.add_cookies(context.cookies())
    small = phone.new_page()
    small.goto(f"{base}/people/?q=Verhoeven")
    assert small.locator(".navbar-toggler").is_visible()
    assert small.get_by_role("link", name="Verhoeven").is_visible()
    body_width = small.evaluate("document.documentElement.scrollWidth")
    assert body_width <= 390 + 1, f"page is {body_width}px wide on a 390px phone"
    _shot(small, "phone-people-list")
    phone.close()

    # Sign out.
    page.click("#user-menu")
    page.click("#sign-out")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.goto(f"{base}/people/")
    assert "/accounts/login/" in page.url
    assert not errors, errors
    context.close()
