"""Life-cycle models are configuration: kept in the admin site, with their phases and gate criteria."""

from django.contrib import admin

from regie.portfolio.models import LifecycleModel, Phase


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 1


@admin.register(LifecycleModel)
class LifecycleModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [PhaseInline]
