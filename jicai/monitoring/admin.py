from django.contrib import admin

from .models import Warning


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["kind", "institution", "subject", "first_seen", "last_seen", "closed_on"]
    list_filter = ["kind", "closed_on"]
    search_fields = ["institution__code", "institution__name", "subject"]
    raw_id_fields = ["institution", "award", "product"]
    date_hierarchy = "last_seen"
