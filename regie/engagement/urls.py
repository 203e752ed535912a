from django.urls import path
from django.utils.translation import gettext_lazy as _

from regie.core import navigation
from regie.engagement import communication_views, meeting_views, views
from regie.engagement.models import Document
from regie.engagement.ui import DOCUMENTS

app_name = "engagement"

urlpatterns: list = [
    path("documents/", DOCUMENTS.list_view, name="document_list"),
    path("documents/add/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/history/", DOCUMENTS.history_view, name="document_history"),
    path("documents/<int:pk>/trail/", views.document_trail, name="document_trail"),
    path("documents/<int:pk>/archive/", views.document_archive, name="document_archive"),
    path("documents/<int:pk>/versions/", views.version_upload, name="version_upload"),
    path("documents/<int:pk>/versions/<int:number>/download/", views.version_download, name="version_download"),
    path("documents/<int:pk>/submit/", views.document_submit, name="document_submit"),
    path("documents/<int:pk>/withdraw/", views.document_withdraw, name="document_withdraw"),
    path("documents/<int:pk>/review/", views.document_review, name="document_review"),
    path("documents/<int:pk>/supersede/", views.document_supersede, name="document_supersede"),
    path("projects/<int:pk>/meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("projects/<int:pk>/communication/", communication_views.plan, name="communication"),
    path("communication/<int:pk>/edit/", communication_views.item_edit, name="communication_edit"),
    path("communication/unsubscribe/<str:token>/", communication_views.unsubscribe, name="unsubscribe"),
    path("meetings/<int:pk>/print/", meeting_views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/<str:part>.docx", meeting_views.meeting_docx, name="meeting_docx"),
]

navigation.register("portfolio", _("Documents"), "engagement:document_list", "engagement.view_document", 50)
navigation.searchable(Document, _("Documents"))
