from django.contrib import admin

from regie.suppliers.models import AgreementReminder


@admin.register(AgreementReminder)
class AgreementReminderAdmin(admin.ModelAdmin):
    """The reminders sent, for looking into "did the contract manager get the notice reminder?"."""

    list_display = ("sent_at", "kind", "agreement", "email", "subject")
    list_filter = ("kind",)
    search_fields = ("email", "subject", "agreement__code")
    readonly_fields = ("key", "kind", "agreement", "obligation", "recipient", "email", "subject", "sent_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
