"""Documents in the admin site: read-only, for inspection. Every write goes through the register's pages,
the API and the services, so that permissions, the rules and the audit trail hold."""

from typing import Any

from django.contrib import admin

from regie.engagement.models import Document, DocumentEvent, DocumentReview, DocumentVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "original_name", "size", "content_type", "sha256", "uploaded_by", "uploaded_at", "approved_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "reference", "kind", "scope", "status", "latest_version", "approved_version", "author")
    list_filter = ("kind", "status")
    search_fields = ("title", "reference")
    inlines = [VersionInline]


@admin.register(DocumentReview)
class DocumentReviewAdmin(ReadOnlyAdmin):
    list_display = ("document", "round", "reviewer", "capacity", "verdict", "created_at")
    list_filter = ("verdict", "capacity")


@admin.register(DocumentEvent)
class DocumentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "document", "who", "kind", "version_number")
    list_filter = ("kind",)
