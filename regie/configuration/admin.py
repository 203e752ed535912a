"""The admin site for operators: item types (their attribute definitions are checked as on the pages)
and items."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from regie.configuration.forms import AttributeErrorsMixin
from regie.configuration.models import ConfigurationItem, ItemType


@admin.register(ItemType)
class ItemTypeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "domain", "archived_at")
    search_fields = ("code", "name")


class ItemAdminForm(AttributeErrorsMixin, forms.ModelForm):
    class Meta:
        model = ConfigurationItem
        fields = [
            "item_type",
            "identifier",
            "name",
            "domain",
            "status",
            "owner_team",
            "owner_person",
            "description",
            "attributes",
        ]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(SimpleHistoryAdmin):
    form = ItemAdminForm
    list_display = ("identifier", "name", "item_type", "domain", "status")
    list_filter = ("item_type", "status")
    search_fields = ("identifier", "name")
    raw_id_fields = ("owner_person",)

    def save_model(self, request: Any, obj: ConfigurationItem, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            obj.written(created=not change)
