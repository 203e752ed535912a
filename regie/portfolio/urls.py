from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.portfolio import views
from regie.portfolio.models import Portfolio, Programme, Project
from regie.portfolio.ui import ALL

app_name = "portfolio"

urlpatterns: list = [path("projects/<int:pk>/gate/", views.gate_decision, name="gate_decision")]
for ui in ALL:
    urlpatterns += ui.urls()

navigation.area("portfolio", _("Portfolio"), order=100)
navigation.register("portfolio", _("Projects"), "portfolio:project_list", "portfolio.view_project", 10)
navigation.register("portfolio", _("Programmes"), "portfolio:programme_list", "portfolio.view_programme", 20)
navigation.register("portfolio", _("Portfolios"), "portfolio:portfolio_list", "portfolio.view_portfolio", 30)
navigation.searchable(Project, _("Projects"))
navigation.searchable(Programme, _("Programmes"))
navigation.searchable(Portfolio, _("Portfolios"))
