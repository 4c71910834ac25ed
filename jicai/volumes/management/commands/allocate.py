"""jicai allocate: decompose an award's agreed volume over a region, level by level (SPEC §4.3, §6).

A preview unless --commit. With --format json standard output holds only the JSON document: per institution
`institution`, `region`, `baseline`, `quantity`; per region `region`, `quantity`. Without --product every award of
the batch in the region's province is decomposed at once, without --batch every award of the province (one
document per award under "allocations").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jicai.catalog.models import Award, Batch
from jicai.core.cli import acting_user, add_format_argument, add_user_argument, emit, get_or_fail
from jicai.orgs.models import Region
from jicai.volumes.allocation import AllocationError, commit_allocations, preview_allocations
from jicai.volumes.exports import allocation_document, institution_rows, tree_rows

TABLE_COLUMNS = [
    ("level", "层级"),
    ("region", "区划编码"),
    ("institution", "机构编码"),
    ("name", "名称"),
    ("baseline", "基数"),
    ("share", "占比"),
    ("held", "现有约定量"),
    ("quantity", "分解约定量"),
]
CSV_COLUMNS = [
    ("award", "中选药品"),
    ("year_no", "协议年度"),
    ("institution", "机构编码"),
    ("institution_name", "机构名称"),
    ("region", "区划编码"),
    ("participation", "参与方式"),
    ("baseline", "基数"),
    ("held", "现有约定量"),
    ("quantity", "约定采购量"),
]
PROGRESS_FROM = 5  # awards: below this the work is too quick for a progress bar


class Command(BaseCommand):
    help = "约定采购量逐级分解（预览；加 --commit 写入）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", help="批次编码（不填：本省全部批次）")
        parser.add_argument("--product", help="药品代码（不填：该批次在本省的全部中选药品）")
        parser.add_argument("--award", type=int, help="中选药品 ID（代替 --batch/--product）")
        parser.add_argument("--region", required=True, help="区划编码：分解到该区划及其下级")
        parser.add_argument("--total", type=int, help="总量（最小制剂单位）；不填则为基数×批次比例")
        parser.add_argument(
            "--keep-total", action="store_true", help="沿用该区划现有约定量合计作为总量（导入或上级下达）"
        )
        parser.add_argument("--year", type=int, default=1, help="协议年度（默认 1）")
        parser.add_argument("--base-year", type=int, help="基数年度（默认：已导入的最近年度）")
        parser.add_argument("--commit", action="store_true", help="写入约定采购量（默认只预览）")
        add_format_argument(parser)
        add_user_argument(parser)

    def handle(self, *args, **options):
        actor = acting_user(options["user"])
        region = get_or_fail(Region.objects.visible_to(actor), "区划", code=options["region"])
        awards = self._awards(actor, region, options)
        if options["total"] is not None and len(awards) != 1:
            raise CommandError("--total 只能用于一个中选药品（请同时指定 --product）")
        totals = {awards[0].pk: options["total"]} if options["total"] is not None else None
        try:
            with _progress(len(awards)) as advance:
                allocations = preview_allocations(
                    awards=awards,
                    region=region,
                    by=actor,
                    totals=totals,
                    year_no=options["year"],
                    keep_held_total=options["keep_total"],
                    base_year=options["base_year"],
                    progress=advance,
                )
            written = commit_allocations(allocations=allocations, by=actor) if options["commit"] else None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "没有权限") from exc
        except AllocationError as exc:
            raise CommandError(str(exc)) from exc

        documents = [allocation_document(a, committed=options["commit"]) for a in allocations]
        document = documents[0] if options["product"] or options["award"] else {"allocations": documents}
        fmt = options["format"]
        if fmt == "csv":
            rows = [row for a in allocations for row in institution_rows(a)]
            emit(fmt, columns=CSV_COLUMNS, rows=rows, document=document)
        elif fmt == "json":
            emit(fmt, columns=CSV_COLUMNS, rows=[], document=document)
        else:
            for a in allocations:
                emit(
                    fmt,
                    columns=TABLE_COLUMNS,
                    rows=tree_rows(a),
                    document=document,
                    title=f"{a.award} {a.region.name} 第{a.year_no}协议年度约定采购量分解",
                    footer=a.reason(),
                )
        if written is not None:
            Console(stderr=True).print(f"已写入 {written} 条约定采购量（每条变更均有历史记录）。")
        elif fmt == "table":
            Console(stderr=True).print("预览：未写入。确认无误后加 --commit 写入。")

    def _awards(self, actor, region: Region, options) -> list[Award]:
        awards = Award.objects.visible_to(actor).select_related("batch", "product", "province")
        if options["award"] is not None:
            if options["batch"] or options["product"]:
                raise CommandError("--award 与 --batch/--product 只能二选一")
            return [get_or_fail(awards, "中选药品", pk=options["award"])]
        province = region.ancestor_codes()[0]
        awards = awards.filter(province__code=province)
        if not options["batch"]:
            if options["product"]:
                raise CommandError("--product 需要同时指定 --batch")
            found = list(awards.order_by("batch__code", "product__code"))
            if not found:
                raise CommandError(f"{province} 没有中选药品")
            return found
        batch = get_or_fail(Batch.objects.visible_to(actor), "批次", code=options["batch"])
        awards = awards.filter(batch=batch)
        if options["product"]:
            return [get_or_fail(awards, "中选药品", product__code=options["product"])]
        found = list(awards.order_by("product__code"))
        if not found:
            raise CommandError(f"批次 {batch.code} 在 {province} 没有中选药品")
        return found


class _progress:
    """A progress bar over awards on stderr when there are enough of them; yields the callback."""

    def __init__(self, total: int):
        self.total = total
        self.bar: Progress | None = None

    def __enter__(self):
        if self.total < PROGRESS_FROM:
            return None
        self.bar = Progress(
            TextColumn("分解约定采购量"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("allocate", total=self.total)
        return lambda award: self.bar.advance(task)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
