from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.portfolio import views
from regie.portfolio.models import Portfolio, Programme, Project
from regie.portfolio.ui import ALL

app_name = "portfolio"

urlpatterns: list = [
    path("portfolio-overview/", views.overview, name="overview"),
    path("projects/import/", views.project_import, name="project_import"),
    path("projects/<int:pk>/gate/", views.gate_decision, name="gate_decision"),
    path("projects/<int:pk>/gate/review/", views.gate_review, name="gate_review"),
    path("projects/<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("status-reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("status-reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("status-reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("status-reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("status-reports/<int:pk>/comment/", views.report_comment, name="report_comment"),
    path("status-reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("gate-conditions/<int:pk>/", views.condition_update, name="condition_update"),
]
for ui in ALL:
    urlpatterns += ui.urls()

navigation.area("portfolio", _("Portfolio"), order=100)
navigation.register("portfolio", _("Portfolio overview"), "portfolio:overview", "portfolio.view_project", 5)
navigation.register("portfolio", _("Projects"), "portfolio:project_list", "portfolio.view_project", 10)
navigation.register("portfolio", _("Programmes"), "portfolio:programme_list", "portfolio.view_programme", 20)
navigation.register("portfolio", _("Portfolios"), "portfolio:portfolio_list", "portfolio.view_portfolio", 30)
navigation.register("portfolio", _("Import projects"), "portfolio:project_import", "portfolio.import_project", 40)
navigation.searchable(Project, _("Projects"))
navigation.searchable(Programme, _("Programmes"))
navigation.searchable(Portfolio, _("Portfolios"))
