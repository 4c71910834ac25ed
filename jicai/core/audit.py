"""The audit trail: one call per write."""

from django.db import models

from jicai.core.models import AuditEvent


def record(user, action: str, obj, *, changes: dict | None = None, reason: str = "") -> AuditEvent:
    region_id, institution_id = scope_of(obj)
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        model=obj._meta.label_lower,
        key=str(obj.pk),
        changes=changes or {},
        reason=reason,
        region_id=region_id,
        institution_id=institution_id,
    )


def scope_of(obj: models.Model) -> tuple[int | None, int | None]:
    """(region id, institution id) of the organisation an object belongs to, so that its bureau and the
    institution itself can read its trail. Read from the scoped QuerySet's paths; one query only when the path
    crosses more than one relation (never for the objects services record today)."""
    label = obj._meta.label_lower
    if label == "orgs.region":
        return obj.pk, None
    if label == "orgs.institution":
        return obj.region_id, obj.pk
    if label == "auth.user":
        membership = getattr(obj, "membership", None)
        if membership is None:
            return None, None
        return membership.region_id, membership.institution_id
    scope = getattr(obj._meta.default_manager.get_queryset(), "scope", None)
    if scope is None:
        return None, None
    institution_id = _follow(obj, scope.institution)
    if institution_id is not None:
        return None, institution_id  # the trail reaches the institution's region through the institution
    return _follow(obj, scope.region if scope.region is not None else scope.region_above), None


def _follow(obj: models.Model, path: str | None) -> int | None:
    if path is None or path == "":
        return None
    if "__" not in path:
        return getattr(obj, f"{path}_id", None)
    return type(obj)._base_manager.filter(pk=obj.pk).values_list(path, flat=True).first()
