"""Agreed volumes decomposed level by level (SPEC §4.3).

威医保发〔2020〕23号 / 鲁医保发〔2020〕25号: "以医疗机构2018年度药品使用量为基数，由医保部门逐级分解确定首年约定采购量".
The province's total is the national result or baselines × the batch's ratio for the number of winners; each level
splits its total among its children in proportion to their baselines (largest remainders, ties by code), so that at
every level the children add up exactly to the parent.

Pure functions: no database, no I/O. The services in `jicai.volumes.allocation` build the tree from the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd

Weight = int | Decimal

NOTHING_TO_SPLIT = "“{parent}”下所有参与机构的基数均为 0，无法分解总量 {total}（请先导入基数或检查参与方式）"
NEGATIVE_TOTAL = "总量不能为负数：{total}"
NEGATIVE_WEIGHT = "“{key}”的基数不能为负数：{weight}"
DUPLICATE_KEY = "编码“{key}”出现了两次"
NO_RATIO = "批次比例表没有中选企业数“{key}”的比例（比例表：{table}）"


class NothingToSplit(ValueError):
    """A positive total whose children all weigh zero: there is no proportion to split it by.

    Decision (SPEC §4.3 is silent): never spread it evenly or by head count; the caller must import baselines,
    change participation or give the volume to someone by reallocation."""

    def __init__(self, parent: str, total: int):
        super().__init__(NOTHING_TO_SPLIT.format(parent=parent, total=total))
        self.parent = parent
        self.total = total


def split(total: int, weights: Sequence[tuple[str, Weight]], *, parent: str = "") -> dict[str, int]:
    """Split `total` units among keys in proportion to their weights: each key gets the integer part of its exact
    share, then the units left over go one each to the largest remainders, ties by key (code) ascending.

    The parts add up to `total` exactly, none is negative, and a key with a larger weight never gets less than one
    with a smaller weight. A zero weight gets 0. A total of 0 gives every key 0. A positive total with no positive
    weight raises `NothingToSplit` naming `parent`. The order of `weights` does not matter.
    """
    if total < 0:
        raise ValueError(NEGATIVE_TOTAL.format(total=total))
    weights = list(weights)
    seen: set[str] = set()
    for key, weight in weights:
        if key in seen:
            raise ValueError(DUPLICATE_KEY.format(key=key))
        seen.add(key)
        if weight < 0:
            raise ValueError(NEGATIVE_WEIGHT.format(key=key, weight=weight))
    # Exact arithmetic on integers: Decimal weights are scaled by a common denominator first.
    if all(isinstance(w, int) for _, w in weights):
        scaled = [(key, int(w)) for key, w in weights]
    else:
        fractions = [(key, Fraction(w)) for key, w in weights]
        denominator = 1
        for _, f in fractions:
            denominator = denominator * f.denominator // gcd(denominator, f.denominator)
        scaled = [(key, int(f * denominator)) for key, f in fractions]
    whole = sum(w for _, w in scaled)
    if whole == 0:
        if total:
            raise NothingToSplit(parent, total)
        return {key: 0 for key, _ in scaled}
    result: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in scaled:
        floor, remainder = divmod(total * weight, whole)  # share = floor + remainder / whole
        result[key] = floor
        remainders.append((remainder, key))
    left = total - sum(result.values())
    # Largest remainder first; equal remainders by key ascending. Zero weights have a zero remainder and, since
    # the remainders add up to `left` units and each is below one, never reach the front.
    remainders.sort(key=lambda r: (-r[0], r[1]))
    for _, key in remainders[:left]:
        result[key] += 1
    return result


@dataclass
class Node:
    """A node of the region tree: a region (with children) or an institution (a leaf with a weight).

    A region's weight is the sum of its children's; its own `weight` is ignored. Codes are unique in the tree."""

    code: str
    weight: Weight = 0
    children: list[Node] = field(default_factory=list)
    is_region: bool = False

    def total_weight(self) -> Weight:
        return sum((c.total_weight() for c in self.children), 0) if self.is_region else self.weight

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def decompose(total: int, tree: Node) -> dict[str, int]:
    """Every node's quantity (regions and institutions, by code) when `tree`'s root receives `total` and each
    region splits what it receives among its children (sub-regions and the institutions directly under it) in
    proportion to their weights (`split`). At every level the children add up exactly to the parent.

    Only the root can raise `NothingToSplit`: a region whose weight is zero receives zero from its parent.
    """
    weights: dict[int, Weight] = {}

    def weigh(node: Node) -> Weight:
        w = sum((weigh(c) for c in node.children), 0) if node.is_region else node.weight
        weights[id(node)] = w
        return w

    weigh(tree)
    result: dict[str, int] = {}
    stack = [(tree, total)]
    while stack:
        node, amount = stack.pop()
        if node.code in result:
            raise ValueError(DUPLICATE_KEY.format(key=node.code))
        result[node.code] = amount
        if not node.is_region or not node.children:
            if node.is_region and amount:
                raise NothingToSplit(node.code, amount)
            continue
        parts = split(amount, [(c.code, weights[id(c)]) for c in node.children], parent=node.code)
        stack.extend((c, parts[c.code]) for c in node.children)
    return result


def ratio_for(ratio_table: Mapping[str, object], winners: int) -> Decimal:
    """The batch's share of the baseline that becomes agreed volume for `winners` winners; the largest key means
    "that many or more" (keys "1".."4": "4" is 4 or more)."""
    numeric = sorted(int(k) for k in ratio_table if str(k).isdigit())
    key = str(min(winners, numeric[-1])) if numeric else str(winners)
    if key not in ratio_table:
        raise ValueError(NO_RATIO.format(key=key, table=dict(ratio_table)))
    return Decimal(str(ratio_table[key]))


def baseline_total(baseline: Weight, ratio: Decimal) -> int:
    """The total from baselines: baseline × ratio, rounded half up to a whole smallest unit."""
    return int((Decimal(baseline) * ratio).to_integral_value(ROUND_HALF_UP))


def convert(quantity: int, strength_factor: Decimal, award_strength_factor: Decimal) -> Decimal:
    """A quantity of one specification in units of the award's: 10 mg tablets count twice against a 5 mg award."""
    return Decimal(quantity) * Decimal(strength_factor) / Decimal(award_strength_factor)


def whole_units(quantity: Decimal) -> int:
    """A converted baseline as a whole number of the award's smallest unit (half up): the weight that is shown is
    the weight that is used, so a printed allocation can be checked by hand."""
    return int(quantity.to_integral_value(ROUND_HALF_UP))


def at_least_previous(new: Mapping[str, int], previous: Mapping[str, int]) -> dict[str, int]:
    """Next year's volumes when the profile says "次年约定量不低于上年": each institution gets the larger of its new
    share and its previous year's volume (so the total may exceed the new decomposition's)."""
    keys = set(new) | set(previous)
    return {k: max(new.get(k, 0), previous.get(k, 0)) for k in keys}
