"""Who may write the ledgers, deductions, bulletins and audits of a region: its bureau (医保局, not the health
commission) at or above it, clerks and managers, or the system administrator. Shared by both apps' services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jicai.core.scoping import can_write


def check_bureau_writer(user, region) -> None:
    if user.is_superuser:
        return
    m = getattr(user, "membership", None)
    if m is None or not m.region_id or not can_write(user) or not region.path.startswith(m.region.path):
        raise PermissionDenied


def is_bureau_writer(user, region) -> bool:
    try:
        check_bureau_writer(user, region)
    except PermissionDenied:
        return False
    return True


def actor(user):
    """The user to store on a row: None for the console's unsaved system administrator."""
    return user if user is not None and user.pk is not None else None
