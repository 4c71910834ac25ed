"""Admin building blocks shared by every app, and the read-only audit trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jicai.core.accounts import unlock
from jicai.core.audit import record
from jicai.core.models import AuditEvent, LoginLock


class ScopedAdminMixin:
    """The admin lists what the user may see, like every other screen (SPEC §1).

    A superuser sees everything; a staff member with a membership sees only their scope."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class AuditedAdminMixin:
    """An administrator's change in the admin leaves an audit row, like a service's write."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        record(request.user, "admin.change" if change else "admin.add", obj, changes=changed)

    def delete_model(self, request, obj):
        record(request.user, "admin.delete", obj, changes={"str": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, "admin.delete", obj, changes={"str": str(obj)})
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted = [(f.instance, f.instance.pk) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record(request.user, "admin.add", obj)
        for obj, fields in formset.changed_objects:
            record(request.user, "admin.change", obj, changes={"fields": fields})
        for obj, pk in deleted:
            obj.pk = pk
            record(request.user, "admin.delete", obj, changes={"str": str(obj)})


class ReadOnlyAdminMixin:
    """Rows that only services and imports write (they keep history and the platform's ids): view only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "model", "key", "region", "institution", "short_reason"]
    list_filter = ["action", "model"]
    search_fields = ["key", "reason", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "region", "institution"]
    list_per_page = 100

    @admin.display(description=_("原因"))
    def short_reason(self, obj):
        return obj.reason[:60]


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Locks after repeated failed logins; the action lifts them early (jicai unlock does the same)."""

    list_display = ["key", "until", "failures", "created_at"]
    search_fields = ["key"]
    actions = ["lift"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("解除所选锁定"))
    def lift(self, request, queryset):
        count = 0
        for lock in queryset:
            kind, _sep, value = lock.key.partition(":")
            count += unlock(by=request.user, **({"username": value} if kind == "user" else {"ip": value}))
        self.message_user(request, _("已解除 %(count)d 个锁定") % {"count": count})
