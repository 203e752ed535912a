"""The admin site for operators: workflows and their versions, and received emails (the quarantined ones
to look at)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regie.cases.models import InboundMail, Workflow, WorkflowVersion


@admin.register(Workflow)
class WorkflowAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "domain", "archived_at")
    list_filter = ("kind",)


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ("workflow", "number", "created_at", "note")
    readonly_fields = ("workflow", "number", "definition", "created_at", "created_by")


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Received mail is kept as it came: it is read here, never changed."""

    list_display = ("received_at", "sender", "subject", "status", "reason", "case")
    list_filter = ("status",)
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = ("message_id", "sender", "subject", "received_at", "raw", "status", "reason", "case")

    def has_add_permission(self, request: object) -> bool:
        return False
