from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.cases import my_work, views  # noqa: F401  (my_work registers its section)
from regie.cases.models import Case
from regie.cases.ui import FREEZES
from regie.core import navigation

app_name = "cases"

urlpatterns: list = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/queue/", views.queue, name="queue"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/steps/<str:code>/", views.case_step, name="case_step"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/priority/", views.case_priority, name="case_priority"),
    path("cases/<int:pk>/comments/", views.case_comment, name="case_comment"),
    path("cases/<int:pk>/links/", views.case_link, name="case_link"),
    path("cases/known-errors/", views.known_errors, name="known_errors"),
    path("workflows/", views.workflow_list, name="workflow_list"),
    path("workflows/new/", views.workflow_new, name="workflow_new"),
    path("workflows/<int:pk>/", views.workflow_detail, name="workflow_detail"),
    path("workflows/<int:pk>/new-version/", views.workflow_edit, name="workflow_edit"),
    *FREEZES.urls(),
]

navigation.area("cases", _("Service desk"), order=190)
navigation.register("cases", _("Cases"), "cases:case_list", None, 10)
navigation.register("cases", _("Log a case"), "cases:case_new", None, 20)
navigation.register("cases", _("Team queue"), "cases:queue", "cases.handle_case", 30)
navigation.register("cases", _("Known errors"), "cases:known_errors", "cases.view_case", 40)
navigation.register("cases", _("Workflows"), "cases:workflow_list", "cases.view_workflow", 50)
navigation.register("cases", _("Freeze windows"), "cases:freezewindow_list", "cases.view_freezewindow", 60)
navigation.searchable(Case, _("Cases"))
