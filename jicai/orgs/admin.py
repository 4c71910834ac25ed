from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from jicai.core.admin import AuditedAdminMixin, ScopedAdminMixin
from jicai.orgs.models import Company, Institution, Membership, Region

User = get_user_model()


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "profile", "path"]
    list_filter = ["level", "profile"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "profile"]
    autocomplete_fields = ["parent"]
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # The materialised path of every region below depends on code and parent: they are set once, at creation.
        return ["code", "parent", "path"] if obj else ["path"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.path = (obj.parent.path if obj.parent else "") + obj.code + "/"
        super().save_model(request, obj, form, change)


@admin.register(Institution)
class InstitutionAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "region", "kind", "participation", "email"]
    list_filter = ["kind", "participation", "region__level"]
    search_fields = ["code", "name", "region__name", "region__code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    list_per_page = 100


@admin.register(Company)
class CompanyAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "is_manufacturer", "is_distributor"]
    list_filter = ["is_manufacturer", "is_distributor"]
    search_fields = ["code", "name"]
    list_per_page = 100


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation_display", "body", "role"]
    list_filter = ["role", "body", "region__level"]
    search_fields = ["user__username", "region__name", "institution__name", "institution__code", "company__name"]
    list_select_related = ["user", "region", "institution", "company"]
    autocomplete_fields = ["user", "region", "institution", "company"]

    @admin.display(description=_("所属机构"))
    def organisation_display(self, obj):
        return obj.organisation


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ["region", "institution", "company"]
    fields = ["region", "body", "institution", "company", "role"]


admin.site.unregister(User)


@admin.register(User)
class JicaiUserAdmin(UserAdmin):
    """Django's user admin with the user's one organisation and role on the same page."""

    inlines = [MembershipInline]
    list_display = ["username", "email", "organisation", "role", "is_active", "is_staff", "is_superuser", "last_login"]
    list_select_related = ["membership__region", "membership__institution", "membership__company"]
    list_filter = ["is_active", "is_staff", "is_superuser", "membership__role"]

    @admin.display(description=_("所属机构"))
    def organisation(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organisation if membership else self.get_empty_value_display()

    @admin.display(description=_("角色"), ordering="membership__role")
    def role(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else self.get_empty_value_display()
