"""The one scoping mechanism (SPEC §1): who may see which rows.

Every scoped model's QuerySet subclasses `ScopedQuerySet` and says, in `scope`, how its rows reach the three
kinds of organisation. `visible_to(user)` turns that into one filter; `get_for_user` is the one getter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """Paths (Django lookups) from a row to what decides its visibility; "" means the row itself.

    region: a Region the row belongs to; a bureau sees it when that region is its own or below it.
    region_above: a Region whose rows are visible to every user at or below it (a province's catalogue).
    institution: the Institution the row belongs to.
    company: Companies that own the row (manufacturer, distributor, supplier); any one suffices.
    """

    region: str | None = None
    region_above: str | None = None
    institution: str | None = None
    company: tuple[str, ...] = ()
    public: bool = False  # reference data every signed-in user may read (batches, companies)


def _join(path: str, attr: str) -> str:
    return f"{path}__{attr}" if path else attr


def scope_q(user, scope: Scope, model) -> Q | None:
    """The filter for what `user` may see of `model`; None means everything (system administrator)."""
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    if user.is_superuser:
        return None
    membership = getattr(user, "membership", None)
    if membership is None:
        return nothing
    if scope.public:
        return Q()
    q = nothing
    if membership.region_id:
        region = membership.region
        if scope.region is not None:
            q |= Q(**{_join(scope.region, "path__startswith"): region.path})
        if scope.region_above is not None:
            q |= Q(**{_join(scope.region_above, "code__in"): region.ancestor_codes()})
    elif membership.institution_id:
        inst = membership.institution
        if scope.institution is not None:
            q |= Q(**{_join(scope.institution, "pk"): inst.pk})
        if scope.region_above is not None:
            q |= Q(**{_join(scope.region_above, "code__in"): inst.region.ancestor_codes()})
    elif membership.company_id and scope.company:
        q |= reduce(or_, (_owned_by(model, path, membership.company_id) for path in scope.company))
    return q


def _owned_by(model, path: str, company_id: int) -> Q:
    """Rows whose `path` reaches the company. A path of foreign keys only is a plain join. A path that crosses a
    one-to-many relation gets a subquery of its own: joined, it would repeat rows (inflating counts and sums, and
    DISTINCT would break aggregates and deletes); and several such paths in one subquery would join every
    relation to every other, a cartesian product (an institution's volumes × orders × invoices)."""
    lookup = Q(**{_join(path, "pk"): company_id})
    if not _crosses_many(model, path):
        return lookup
    return Q(pk__in=model._base_manager.filter(lookup).values("pk"))


def _crosses_many(model, path: str) -> bool:
    for name in path.split("__") if path else ():
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


class ScopedQuerySet(models.QuerySet):
    scope = Scope()

    def visible_to(self, user) -> ScopedQuerySet:
        q = scope_q(user, self.scope, self.model)
        return self.all() if q is None else self.filter(q)


def user_kind(user) -> str | None:
    """'admin', 'region', 'institution', 'company' or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return "admin"
    m = getattr(user, "membership", None)
    if m is None:
        return None
    return "region" if m.region_id else "institution" if m.institution_id else "company"


def can_write(user) -> bool:
    """Clerks and managers write; viewers and health commissions only read."""
    if user.is_superuser:
        return True
    m = getattr(user, "membership", None)
    return bool(m and m.role in ("clerk", "manager") and not m.read_only_body)


def get_for_user(queryset: ScopedQuerySet, user, *, write: bool = False, **lookup):
    """One row the user may see, else 404 (never reveal that it exists); 403 when they may not change it."""
    obj = queryset.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise Http404
    if write and not can_write(user):
        raise PermissionDenied
    return obj
