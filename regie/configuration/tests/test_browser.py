"""The configuration register in a real browser, on the demo organisation: the SMO officer opens a host,
follows its impact to the services and customers it reaches (the graph is drawn), looks at it on a phone,
and imports a sheet with mistakes, which lists every problem and stores nothing.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

from regie.configuration.models import ConfigurationItem
from regie.core.demo import load_demo
from regie.core.tests.test_browser import _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.tests.test_browser_portfolio import _sign_in

pytestmark = [pytest.mark.browser]

BAD_SHEET = (
    "type,identifier,name,domain,status,ram_gb,vcpus,os,environment\n"
    "VM,vm-new01,New application server,IT,in use,16,4,Debian 12,production\n"
    "VM,vm-new02,New database server,IT,in use,lots,4,Debian 12,production\n"
    "VM,vm-new03,,IT,running,32,8,Linux,production\n"
)


def test_impact_of_a_host_and_an_import_with_mistakes(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    host = ConfigurationItem.objects.get(identifier="esx01")
    base = live_server.url
    errors: list[str] = []
    context, page = _sign_in(browser, base, "smo", errors)

    # 1. The host's page: its attributes, what runs on it, what it rests on.
    page.goto(f"{base}/configuration-items/{host.pk}/")
    assert "RAM (GB)" in page.locator("#item-attributes").inner_text()
    assert "Data centre Amsterdam-1" in page.locator("#item-dependencies").inner_text()
    _shot(page, "configuration-item")

    # 2. Its impact: the items that rest on it, the services and their customers, as a graph.
    page.click("#open-impact")
    page.wait_for_url(re.compile(r".*/impact/$"))
    page.wait_for_selector("#impact-graph canvas")
    assert int(page.locator("#impact-graph").get_attribute("data-nodes")) > 10
    services = page.locator("#impact-services").inner_text()
    for name in ("Digital workplace", "IT service desk", "Onboarding of new staff", "Meeting rooms and catering"):
        assert name in services
    assert "Board of directors" in page.locator("#impact-customers").inner_text()
    _shot(page, "configuration-impact")
    context.close()

    # 3. On a phone the page stacks and the tables scroll sideways.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True)
    phone_page = phone.new_page()
    phone_page.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    phone_page.goto(f"{base}/accounts/login/")
    phone_page.fill("#id_username", "smo")
    from regie.core.demo import DEMO_PASSWORD

    phone_page.fill("#id_password", DEMO_PASSWORD)
    phone_page.click("#sign-in")
    phone_page.wait_for_url(re.compile(r".*/$"))
    phone_page.goto(f"{base}/configuration-items/{host.pk}/impact/")
    phone_page.wait_for_selector("#impact-graph canvas")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    _shot(phone_page, "configuration-impact-phone")
    phone.close()

    # 4. An import with mistakes lists every one of them and stores nothing.
    context, page = _sign_in(browser, base, "smo", errors)
    page.goto(f"{base}/configuration-items/import/")
    page.set_input_files(
        "#id_items", files=[{"name": "virtual-machines.csv", "mimeType": "text/csv", "buffer": BAD_SHEET.encode()}]
    )
    page.click("#import-button")
    page.wait_for_selector("#import-errors")
    table = page.locator("#import-errors").inner_text()
    assert "'lots' is not a whole number." in table
    assert "'Linux' is not one of" in table and "This field cannot be blank." in table
    assert not ConfigurationItem.objects.filter(identifier__startswith="vm-new").exists()
    _shot(page, "configuration-import-errors")
    context.close()
    assert errors == []
