from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regie.raid.models import RiskScale


@admin.register(RiskScale)
class RiskScaleAdmin(SimpleHistoryAdmin):
    """The organisation's risk matrix is configuration: levels, their names and the bands."""

    list_display = ("__str__", "amber_from", "red_from")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not RiskScale.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
