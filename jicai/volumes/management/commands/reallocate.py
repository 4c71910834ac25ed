"""jicai reallocate: 调剂 — move agreed volume between two institutions of a region (SPEC §4.3).

The total stays the same, no volume goes below zero, the reason is required and recorded on both sides.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from jicai.catalog.models import Award, Batch
from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail
from jicai.orgs.models import Institution, Region
from jicai.volumes.allocation import AllocationError, Move, reallocate

COLUMNS = [
    ("side", "方向"),
    ("institution", "机构编码"),
    ("institution_name", "机构名称"),
    ("old_quantity", "调剂前"),
    ("new_quantity", "调剂后"),
]


class Command(BaseCommand):
    help = "约定采购量调剂：在本辖区两家机构之间调出、调入（必须填写原因）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", help="批次编码")
        parser.add_argument("--product", help="药品代码")
        parser.add_argument("--award", type=int, help="中选药品 ID（代替 --batch/--product）")
        parser.add_argument("--region", required=True, help="区划编码：两家机构都须在该区划及其下级")
        parser.add_argument("--year", type=int, default=1, help="协议年度（默认 1）")
        parser.add_argument("--from", dest="source", required=True, help="调出机构编码")
        parser.add_argument("--to", dest="target", required=True, help="调入机构编码")
        parser.add_argument("--quantity", type=int, required=True, help="调剂数量（最小制剂单位）")
        parser.add_argument("--reason", required=True, help="调剂原因")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, **options):
        actor = acting_user(options["user"])
        region = get_or_fail(Region.objects.visible_to(actor), "区划", code=options["region"])
        award = self._award(actor, region, options)
        institutions = Institution.objects.visible_to(actor).filter(region__path__startswith=region.path)
        source = get_or_fail(institutions, f"{region.name}辖区内的医疗机构", code=options["source"])
        target = get_or_fail(institutions, f"{region.name}辖区内的医疗机构", code=options["target"])
        try:
            history = reallocate(
                award=award,
                year_no=options["year"],
                moves=[Move(source, target, options["quantity"])],
                reason=options["reason"],
                by=actor,
                region=region,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "没有权限") from exc
        except AllocationError as exc:
            raise CommandError(str(exc)) from exc
        names = {source.pk: source, target.pk: target}
        rows = []
        for change, side in zip(history, ("调出", "调入"), strict=True):
            inst = names[change.volume.institution_id]
            rows.append(
                {
                    "side": side,
                    "institution": inst.code,
                    "institution_name": inst.name,
                    "old_quantity": change.old_quantity,
                    "new_quantity": change.new_quantity,
                }
            )
        document = {
            "award": award.pk,
            "batch": award.batch.code,
            "product": award.product.code,
            "region": region.code,
            "year_no": options["year"],
            "quantity": options["quantity"],
            "reason": options["reason"].strip(),
            "from": rows[0],
            "to": rows[1],
        }
        emit(
            options["format"],
            columns=COLUMNS,
            rows=rows,
            document=document,
            title=f"{award} 第{options['year']}协议年度约定采购量调剂",
        )
        if options["format"] == "table":
            Console(stderr=True).print(f"已调剂 {options['quantity']}，总量不变；原因已记入两家机构的变更记录。")

    def _award(self, actor, region: Region, options) -> Award:
        awards = Award.objects.visible_to(actor).select_related("batch", "product", "province")
        if options["award"] is not None:
            if options["batch"] or options["product"]:
                raise CommandError("--award 与 --batch/--product 只能二选一")
            return get_or_fail(awards, "中选药品", pk=options["award"])
        if not (options["batch"] and options["product"]):
            raise CommandError("请指定 --batch 和 --product，或 --award")
        batch = get_or_fail(Batch.objects.visible_to(actor), "批次", code=options["batch"])
        return get_or_fail(
            awards.filter(batch=batch, province__code=region.ancestor_codes()[0]),
            "中选药品",
            product__code=options["product"],
        )
