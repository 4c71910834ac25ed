"""Importers of regions, institutions and companies (SPEC §8)."""

from __future__ import annotations

import re
from typing import Any

from jicai.core.bulk import UpsertResult
from jicai.core.imports import Column, Importer, Row, choice, lookup, parse_bool, text_of
from jicai.orgs.models import Company, Institution, Region
from jicai.policy.models import PolicyProfile

UNKNOWN_REGION = "未知的区划编码“{code}”"
UNKNOWN_PROFILE = "未知的政策配置“{code}”"
UNKNOWN_PARENT = "未知的上级编码“{code}”（上级须已在库中，或在本文件中排在前面）"
REGION_CODE_DIGITS = "区划编码只能由数字组成"
PROVINCE_HAS_PARENT = "省级区划不能有上级"
PARENT_REQUIRED = "市级、区县级区划必须填写上级编码"
PARENT_LEVEL = "上级“{code}”是{parent}级，不能作为{level}级区划的上级"
PATH_TOO_LONG = "区划层级过深"

# Which levels may sit directly above each level: Chongqing's districts hang under the province-level city.
PARENT_LEVELS = {
    Region.Level.PROVINCE: (),
    Region.Level.CITY: (Region.Level.PROVINCE,),
    Region.Level.DISTRICT: (Region.Level.PROVINCE, Region.Level.CITY),
}
_DIGITS = re.compile(r"\d+")


def parent_code(path: str | None) -> str | None:
    """ "500000/500102/" → "500000"; a top-level path → None."""
    codes = (path or "").strip("/").split("/")
    return codes[-2] if len(codes) > 1 else None


class RegionImporter(Importer):
    """Regions, top-down: a parent is in the database or on an earlier line of the same file.

    The file's rows are written with their materialised path (parent path + code + "/"); afterwards the parent
    ids are set from the paths and the paths of every region below a moved one are recomputed."""

    kind = "regions"
    model = Region
    columns = (
        Column("code", "编码", text_of(Region, "code")),
        Column("name", "名称", text_of(Region, "name")),
        Column("level", "级别", choice(Region.Level)),
        Column("parent_code", "上级编码", text_of(Region, "code"), required=False),
        Column("profile", "政策配置", text_of(PolicyProfile, "code"), required=False),
    )
    key = ("code",)
    fields = ("name", "level", "path", "profile")
    key_columns = ("code",)
    audit_columns = {"path": "parent_code"}
    optional_fields = {"profile": "profile"}

    def prepare(self) -> None:
        # code → (path, level): the database's regions, then the file's as its rows are read.
        self.known = {code: (path, level) for code, path, level in Region.objects.values_list("code", "path", "level")}
        self.profiles = lookup(PolicyProfile.objects, "code")
        self.in_file: set[str] = set()

    def convert(self, row: Row) -> tuple:
        code, level = row.get("code"), row.get("level")
        if code is not None and not _DIGITS.fullmatch(code):
            row.error("code", REGION_CODE_DIGITS)
            code = None
        path = self._path(row, code, level)
        profile = self.resolve(row, "profile", self.profiles, UNKNOWN_PROFILE)
        if path is not None and not row.errors:
            self.known[code] = (path, level)
            self.in_file.add(code)
        return (code, row.get("name"), level, path, profile)

    def _path(self, row: Row, code: str | None, level: str | None) -> str | None:
        parent = row.get("parent_code")
        if code is None or level is None:
            return None
        if level == Region.Level.PROVINCE:
            if parent is not None:
                row.error("parent_code", PROVINCE_HAS_PARENT)
                return None
            return f"{code}/"
        if parent is None:
            row.error("parent_code", PARENT_REQUIRED)
            return None
        if parent not in self.known:
            row.error("parent_code", UNKNOWN_PARENT.format(code=parent))
            return None
        parent_path, parent_level = self.known[parent]
        if parent_level not in PARENT_LEVELS[level]:
            row.error("parent_code", PARENT_LEVEL.format(code=parent, parent=_label(parent_level), level=_label(level)))
            return None
        path = f"{parent_path}{code}/"
        if len(path) > Region._meta.get_field("path").max_length:
            row.error("parent_code", PATH_TOO_LONG)
            return None
        return path

    def after_write(self, outcome: UpsertResult) -> None:
        """Set parent ids from the file's paths, then recompute every path top-down (a moved region moves the
        regions below it). One read of the table; only rows that differ are written."""
        rows = list(Region.objects.values_list("pk", "code", "parent_id", "path"))
        pk_of = {code: pk for pk, code, _, _ in rows}
        parents = {pk: parent_id for pk, _, parent_id, _ in rows}
        for pk, code, _, path in rows:
            if code in self.in_file:
                parent = parent_code(path)
                parents[pk] = pk_of[parent] if parent else None
        paths = _paths({pk: code for pk, code, _, _ in rows}, parents)
        changed = [
            Region(pk=pk, parent_id=parents[pk], path=paths[pk])
            for pk, _, parent_id, path in rows
            if (parent_id, path) != (parents[pk], paths[pk])
        ]
        Region.objects.bulk_update(changed, ["parent_id", "path"], batch_size=1000)

    def audit_value(self, field_name: str, value: Any, names) -> Any:
        if field_name == "path":
            return parent_code(value)
        return super().audit_value(field_name, value, names)


def _label(level: str) -> str:
    return {"province": "省", "city": "市", "district": "区县"}[level]


def _paths(codes: dict[int, str], parents: dict[int, int | None]) -> dict[int, str]:
    """Materialised paths from parent links, top-down: pk → "root/…/code/"."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    paths: dict[int, str] = {}
    stack = [(pk, "") for pk in children.get(None, [])]
    while stack:
        pk, prefix = stack.pop()
        paths[pk] = f"{prefix}{codes[pk]}/"
        stack.extend((child, paths[pk]) for child in children.get(pk, []))
    return paths


class InstitutionImporter(Importer):
    kind = "institutions"
    model = Institution
    columns = (
        Column("code", "机构编码", text_of(Institution, "code")),
        Column("name", "机构名称", text_of(Institution, "name")),
        Column("region_code", "区划编码", text_of(Region, "code")),
        Column("kind", "类别", choice(Institution.Kind)),
        Column("participation", "参与方式", choice(Institution.Participation)),
    )
    key = ("code",)
    fields = ("name", "region", "kind", "participation")
    key_columns = ("code",)
    audit_columns = {"region": "region_code"}

    def prepare(self) -> None:
        self.regions = lookup(Region.objects, "code")

    def convert(self, row: Row) -> tuple:
        region = self.resolve(row, "region_code", self.regions, UNKNOWN_REGION)
        return (row.get("code"), row.get("name"), region, row.get("kind"), row.get("participation"))


class CompanyImporter(Importer):
    kind = "companies"
    model = Company
    columns = (
        Column("code", "统一社会信用代码", text_of(Company, "code")),
        Column("name", "企业名称", text_of(Company, "name")),
        Column("is_manufacturer", "生产企业", parse_bool),
        Column("is_distributor", "配送企业", parse_bool),
    )
    key = ("code",)
    fields = ("name", "is_manufacturer", "is_distributor")
    key_columns = ("code",)

    def convert(self, row: Row) -> tuple:
        return (row.get("code"), row.get("name"), row.get("is_manufacturer"), row.get("is_distributor"))
