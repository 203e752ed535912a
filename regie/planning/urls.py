from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.planning import views
from regie.planning.models import Task

app_name = "planning"

urlpatterns: list = [
    path("projects/<int:pk>/plan/", views.plan, name="plan"),
    path("projects/<int:pk>/plan/data/", views.plan_data, name="plan_data"),
    path("projects/<int:pk>/plan/edit/", views.gantt_edit, name="gantt_edit"),
    path("projects/<int:pk>/plan/tasks/new/", views.task_new, name="task_new"),
    path("projects/<int:pk>/plan/baselines/", views.baseline_save, name="baseline_save"),
    path("projects/<int:pk>/plan/baseline/", views.baseline_choose, name="baseline_choose"),
    path("projects/<int:pk>/plan/export/", views.export, name="export"),
    path("projects/<int:pk>/milestones.ics", views.milestones_ics, name="milestones_ics"),
    path("plans/import/", views.plan_import, name="import"),
    path("plans/dependencies/", views.dependencies, name="dependencies"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/links/", views.link_add, name="link_add"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
]

navigation.area("planning", _("Planning"), order=150)
navigation.register("planning", _("Cross-project dependencies"), "planning:dependencies", "portfolio.view_project", 10)
navigation.register("planning", _("Import MS Project plan"), "planning:import", "planning.import_plan", 20)
navigation.register("planning", _("Working calendars"), "planning:calendar_list", "portfolio.view_project", 30)
navigation.searchable(Task, _("Planned tasks"))
