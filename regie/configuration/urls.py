from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.configuration import views
from regie.configuration.models import ConfigurationItem
from regie.configuration.ui import ALL
from regie.core import navigation

app_name = "configuration"

urlpatterns: list = [
    path("configuration-items/import/", views.import_view, name="import"),
    path("configuration-items/lookup/", views.item_lookup, name="item_lookup"),
    path("configuration-items/<int:pk>/impact/", views.impact, name="configurationitem_impact"),
    path("configuration-item-types/<int:pk>/template/", views.import_template, name="import_template"),
]
for ui in ALL:
    urlpatterns += ui.urls()

navigation.register(
    "services", _("Configuration items"), "configuration:configurationitem_list", "configuration.view_configurationitem", 40
)
navigation.register("services", _("Configuration relations"), "configuration:relation_list", "configuration.view_relation", 41)
navigation.register("services", _("Configuration item types"), "configuration:itemtype_list", "configuration.view_itemtype", 42)
navigation.register(
    "services", _("Import configuration items"), "configuration:import", "configuration.import_configurationitem", 43
)
navigation.searchable(ConfigurationItem, _("Configuration items"))
