"""Service chains in a real browser, on the demo organisation: the SMO officer describes a new printing
service, draws its chain (two supporting services run by IT teams, and a supplier under a new
underpinning contract), sees the chain as a graph, is stopped when a link would make a service depend on
itself, reads the digital workplace's service levels, and follows a data centre's impact to the services
and customers that rest on it.

The screenshots are the user guide's (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

from regie.configuration.models import ConfigurationItem
from regie.core.demo import load_demo
from regie.core.tests.test_browser import SHOTS, _shot, browser  # noqa: F401  (the browser fixture)
from regie.portfolio.tests.test_browser_portfolio import _sign_in
from regie.services.models import Service, ServiceLink
from regie.suppliers.models import Agreement

pytestmark = [pytest.mark.browser]


def _add_link(page, base, service, *, supporting=None, supplier=None, team=None, agreement=None, result):
    page.goto(f"{base}/services/{service.pk}/")
    page.click("#chain-add")
    page.wait_for_url(re.compile(r".*/service-links/add/\?service=\d+$"))
    if supporting:
        page.select_option("#id_supporting_service", label=supporting)
    if supplier:
        page.select_option("#id_supplier", label=supplier)
    if team:
        page.select_option("#id_responsible_team", label=team)
    if agreement:
        page.select_option("#id_agreement", label=agreement)
    page.fill("#id_result", result)
    page.click("#save-button")


def test_a_service_and_its_chain(live_server, browser, transactional_db):  # noqa: F811
    load_demo(lambda _line: None)
    base = live_server.url
    errors: list[str] = []
    context, page = _sign_in(browser, base, "smo", errors)

    # 1. A new service in the IT catalogue.
    page.goto(f"{base}/services/add/")
    page.fill("#id_code", "PRINT")
    page.fill("#id_name", "Printing and scanning")
    page.select_option("#id_domain", label="Information technology")
    page.select_option("#id_owner", label="Maarten Bakker")
    page.select_option("#id_status", "live")
    page.fill("#id_facility", "Multifunction printers on every floor; scan to e-mail.")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/services/\d+/$"))
    printing = Service.objects.get(code="PRINT")
    assert "depends on no other service" in page.locator("#chain-section").inner_text()

    # 2. Two supporting services, each with the team that answers for it.
    _add_link(
        page, base, printing, supporting="NETWORK Network and Wi-Fi", team="Network team",
        agreement="OLA-001 Network for the workplace", result="Every printer reachable on the network.",
    )  # fmt: skip
    page.wait_for_url(re.compile(r".*/service-links/\d+/$"))
    _add_link(
        page, base, printing, supporting="HOSTING Hosting and storage", team="Application team",
        result="Runs the print server and keeps the print queues.",
    )  # fmt: skip
    page.wait_for_url(re.compile(r".*/service-links/\d+/$"))

    # 3. An underpinning contract with the supplier of the printers, and the supplier's link under it.
    page.goto(f"{base}/agreements/add/")
    page.select_option("#id_kind", "uc")
    page.fill("#id_code", "UC-PRINT")
    page.fill("#id_name", "Printer fleet")
    page.select_option("#id_domain", label="Information technology")
    page.select_option("#id_provider_organisation", label="Deskware Workplace Supplies")
    page.select_option("#id_customer_unit", label="IT department")
    page.select_option("#id_contract_manager", label="Daan Visser")
    page.click("#save-button")
    page.wait_for_url(re.compile(r".*/agreements/\d+/$"))
    assert Agreement.objects.filter(code="UC-PRINT", kind="uc").exists()
    _add_link(
        page, base, printing, supplier="Deskware Workplace Supplies", agreement="UC-PRINT Printer fleet",
        result="Printers, toner and repairs on site within one working day.",
    )  # fmt: skip
    page.wait_for_url(re.compile(r".*/service-links/\d+/$"))
    assert ServiceLink.objects.filter(service=printing).count() == 3

    # 4. The chain as a graph: the two services, the supplier, and what they depend on in turn.
    page.goto(f"{base}/services/{printing.pk}/")
    graph = page.locator("#chain-graph[data-ready='1']")
    graph.wait_for()
    assert graph.locator("canvas").count() >= 1
    table = page.locator("#chain-links").inner_text()
    assert "Every printer reachable on the network." in table and "UC-PRINT" in table
    assert "LinkNet Carrier" in table and "Nimbus Cloud Hosting" in table  # down the chain
    page.locator("#chain-section").screenshot(path=str(SHOTS / "service-chain-new.png"))

    # 5. A link that would close a loop is refused, naming the way round.
    network = Service.objects.get(code="NETWORK")
    _add_link(page, base, network, supporting="PRINT Printing and scanning", team="Network team", result="Loop")
    assert "NETWORK would depend on itself through PRINT → NETWORK" in page.locator("form.card").inner_text()
    assert not ServiceLink.objects.filter(service=network, supporting_service=printing).exists()

    # 6. The digital workplace: its full chain for the guide, and its service levels with two missed months.
    workplace = Service.objects.get(code="WORKPLACE")
    page.goto(f"{base}/services/{workplace.pk}/")
    page.locator("#chain-graph[data-ready='1']").wait_for()
    page.locator("#chain-section").screenshot(path=str(SHOTS / "service-chain.png"))
    page.goto(f"{base}/services/{workplace.pk}/service-levels/")
    page.locator(".levels-chart[data-ready='1']").first.wait_for()
    assert page.locator(".levels-target .badge.bg-red-lt").count() >= 1
    assert "Breaches by chain link" in page.content()
    _shot(page, "service-levels")

    # 7. The impact of the primary data centre reaches the workplace and its customers.
    data_centre = ConfigurationItem.objects.get(identifier="dc-ams1")
    page.goto(f"{base}/configuration-items/{data_centre.pk}/impact/")
    page.locator("#impact-graph canvas").first.wait_for()
    assert "Digital workplace" in page.locator("#impact-services").inner_text()
    assert int(page.locator("#impact-customers-total").inner_text()) >= 1
    _shot(page, "service-impact")

    assert not errors, errors
    context.close()
