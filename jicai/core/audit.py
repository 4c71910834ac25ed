"""The audit trail: one call per write."""

from jicai.core.models import AuditEvent


def record(user, action: str, obj, *, changes: dict | None = None, reason: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        model=obj._meta.label_lower,
        key=str(obj.pk),
        changes=changes or {},
        reason=reason,
    )
