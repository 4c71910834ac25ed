"""Supply rows are written by the services only (role checks, audit rows, the extra cost): view only here."""

from django.contrib import admin

from jicai.core.admin import ReadOnlyAdminMixin, ReadOnlyInline, ScopedAdminMixin
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck, SupplyReminder


@admin.register(SupplyCheck)
class SupplyCheckAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["week", "institution", "award", "status", "note", "checked_at"]
    list_filter = ["status", "week"]
    search_fields = ["institution__code", "institution__name", "award__product__generic_name"]
    list_select_related = ["institution", "award__product", "award__batch"]
    list_per_page = 100


@admin.register(SupplyReminder)
class SupplyReminderAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["week", "institution", "missing", "at", "emailed_to"]
    list_filter = ["week"]
    search_fields = ["institution__code", "institution__name"]
    list_select_related = ["institution"]


class SubstituteInline(ReadOnlyInline):
    model = SubstitutePurchase


@admin.register(ShortageCase)
class ShortageCaseAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "opened_on", "kind", "award", "company", "region", "institution", "status", "force_majeure"]
    list_filter = ["status", "kind", "force_majeure"]
    search_fields = ["company__name", "award__product__generic_name", "institution__name"]
    list_select_related = ["award__product", "award__batch", "company", "region", "institution"]
    inlines = [SubstituteInline]
