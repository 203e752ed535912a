from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.governance import views

app_name = "governance"

urlpatterns: list = [
    path("projects/<int:pk>/raci/", views.raci_matrix, name="raci"),
    path("projects/<int:pk>/stakeholders/", views.stakeholders, name="stakeholders"),
    path("programmes/<int:pk>/stakeholders/", views.programme_stakeholders, name="programme_stakeholders"),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder_edit"),
    path("raci/who/", views.who_does_what, name="who"),
]

navigation.register("raid", _("Who does what (RACI)"), "governance:who", None, 40)
