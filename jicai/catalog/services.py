"""Writes to the catalogue: the distributors of an award in a region (SPEC §4.13).

配送企业 are chosen by the manufacturer, never by the hospital (鲁医保发〔2020〕25号:
"中选生产企业或其选定的配送企业"). The award's manufacturer names them for the regions the award
supplies; a bureau may do it for its region and below (for instance when it takes over a manufacturer's
paper notice); an institution never can.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jicai.catalog.models import Award, AwardDistributor
from jicai.core.audit import record
from jicai.core.scoping import can_write
from jicai.orgs.models import Company, Region

NOT_A_DISTRIBUTOR = gettext_noop("“%(company)s”不是配送企业")
OUTSIDE_PROVINCE = gettext_noop("“%(region)s”不在该中选药品的供应省份内")
ALREADY_NAMED = gettext_noop("“%(company)s”已是该中选药品在%(region)s的配送企业")


class DistributorError(ValueError):
    """A distributor cannot be named or removed as asked; the message says why."""


def check_can_name(user, award: Award, region: Region) -> None:
    """The award's manufacturer (clerk or manager), a bureau of `region` or above, or the administrator."""
    if user is not None and user.is_superuser:
        return
    m = getattr(user, "membership", None) if user is not None and user.is_authenticated else None
    if m is None or not can_write(user):
        raise PermissionDenied
    if m.company_id:
        if m.company_id != award.product.manufacturer_id:
            raise PermissionDenied
        return
    if m.region_id and region.path.startswith(m.region.path):
        return
    raise PermissionDenied  # institutions, health commissions, other regions' bureaus


@transaction.atomic
def name_distributor(*, award: Award, region: Region, distributor: Company, by) -> AwardDistributor:
    """Name `distributor` for `award` in `region` (a region the award supplies: its province or below)."""
    check_can_name(by, award, region)
    if not distributor.is_distributor:
        raise DistributorError(_(NOT_A_DISTRIBUTOR) % {"company": distributor.name})
    if not region.path.startswith(award.province.path):
        raise DistributorError(_(OUTSIDE_PROVINCE) % {"region": region.name})
    named, created = AwardDistributor.objects.get_or_create(award=award, region=region, distributor=distributor)
    if not created:
        raise DistributorError(_(ALREADY_NAMED) % {"company": distributor.name, "region": region.name})
    record(
        by,
        "catalog.distributor.name",
        named,
        changes={"award": award.pk, "region": region.code, "distributor": distributor.code},
    )
    return named


@transaction.atomic
def remove_distributor(*, named: AwardDistributor, by) -> None:
    """Withdraw a named distributor: its later deliveries in the region raise the unnamed-distributor warning."""
    check_can_name(by, named.award, named.region)
    record(
        by,
        "catalog.distributor.remove",
        named,
        changes={"award": named.award_id, "region": named.region.code, "distributor": named.distributor.code},
    )
    named.delete()
