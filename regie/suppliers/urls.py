from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.suppliers import views
from regie.suppliers.models import Agreement, Organisation
from regie.suppliers.ui import ALL

app_name = "suppliers"

urlpatterns: list = [
    path("agreements/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("agreements/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("agreements/<int:pk>/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path("agreements/<int:pk>/versions/<int:number>/submit/", views.version_submit, name="version_submit"),
    path("agreements/<int:pk>/versions/<int:number>/approve/", views.version_approve, name="version_approve"),
    path("agreements/<int:pk>/versions/<int:number>/return/", views.version_return, name="version_return"),
    path("agreements/<int:pk>/versions/<int:number>/targets/", views.target_add, name="target_add"),
    path(
        "agreements/<int:pk>/versions/<int:number>/targets/<int:target_pk>/remove/",
        views.target_remove,
        name="target_remove",
    ),
    path("obligations/<int:pk>/deliver/", views.obligation_deliver, name="obligation_deliver"),
    path("obligations/<int:pk>/close/", views.obligation_close, name="obligation_close"),
]
for ui in ALL:
    urlpatterns += ui.urls()

# Contract management sits with the service catalogue, under "Services" (the navbar has no room to spare).
navigation.register("services", _("Agreements"), "suppliers:agreement_list", "suppliers.view_agreement", 60)
navigation.register("services", _("Obligations"), "suppliers:obligation_list", "suppliers.view_obligation", 70)
navigation.register("services", _("Suppliers and customers"), "suppliers:organisation_list", "suppliers.view_organisation", 80)
navigation.register("services", _("Supplier contacts"), "suppliers:contact_list", "suppliers.view_contact", 90)
navigation.searchable(Organisation, _("External organisations"))
navigation.searchable(Agreement, _("Agreements"))
