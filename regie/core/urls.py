from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation, views
from regie.core.models import Domain, JobProfile, OrgUnit, Person, Team
from regie.core.ui import ALL

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work, name="my_work"),
    path("search/", views.search, name="search"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/withdraw/", views.role_withdraw, name="role_withdraw"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
for ui in ALL:
    urlpatterns += ui.urls()

navigation.area("organisation", _("Organisation"), order=900)
navigation.area("administration", _("Administration"), order=1000)
navigation.register("organisation", _("Domains"), "core:domain_list", "core.view_domain", 10)
navigation.register("organisation", _("Organisational units"), "core:orgunit_list", "core.view_orgunit", 20)
navigation.register("organisation", _("People"), "core:person_list", "core.view_person", 30)
navigation.register("organisation", _("Teams"), "core:team_list", "core.view_team", 40)
navigation.register("organisation", _("Job profiles"), "core:jobprofile_list", None, 50)
navigation.register("administration", _("Roles"), "core:roles", "core.manage_roles", 10)
navigation.register("administration", _("Import people"), "core:people_import", "core.import_person", 20)
navigation.register("administration", _("Background jobs"), "core:job_list", None, 30)

navigation.searchable(Person, _("People"))
navigation.searchable(OrgUnit, _("Organisational units"))
navigation.searchable(Team, _("Teams"))
navigation.searchable(Domain, _("Domains"))
navigation.searchable(JobProfile, _("Job profiles"))
