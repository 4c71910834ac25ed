"""Who may import which kind of SPEC §8 file, and what an importing user's rows may touch (SPEC §1).

System administrators import every kind across organisations (the platform's reference data and the provincial
platform's records). An institution's clerk or manager imports its own purchasing records: every row must be its
own institution's (the purchasing importers check it, `jicai.purchasing.import_scope`). Viewers, bureaus, health
commissions and companies do not import. The web page, the API and the CLI ask the same table.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from jicai.core.imports import KINDS

ADMIN, INSTITUTION = "admin", "institution"
PURCHASING = ("orders", "deliveries", "invoices", "invoice_lines", "payments", "usage")

# kind → who may import it.
WHO_IMPORTS: dict[str, tuple[str, ...]] = {
    kind: (ADMIN, INSTITUTION) if kind in PURCHASING else (ADMIN,) for kind in KINDS
}

WRITING_ROLES = ("clerk", "manager")

# What each kind holds, for people (the SPEC §8 name stays the file's and the API's word).
KIND_LABELS = {
    "regions": _("行政区划"),
    "institutions": _("医疗机构"),
    "companies": _("企业"),
    "products": _("药品"),
    "batches": _("集采批次"),
    "awards": _("中选结果"),
    "award_distributors": _("配送企业"),
    "baselines": _("历史使用量"),
    "agreed_volumes": _("约定采购量"),
    "orders": _("订单"),
    "deliveries": _("配送"),
    "invoices": _("发票"),
    "invoice_lines": _("发票明细"),
    "payments": _("回款"),
    "usage": _("使用量"),
}


def kind_label(kind: str) -> str:
    return f"{KIND_LABELS[kind]}（{kind}）" if kind in KIND_LABELS else kind


def importer_kind(user) -> str | None:
    """ADMIN, INSTITUTION (a clerk or manager of an institution) or None (may not import)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return ADMIN
    membership = getattr(user, "membership", None)
    if membership is not None and membership.institution_id and membership.role in WRITING_ROLES:
        return INSTITUTION
    return None


def kinds_for(user) -> list[str]:
    """The kinds `user` may import, in import order (empty: no import at all)."""
    who = importer_kind(user)
    return [kind for kind in KINDS if who in WHO_IMPORTS[kind]] if who else []


def may_import(user, kind: str) -> bool:
    return kind in kinds_for(user)


def institution_scope(user):
    """The Institution whose rows `user`'s import may write, or None for an unscoped import (no user: the
    operator's CLI and the demo; a system administrator; an account of no organisation, as scripts use).
    A bureau's or a company's user is refused: the entry points never let them import."""
    if user is None or user.is_staff:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        return None
    if membership.institution_id:
        return membership.institution
    raise PermissionDenied
