"""Set-based reads of the weekly supply check: which awards each institution must check in a week, and the
bureau's map of a week (by award and company: 紧张, 断供, who has not checked). A fixed number of queries per
call, whatever the region's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from jicai.catalog.models import Award
from jicai.orgs.models import Institution
from jicai.policy.rules.progress import year_no_on
from jicai.policy.rules.supply import NORMAL, TIGHT, missing_awards, week_end, week_of
from jicai.supply.models import SupplyCheck
from jicai.volumes.models import AgreedVolume


def participating(institutions):
    """Institutions that take part in VBP (mandatory or voluntary): they check their awards every week."""
    return institutions.exclude(participation=Institution.Participation.NONE)


def held_awards(institutions, week: date) -> dict[int, set[int]]:
    """institution id → the awards it holds a positive agreed volume for in the agreement year of `week` (the
    year that contains the week's Monday or its Sunday, so the week an award starts or a year turns counts)."""
    week = week_of(week)
    days = (week, week_end(week))
    held: dict[int, set[int]] = defaultdict(set)
    rows = AgreedVolume.objects.filter(institution__in=institutions, quantity__gt=0).values_list(
        "institution_id", "award_id", "year_no", "award__start_date"
    )
    for inst, award, year_no, start in rows:
        if any(year_no_on(start, day) == year_no for day in days):
            held[inst].add(award)
    return dict(held)


def checked_awards(institutions, week: date) -> dict[int, dict[int, tuple[str, str]]]:
    """institution id → {award id: (status, note)} of the checks recorded for `week`."""
    out: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for inst, award, status, note in SupplyCheck.objects.filter(
        institution__in=institutions, week=week_of(week)
    ).values_list("institution_id", "award_id", "status", "note"):
        out[inst][award] = (status, note)
    return dict(out)


@dataclass
class AwardWeek:
    """One award's line of the week map."""

    award_id: int
    generic_name: str
    spec: str
    company: str
    holders: int = 0
    normal: int = 0
    tight: list[str] = field(default_factory=list)  # institution names
    out: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.normal + len(self.tight) + len(self.out)

    @property
    def has_problem(self) -> bool:
        return bool(self.tight or self.out)


@dataclass
class CompanyWeek:
    company: str
    awards: int = 0
    tight: int = 0
    out: int = 0
    missing: int = 0


@dataclass
class InstitutionWeek:
    code: str
    name: str
    region: str
    held: int
    missing: int


@dataclass
class WeekMap:
    week: date
    awards: list[AwardWeek]
    companies: list[CompanyWeek]
    missing: list[InstitutionWeek]  # institutions that have not checked all their awards

    @property
    def institutions_missing(self) -> int:
        return len(self.missing)


def week_map(institutions, week: date) -> WeekMap:
    """The week's problems by award and by company, and who has not checked. `institutions` is already scoped."""
    week = week_of(week)
    institutions = participating(institutions)
    names = {i: (c, n, r) for i, c, n, r in institutions.values_list("pk", "code", "name", "region__name")}
    held = held_awards(institutions, week)
    checks = checked_awards(institutions, week)
    award_ids = set().union(*held.values()) if held else set()
    awards = {
        a: AwardWeek(a, g, s, c)
        for a, g, s, c in Award.objects.filter(pk__in=award_ids).values_list(
            "pk", "product__generic_name", "product__spec", "product__manufacturer__name"
        )
    }
    missing_rows = []
    for inst in sorted(held, key=lambda i: names[i][0]):
        code, name, region = names[inst]
        done = checks.get(inst, {})
        for award in held[inst]:
            line = awards[award]
            line.holders += 1
            status, note = done.get(award, (None, ""))
            if status is None:
                line.missing.append(name)
            elif status == NORMAL:
                line.normal += 1
            else:
                (line.tight if status == TIGHT else line.out).append(name)
                if note:
                    line.notes.append(f"{name}：{note}")
        gap = missing_awards(held[inst], set(done))
        if gap:
            missing_rows.append(InstitutionWeek(code, name, region, len(held[inst]), len(gap)))
    lines = sorted(awards.values(), key=lambda a: (-len(a.out), -len(a.tight), a.company, a.generic_name))
    companies: dict[str, CompanyWeek] = {}
    for line in lines:
        c = companies.setdefault(line.company, CompanyWeek(line.company))
        c.awards += 1
        c.tight += len(line.tight)
        c.out += len(line.out)
        c.missing += len(line.missing)
    by_company = sorted(companies.values(), key=lambda c: (-c.out, -c.tight, c.company))
    return WeekMap(week, lines, by_company, missing_rows)


WEEK_COLUMNS = [
    ("generic_name", _("药品通用名")),
    ("spec", _("规格")),
    ("company", _("生产企业")),
    ("holders", _("应填报机构数")),
    ("normal", _("正常")),
    ("tight", _("紧张")),
    ("out", _("断供")),
    ("missing", _("未填报")),
    ("tight_institutions", _("紧张机构")),
    ("out_institutions", _("断供机构")),
    ("missing_institutions", _("未填报机构")),
    ("notes", _("说明")),
]


def week_rows(m: WeekMap) -> list[dict]:
    """One dict per award line: what the page, the export and the CLI show."""
    return [
        {
            "award_id": a.award_id,
            "generic_name": a.generic_name,
            "spec": a.spec,
            "company": a.company,
            "holders": a.holders,
            "normal": a.normal,
            "tight": len(a.tight),
            "out": len(a.out),
            "missing": len(a.missing),
            "tight_institutions": "、".join(a.tight),
            "out_institutions": "、".join(a.out),
            "missing_institutions": "、".join(a.missing),
            "notes": "；".join(a.notes),
        }
        for a in m.awards
    ]
