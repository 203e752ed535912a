from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.planning import calendar_views, views
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
    path("calendars/", calendar_views.calendar_list, name="calendar_list"),
    path("calendars/new/", calendar_views.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", calendar_views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", calendar_views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/archive/", calendar_views.calendar_archive, name="calendar_archive"),
    path("calendars/<int:pk>/restore/", calendar_views.calendar_restore, name="calendar_restore"),
    path("calendars/<int:pk>/exceptions/new/", calendar_views.calendar_exception_new, name="calendar_exception_new"),
    path(
        "calendars/<int:pk>/exceptions/<int:exception_pk>/",
        calendar_views.calendar_exception_edit,
        name="calendar_exception_edit",
    ),
    path(
        "calendars/<int:pk>/exceptions/<int:exception_pk>/delete/",
        calendar_views.calendar_exception_delete,
        name="calendar_exception_delete",
    ),
]

navigation.area("planning", _("Planning"), order=150)
navigation.register("planning", _("Cross-project dependencies"), "planning:dependencies", "portfolio.view_project", 10)
navigation.register("planning", _("Import MS Project plan"), "planning:import", "planning.import_plan", 20)
navigation.register("planning", _("Working calendars"), "planning:calendar_list", "portfolio.view_project", 30)
navigation.searchable(Task, _("Planned tasks"))
