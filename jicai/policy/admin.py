from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jicai.core.admin import AuditedAdminMixin
from jicai.policy.models import HolidayCalendar, PolicyProfile


@admin.register(PolicyProfile)
class PolicyProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "payment_rule", "day_counting", "report_due_day", "penalties_enabled"]
    list_filter = ["payment_rule", "penalties_enabled", "prepayment_enabled"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name"]}),
        (
            _("回款期限"),
            {
                "fields": [
                    "payment_rule",
                    "payment_working_days",
                    "payment_days",
                    "payment_months_after",
                    "day_counting",
                ]
            },
        ),
        (_("月报表"), {"fields": ["report_due_day", "report_lock_days"]}),
        (
            _("进度与预警"),
            {"fields": ["lag_ratio", "projection_days", "rush_months", "rush_share", "max_stock_months"]},
        ),
        (
            _("考核、预付与支付标准"),
            {
                "fields": [
                    "penalties_enabled",
                    "prepayment_enabled",
                    "prepay_share",
                    "phase_in_years",
                    "next_year_at_least_previous",
                ]
            },
        ),
    ]


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The working-day table (SPEC §4.1): an administrator corrects it or adds a year from the State Council's
    notice (`jicai calendar init YEAR` first creates the year with Monday to Friday as working days)."""

    list_display = ["date", "weekday", "is_working_day", "name", "source"]
    list_editable = ["is_working_day", "name"]
    list_filter = ["is_working_day", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_per_page = 62
    readonly_fields = ["source"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")][obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        obj.source = HolidayCalendar.Source.ADMIN  # an administrator's day is never overwritten by a reload
        super().save_model(request, obj, form, change)
