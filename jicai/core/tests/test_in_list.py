"""`field__in_list`: the importers' chunk lookups send their keys as one parameter (jicai.core.bulk.InList)."""

from jicai.core.testing import make_institution, make_region
from jicai.orgs.models import Institution


def codes(values) -> set[str]:
    return set(Institution.objects.filter(code__in_list=values).values_list("code", flat=True))


def test_it_finds_the_same_rows_as_in(db):
    region = make_region("500000", profile="cq")
    for code in ("H-1", "H-2", "医院'3", 'H"4'):
        make_institution(region, code=code)
    wanted = ["H-2", "医院'3", 'H"4', "H-9", "H-2"]  # quotes, Chinese, a missing code and a repeat
    assert codes(wanted) == set(Institution.objects.filter(code__in=wanted).values_list("code", flat=True))
    assert codes(wanted) == {"H-2", "医院'3", 'H"4'}
    assert codes([]) == set()
    assert Institution.objects.exclude(code__in_list=["H-1"]).count() == 3


def test_more_values_than_sqlite_allows_parameters(db):
    make_institution(make_region("500000", profile="cq"), code="H-1")
    assert codes([f"X{n}" for n in range(40_000)] + ["H-1"]) == {"H-1"}
