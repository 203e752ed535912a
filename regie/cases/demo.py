"""The demo's service desk: Yusuf Demir of the service desk team signs in as ``desk`` (service-desk agent
on IT) and finds the digital workplace's cases of the last days in every state — one being worked on, one
waiting for the laptop supplier, one past its resolution time, one resolved, a request, a problem and a
request for change — with their SLA clocks (idempotent: nothing is added when the cases exist)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

DOMAIN = "northbridge.example"


def _working_hours_ago(hours: float) -> dt.datetime:
    """A moment ``hours`` office hours (Monday to Friday, 08:00–17:00 less lunch) before now, so the demo's
    clocks look the same whatever day it is loaded."""
    moment = timezone.localtime().replace(second=0, microsecond=0)
    left = int(hours * 60)
    while left > 0:
        moment -= dt.timedelta(minutes=15)
        working = moment.weekday() < 5 and (8 <= moment.hour < 12 or 13 <= moment.hour < 17)
        if working:
            left -= 15
    return moment


def load(write: Callable[[str], Any]) -> None:
    from regie.cases import services
    from regie.cases.models import Case
    from regie.core.demo import ensure_login
    from regie.core.models import Domain, Person, RoleAssignment, Team
    from regie.services.models import Service
    from regie.suppliers.models import Organisation

    workplace = Service.objects.filter(code="WORKPLACE").first()
    desk_person = Person.objects.filter(email=f"yusuf.demir@{DOMAIN}").first()
    it = Domain.objects.filter(code="IT").first()
    if workplace is None or desk_person is None or it is None:
        return
    ensure_login("desk", desk_person)
    RoleAssignment.objects.get_or_create(person=desk_person, role="servicedesk_agent", scope=it.scope)
    # A customer of the digital workplace under SLA-001: Erik Lindqvist of operations signs in as ops.
    customer = Person.objects.filter(email=f"erik.lindqvist@{DOMAIN}").first()
    if customer is not None:
        ensure_login("ops", customer)
        RoleAssignment.objects.get_or_create(person=customer, role="member", scope=customer.org_unit.scope)
    # The change manager of IT: Emma de Jong, lead of the workplace team, signs in as cab.
    manager = Person.objects.filter(email=f"emma.dejong@{DOMAIN}").first()
    if manager is not None:
        ensure_login("cab", manager)
        RoleAssignment.objects.get_or_create(person=manager, role="change_manager", scope=it.scope)
    if Case.objects.exists():
        return
    user = desk_person.user
    sd, net = Team.objects.filter(code="SD").first(), Team.objects.filter(code="NET").first()
    laptops = Organisation.objects.filter(code="DESKWARE").first()
    requester = customer or desk_person

    def log(kind: str, title: str, hours: float, service: Any = workplace, **extra: Any) -> Case:
        return services.case_register(
            actor=user, kind=kind, service=service, title=title, requester=requester, at=_working_hours_ago(hours), **extra
        )

    def step(case: Case, code: str, hours: float, **extra: Any) -> None:
        case.refresh_from_db()
        services.case_transition(
            actor=user, case=case, transition=code, expected_version=case.version, at=_working_hours_ago(hours), **extra
        )

    def assign(case: Case, hours: float, **holder: Any) -> None:
        case.refresh_from_db()
        services.case_assign(actor=user, case=case, expected_version=case.version, at=_working_hours_ago(hours), **holder)

    working = log("incident", "Laptop does not start after the update", 3, description="Black screen after the BIOS update.")
    assign(working, 2.8, team=sd, assignee=desk_person)
    step(working, "assign", 2.8)
    step(working, "start", 2.5)

    waiting = log("incident", "Laptop screen cracked", 6, urgency=1)
    assign(waiting, 5.5, team=sd, assignee=desk_person)
    step(waiting, "assign", 5.5)
    step(waiting, "start", 5)
    if laptops is not None:
        assign(waiting, 4, team=sd, supplier=laptops, note="Replacement ordered under the laptop contract")
        step(waiting, "wait_for_supplier", 4, note="Deskware ticket DW-20931")

    late = log("incident", "Shared drive very slow", 14, impact=1)
    if net is not None:
        assign(late, 13, team=net)
        step(late, "assign", 13)

    done = log("incident", "Cannot print on the second floor", 10)
    assign(done, 9.5, team=sd, assignee=desk_person)
    step(done, "assign", 9.5)
    step(done, "start", 9)
    step(done, "resolve", 8, fields={"resolution": "Printer queue restarted; the driver is updated on every laptop tonight."})

    request = log("service_request", "Laptop for a new colleague starting Monday", 2)
    assign(request, 1.5, team=sd, assignee=desk_person)

    problem = log("problem", "Wi-Fi drops in building B several times a day", 20)
    if net is not None:
        assign(problem, 19, team=net)

    log("change", "Move the mail servers to the new storage array", 4, impact=2, urgency=3)
    _hr_workflow()
    write(
        f"Service desk: {Case.objects.count()} cases on the digital workplace; sign in as desk to handle them,"
        " as ops to log one as a customer, as cab to decide on changes."
    )


def _hr_workflow() -> None:
    """Human resources runs its service requests on a workflow of its own: the organisation's, with the
    check HR makes before anything else as the first step's work instruction."""
    from django.contrib.auth import get_user_model

    from regie.cases import services
    from regie.core.models import Domain

    hr = Domain.objects.filter(code="HR").first()
    admin = get_user_model()._default_manager.filter(username="admin").first()
    if hr is None or admin is None:
        return
    own = services.workflow_create(actor=admin, kind="service_request", domain=hr, name="HR service requests")
    first = own.current_version()
    assert first is not None  # made with its first version
    definition = first.definition
    definition["states"][0]["instruction"] = (
        "Check the employee number and that the request comes from the employee or their manager before anything else."
    )
    services.workflow_version_add(actor=admin, workflow=own, definition=definition, note="HR's identity check first")
