from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.services import views
from regie.services.models import Service
from regie.services.ui import ALL

app_name = "services"

urlpatterns: list = [path("services/<int:pk>/service-levels/", views.service_levels, name="service_levels")]
for ui in ALL:
    urlpatterns += ui.urls()

navigation.area("services", _("Services"), order=200)
navigation.register("services", _("Service catalogue"), "services:service_list", "services.view_service", 10)
navigation.register("services", _("Service offerings"), "services:serviceoffering_list", "services.view_serviceoffering", 20)
navigation.register("services", _("Service chains"), "services:servicelink_list", "services.view_servicelink", 30)
navigation.searchable(Service, _("Services"))
