from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.raid import views
from regie.raid.models import RaidItem

app_name = "raid"

urlpatterns: list = [
    path("raid/heat-map/", views.heat_map, name="heat_map"),
    path("raid/overdue-actions/", views.overdue, name="overdue"),
    path("raid/<int:pk>/escalate/", views.escalate, name="escalate"),
    *views.ITEMS.urls(),
]

navigation.area("raid", _("RAID"), order=150)
navigation.register("raid", _("RAID log"), "raid:raiditem_list", "raid.view_raiditem", 10)
navigation.register("raid", _("Risk heat map"), "raid:heat_map", "raid.view_raiditem", 20)
navigation.register("raid", _("Overdue actions"), "raid:overdue", "raid.view_raiditem", 30)
navigation.searchable(RaidItem, _("RAID items"))
