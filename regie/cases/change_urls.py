from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.cases import change_views
from regie.core import navigation

app_name = "changes"

urlpatterns: list = [
    path("changes/calendar/", change_views.change_calendar, name="calendar"),
    path("changes/<int:pk>/approvals/", change_views.change_approvals, name="approvals"),
    path("changes/<int:pk>/tasks/", change_views.change_task_add, name="task_add"),
    path("changes/tasks/<int:pk>/done/", change_views.change_task_done, name="task_done"),
]

navigation.register("cases", _("Change calendar"), "changes:calendar", None, 40)
