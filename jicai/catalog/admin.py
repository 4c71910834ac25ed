from django.contrib import admin

from jicai.catalog.models import Award, AwardDistributor, Batch, Product
from jicai.core.admin import AuditedAdminMixin, ScopedAdminMixin


@admin.register(Batch)
class BatchAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "ratio_rule_applies"]
    list_filter = ["ratio_rule_applies"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "generic_name",
        "dosage_form",
        "spec",
        "unit",
        "pack_size",
        "manufacturer",
        "consistency_evaluated",
        "listed_price",
        "strength_factor",
    ]
    list_filter = ["consistency_evaluated", "dosage_form", "unit"]
    search_fields = ["code", "generic_name", "manufacturer__name", "manufacturer__code"]
    list_select_related = ["manufacturer"]
    autocomplete_fields = ["manufacturer"]
    list_per_page = 100


class AwardDistributorInline(admin.TabularInline):
    model = AwardDistributor
    extra = 0
    autocomplete_fields = ["region", "distributor"]


@admin.register(Award)
class AwardAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "product",
        "batch",
        "province",
        "winning_price",
        "winners",
        "start_date",
        "cycle_years",
    ]
    list_filter = ["batch", "province", "winners"]
    search_fields = ["product__code", "product__generic_name", "product__manufacturer__name", "batch__code"]
    list_select_related = ["batch", "product__manufacturer", "province"]
    autocomplete_fields = ["product", "province"]
    date_hierarchy = "start_date"
    inlines = [AwardDistributorInline]
    list_per_page = 100


@admin.register(AwardDistributor)
class AwardDistributorAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["award", "region", "distributor"]
    list_filter = ["award__batch", "region__level"]
    search_fields = ["award__product__generic_name", "award__product__code", "distributor__name", "region__name"]
    list_select_related = ["award__batch", "award__product__manufacturer", "region", "distributor"]
    autocomplete_fields = ["award", "region", "distributor"]
    list_per_page = 100
