"""Purchases, deliveries, invoices, payments and usage come from the provincial platform through the importers,
keyed by the platform's own ids (SPEC §3): the admin shows them, a correction is a re-import."""

from django.contrib import admin

from jicai.core.admin import ReadOnlyAdminMixin, ReadOnlyInline, ScopedAdminMixin
from jicai.purchasing.models import Delivery, Invoice, InvoiceLine, Order, Payment, Usage


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ["delivery_id", "quantity", "delivered_on", "accepted_on"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["order_id", "institution", "product", "distributor", "quantity", "unit_price", "ordered_on"]
    search_fields = ["order_id", "institution__code", "institution__name", "product__code", "distributor__name"]
    list_select_related = ["institution", "product__manufacturer", "distributor"]
    date_hierarchy = "ordered_on"
    inlines = [DeliveryInline]
    list_per_page = 100


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["delivery_id", "order", "institution", "product", "quantity", "delivered_on", "accepted_on"]
    search_fields = ["delivery_id", "order__order_id", "institution__code", "institution__name", "product__code"]
    list_select_related = ["order", "institution", "product__manufacturer"]
    date_hierarchy = "accepted_on"
    list_per_page = 100


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["delivery", "amount"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["payment_id", "amount", "paid_on", "payer"]
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["invoice_no", "supplier", "institution", "amount", "issued_on", "confirmed_on", "paid_off_on"]
    search_fields = ["invoice_no", "supplier__name", "supplier__code", "institution__code", "institution__name"]
    list_select_related = ["supplier", "institution"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline, PaymentInline]
    list_per_page = 100


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["invoice", "delivery", "amount"]
    search_fields = ["invoice__invoice_no", "delivery__delivery_id"]
    list_select_related = ["invoice", "delivery"]
    list_per_page = 100


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["payment_id", "invoice", "amount", "paid_on", "payer"]
    list_filter = ["payer"]
    search_fields = ["payment_id", "invoice__invoice_no", "invoice__institution__name"]
    list_select_related = ["invoice"]
    date_hierarchy = "paid_on"
    list_per_page = 100


@admin.register(Usage)
class UsageAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["institution", "product", "month", "quantity"]
    search_fields = ["institution__code", "institution__name", "product__code", "product__generic_name"]
    list_select_related = ["institution", "product__manufacturer"]
    date_hierarchy = "month"
    list_per_page = 100
