"""The API under /api/: wiring of every app's routers, authentication and the error format."""

from django.urls import path
from ninja import NinjaAPI

import regie
from regie.cases import api as cases_api
from regie.configuration import api as configuration_api
from regie.core import api as core_api
from regie.core.api_tools import AUTH, ORJSONRenderer, install_error_handlers
from regie.engagement import api as engagement_api
from regie.engagement import meeting_api
from regie.governance import api as governance_api
from regie.planning import api as planning_api
from regie.portfolio import api as portfolio_api
from regie.raid import api as raid_api
from regie.services import api as services_api
from regie.suppliers import api as suppliers_api

api = NinjaAPI(
    title="Regie API",
    version=regie.__version__,
    description=(
        "Regie's API. Authenticate with a personal API token (`Authorization: Bearer rg_…`, created on "
        "your profile page) or the browser session. Errors are RFC 9457 problem details. Updates need "
        "`If-Match` with the record's ETag; a stale version gets 409 and changes nothing."
    ),
    auth=AUTH,
    renderer=ORJSONRenderer(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/domains", core_api.domains)
api.add_router("/org-units", core_api.org_units)
api.add_router("/job-profiles", core_api.job_profiles)
api.add_router("/people", core_api.people)
api.add_router("/teams", core_api.teams)
api.add_router("/portfolios", portfolio_api.portfolios)
api.add_router("/programmes", portfolio_api.programmes)
api.add_router("/projects", portfolio_api.projects)
api.add_router("/status-reports", portfolio_api.status_reports)
api.add_router("/gate-conditions", portfolio_api.gate_conditions)
api.add_router("/portfolio-overview", portfolio_api.overview)
api.add_router("/plans", planning_api.plans)
api.add_router("/tasks", planning_api.tasks_router)
api.add_router("/links", planning_api.links_router)
api.add_router("/calendars", planning_api.calendars_router)
api.add_router("/raid-items", raid_api.items)
api.add_router("/stakeholders", governance_api.stakeholders)
api.add_router("/raci", governance_api.raci)
api.add_router("/documents", engagement_api.documents)
api.add_router("/meetings", meeting_api.meetings_router)
api.add_router("/communication", meeting_api.communication_router)
api.add_router("/services", services_api.services)
api.add_router("/service-offerings", services_api.offerings)
api.add_router("/service-links", services_api.links)
api.add_router("/service-level-measurements", services_api.measurements)
api.add_router("/organisations", suppliers_api.organisations)
api.add_router("/organisation-contacts", suppliers_api.contacts)
api.add_router("/agreements", suppliers_api.agreements)
api.add_router("/agreement-targets", suppliers_api.targets)
api.add_router("/obligations", suppliers_api.obligations)
api.add_router("/configuration-item-types", configuration_api.item_types)
api.add_router("/configuration-items", configuration_api.items)
api.add_router("/configuration-relations", configuration_api.relations)
api.add_router("/configuration-supporting-items", configuration_api.supporting_items)
api.add_router("/cases", cases_api.cases)
api.add_router("/workflows", cases_api.workflows_router)
api.add_router("/", core_api.misc)

urlpatterns = [path("", api.urls)]
