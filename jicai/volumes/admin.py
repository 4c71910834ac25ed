"""Agreed volumes change only through the allocation and reallocation services, which keep their history
(SPEC §3: "history of every change … with who, when and why"): the admin shows them, it does not edit them."""

from django.contrib import admin

from jicai.core.admin import ReadOnlyAdminMixin, ReadOnlyInline, ScopedAdminMixin
from jicai.volumes.models import AgreedVolume, AgreedVolumeChange, Baseline


@admin.register(Baseline)
class BaselineAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["institution", "product", "year", "quantity"]
    list_filter = ["year"]
    search_fields = ["institution__code", "institution__name", "product__code", "product__generic_name"]
    list_select_related = ["institution", "product__manufacturer"]
    list_per_page = 100


class AgreedVolumeChangeInline(ReadOnlyInline):
    model = AgreedVolumeChange
    fields = ["at", "kind", "old_quantity", "new_quantity", "by", "reason"]
    readonly_fields = fields


@admin.register(AgreedVolume)
class AgreedVolumeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["institution", "award", "year_no", "quantity"]
    list_filter = ["year_no", "award__batch", "award__province"]
    search_fields = [
        "institution__code",
        "institution__name",
        "award__product__code",
        "award__product__generic_name",
    ]
    list_select_related = ["institution", "award__batch", "award__product"]
    inlines = [AgreedVolumeChangeInline]
    list_per_page = 100


@admin.register(AgreedVolumeChange)
class AgreedVolumeChangeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["volume", "kind", "old_quantity", "new_quantity", "by", "at"]
    list_filter = ["kind"]
    search_fields = ["volume__institution__code", "volume__institution__name", "reason", "by__username"]
    list_select_related = ["volume__institution", "volume__award__batch", "volume__award__product", "by"]
    date_hierarchy = "at"
    list_per_page = 100
