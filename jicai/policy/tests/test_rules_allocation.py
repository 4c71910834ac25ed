"""SPEC §4.3: proportional split with largest remainders (ties by code) and the level-by-level decomposition."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jicai.policy.rules.allocation import (
    Node,
    NothingToSplit,
    at_least_previous,
    baseline_total,
    convert,
    decompose,
    ratio_for,
    split,
    whole_units,
)


def test_split_integer_parts_then_largest_remainders():
    # exact shares 3.333…, 3.333…, 3.333…: one unit left, to the smallest code
    assert split(10, [("C", 1), ("B", 1), ("A", 1)]) == {"A": 4, "B": 3, "C": 3}
    # exact shares 6.25, 3.75: integer parts 6 + 3, the unit left goes to the larger remainder (.75)
    assert split(10, [("A", 5), ("B", 3)]) == {"A": 6, "B": 4}
    assert split(7, [("A", 2), ("B", 2), ("C", 3)]) == {"A": 2, "B": 2, "C": 3}


def test_ties_go_by_code_not_by_input_order():
    assert split(1, [("H2", 1), ("H1", 1)]) == {"H1": 1, "H2": 0}
    assert split(5, [("b", 1), ("c", 1), ("a", 1)]) == {"a": 2, "b": 2, "c": 1}
    assert split(2, [("371083", 5), ("371002", 5), ("371003", 5)]) == {"371002": 1, "371003": 1, "371083": 0}


def test_zero_weights_get_nothing():
    assert split(9, [("A", 0), ("B", 3), ("C", 0)]) == {"A": 0, "B": 9, "C": 0}
    assert split(0, [("A", 0), ("B", 0)]) == {"A": 0, "B": 0}
    assert split(0, []) == {}


def test_a_positive_total_over_zero_weights_is_refused_naming_the_parent():
    with pytest.raises(NothingToSplit, match="威海市") as caught:
        split(5, [("A", 0), ("B", 0)], parent="威海市")
    assert (caught.value.parent, caught.value.total) == ("威海市", 5)
    with pytest.raises(NothingToSplit):
        split(1, [], parent="x")


def test_bad_input():
    with pytest.raises(ValueError, match="负数"):
        split(-1, [("A", 1)])
    with pytest.raises(ValueError, match="负数"):
        split(1, [("A", -1)])
    with pytest.raises(ValueError, match="两次"):
        split(1, [("A", 1), ("A", 2)])


def test_decimal_weights_are_exact():
    assert split(3, [("A", Decimal("0.1")), ("B", Decimal("0.2"))]) == {"A": 1, "B": 2}
    assert split(10, [("A", Decimal("1.5")), ("B", 1)]) == {"A": 6, "B": 4}


def tree():
    """province P: institution P1 (direct), city C1 (C1a, district D1: D1a, D1b), city C2 (C2a)."""
    return Node(
        "P",
        is_region=True,
        children=[
            Node("P1", 10),
            Node(
                "C1",
                is_region=True,
                children=[Node("C1a", 20), Node("D1", is_region=True, children=[Node("D1a", 7), Node("D1b", 3)])],
            ),
            Node("C2", is_region=True, children=[Node("C2a", 60)]),
            Node("C3", is_region=True),  # a city without institutions
        ],
    )


def test_decompose_level_by_level():
    q = decompose(1000, tree())
    assert q["P"] == 1000
    assert (q["P1"], q["C1"], q["C2"], q["C3"]) == (100, 300, 600, 0)
    assert (q["C1a"], q["D1"]) == (200, 100)
    assert (q["D1a"], q["D1b"]) == (70, 30)


def test_decompose_rounds_at_every_level():
    q = decompose(7, tree())
    assert q["P1"] + q["C1"] + q["C2"] + q["C3"] == 7
    assert q["C1a"] + q["D1"] == q["C1"]
    assert q["D1a"] + q["D1b"] == q["D1"]


def test_decompose_without_any_baseline_names_the_root():
    empty = Node("371000", is_region=True, children=[Node("H1", 0), Node("371002", is_region=True)])
    with pytest.raises(NothingToSplit, match="371000"):
        decompose(10, empty)
    assert decompose(0, empty) == {"371000": 0, "H1": 0, "371002": 0}


def test_levels_can_make_a_larger_baseline_get_less_across_branches():
    """Exact sums at every level are the rule; equal treatment across branches is not always possible."""
    t = Node(
        "P",
        is_region=True,
        children=[
            Node("A", is_region=True, children=[Node("a", 3)]),
            Node("B", is_region=True, children=[Node("b1", 2), Node("b2", 2)]),
        ],
    )
    q = decompose(1, t)
    assert (q["a"], q["b1"], q["b2"]) == (0, 1, 0)


def test_ratio_table():
    table = {"1": "0.5", "2": "0.6", "3": "0.7", "4": "0.8"}
    assert [ratio_for(table, n) for n in (1, 2, 3, 4, 5, 12)] == [
        Decimal(x) for x in ("0.5", "0.6", "0.7", "0.8", "0.8", "0.8")
    ]
    with pytest.raises(ValueError, match="比例"):
        ratio_for({"2": "0.6", "x": "1"}, 1)
    assert baseline_total(1001, Decimal("0.5")) == 501  # half up
    assert baseline_total(Decimal("1000.4"), Decimal("1")) == 1000


def test_strength_conversion():
    assert convert(40_000, Decimal(2), Decimal(1)) == 80_000  # 10 mg against a 5 mg award
    assert convert(3, Decimal("0.5"), Decimal(1)) == Decimal("1.5")
    assert whole_units(Decimal("1.5")) == 2
    assert convert(100, Decimal(1), Decimal(2)) == 50


def test_at_least_previous():
    assert at_least_previous({"A": 5, "B": 9}, {"A": 7, "C": 1}) == {"A": 7, "B": 9, "C": 1}


# Properties


weights_strategy = st.lists(st.integers(0, 10**6) | st.just(0), min_size=1, max_size=30)


@given(total=st.integers(0, 10**9), weights=weights_strategy, seed=st.integers(0, 2**16))
def test_split_properties(total, weights, seed):
    pairs = [(f"K{i:03d}", w) for i, w in enumerate(weights)]
    if total and not any(weights):
        with pytest.raises(NothingToSplit):
            split(total, pairs)
        return
    parts = split(total, pairs)
    assert sum(parts.values()) == total
    assert all(v >= 0 for v in parts.values())
    shuffled = pairs[:]
    random.Random(seed).shuffle(shuffled)
    assert split(total, shuffled) == parts  # deterministic, whatever the order
    for (ka, wa), (kb, wb) in zip(pairs, pairs[1:], strict=False):
        if wa > wb:
            assert parts[ka] >= parts[kb]
        elif wb > wa:
            assert parts[kb] >= parts[ka]
    for k, w in pairs:
        if w == 0:
            assert parts[k] == 0
        if any(weights):  # never a whole unit away from the exact share
            exact = Fraction(total * w, sum(weights))
            assert exact - 1 < parts[k] < exact + 1


@given(total=st.integers(0, 10**6), weights=st.lists(st.integers(0, 10**4), min_size=2, max_size=10))
def test_split_monotone_in_weight(total, weights):
    """Every pair: a larger weight never gets less; equal weights differ by at most one unit, the smaller code
    first."""
    pairs = [(f"K{i:03d}", w) for i, w in enumerate(weights)]
    if total and not any(weights):
        return
    parts = split(total, pairs)
    for ka, wa in pairs:
        for kb, wb in pairs:
            if wa > wb:
                assert parts[ka] >= parts[kb]
            elif wa == wb and ka < kb:
                assert parts[ka] - parts[kb] in (0, 1)


@st.composite
def trees(draw, depth=0, prefix="R"):
    """A random region tree: regions (up to 3 levels) with institutions at any level, zero baselines included."""
    children = []
    n_inst = draw(st.integers(0, 4))
    for i in range(n_inst):
        children.append(Node(f"{prefix}.I{i}", draw(st.integers(0, 5000) | st.just(0))))
    if depth < 3:
        for j in range(draw(st.integers(0, 3))):
            children.append(draw(trees(depth=depth + 1, prefix=f"{prefix}.R{j}")))
    return Node(prefix, is_region=True, children=children)


@settings(max_examples=300)
@given(tree=trees(), total=st.integers(0, 10**8), seed=st.integers(0, 2**16))
def test_decompose_properties(tree, total, seed):
    leaves = [n for n in tree.walk() if not n.is_region]
    if total and not any(n.weight for n in leaves):
        with pytest.raises(NothingToSplit):
            decompose(total, tree)
        return
    q = decompose(total, tree)
    assert q[tree.code] == total
    for node in tree.walk():
        assert q[node.code] >= 0
        if node.is_region and node.children:
            assert sum(q[c.code] for c in node.children) == q[node.code], node.code  # exact at every level
            # siblings: a larger baseline never gets less
            weights = {c.code: sum(n.weight for n in c.walk() if not n.is_region) for c in node.children}
            for a in node.children:
                for b in node.children:
                    if weights[a.code] > weights[b.code]:
                        assert q[a.code] >= q[b.code]
        if not node.is_region and node.weight == 0:
            assert q[node.code] == 0
    assert sum(q[n.code] for n in leaves) == total
    # deterministic, whatever the order of the children
    rnd = random.Random(seed)
    for node in tree.walk():
        rnd.shuffle(node.children)
    assert decompose(total, tree) == q
