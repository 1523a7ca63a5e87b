"""Labelled families (model/family.py): labels, alignment of labelled data, the union of two
indexes, grouping terms into rows, and what each backend makes of a family of rows."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest

from northam_plan.model.algebra import (
    Family,
    Index,
    building,
    columns,
    constraints,
    expressions,
    new_model,
    sums,
    terms,
    variables,
)
from northam_plan.model.matrix import MatrixModel


def model(backend: str):
    """x[r, t] for r in (a, b), t in (1, 2); y[k] for k in (p, q)."""
    m = new_model("t")
    variables(m, "x", [(r, t) for r in "ab" for t in (1, 2)])
    variables(m, "y", ["p", "q"])
    return m


def rows(m, name: str) -> dict:
    """label → ({variable: coef}, lower, upper) of a constraint on either backend (bounds with
    the body's constant moved into them, as the compiler does)."""
    component = getattr(m, name)
    out = {}
    if isinstance(m, MatrixModel):
        matrix = m.matrix().tocoo()
        for key in component.keys_list:
            i = component.row_of[key]
            entries = {m.component_of_column(int(j)).keys_list[int(j) - m.component_of_column(
                int(j)).start]: float(v) for r, j, v in zip(matrix.row, matrix.col,
                                                            matrix.data) if r == i}
            out[key] = (entries, m.row_lower[i], m.row_upper[i])
        return out
    for key, con in component.items():
        body = con.body
        entries = {var.index(): coef for coef, var in zip(body.linear_coefs, body.linear_vars)}
        low = -np.inf if con.lower is None else pyo.value(con.lower) - body.constant
        up = np.inf if con.upper is None else pyo.value(con.upper) - body.constant
        out[key] = (entries, low, up)
    return out


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_terms_grouped_by_label_and_compared_with_labelled_data(backend):
    """Σ_t t · x[r, t] ≤ cap[r], cap a pandas Series keyed by r; y[p] ≥ 1 by row number."""
    with building(backend):
        m = model(backend)
        keys = [(r, t) for r in "ab" for t in (1, 2)]
        regions = Index(["b", "a"], ("region",))  # rows in this order, not the terms'
        used = terms(m.x, keys, coefs=[t for _, t in keys], at=[r for r, _ in keys],
                     index=regions)
        constraints(m, "cap_max", used <= pd.Series({"a": 5.0, "b": 7.0}))
        constraints(m, "y_min", terms(columns(m.y)[[0]], at=np.array([0]), index=["p"]) >= 1)
    found = rows(m, "cap_max")
    assert list(found) == ["b", "a"]
    assert found["a"] == ({("a", 1): 1.0, ("a", 2): 2.0}, -np.inf, 5.0)
    assert found["b"] == ({("b", 1): 1.0, ("b", 2): 2.0}, -np.inf, 7.0)
    assert rows(m, "y_min") == {"p": ({"p": 1.0}, 1.0, np.inf)}


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_family_against_family_with_constants(backend):
    """e[r] = x[r, 1] + 2 (an expression with a constant); x[r, 2] ≤ 3 · e[r] − 1, i.e.
    x[r, 2] − 3 x[r, 1] ≤ 5."""
    with building(backend):
        m = model(backend)
        regions = Index(["a", "b"])
        expressions(m, "e", terms(m.x, [("a", 1), ("b", 1)], at=["a", "b"], index=regions)
                    + 2.0)
        constraints(m, "lim", terms(m.x, [("a", 2), ("b", 2)], at=["a", "b"])
                    <= 3 * terms(m.e, index=regions) - 1.0)
        assert terms(m.x, [("a", 1), ("b", 1)], at=regions.keys, index=regions).entries()[
            0].tolist() == [0, 1]  # the index's own labels: term i in row i
    found = rows(m, "lim")
    assert found["a"] == ({("a", 2): 1.0, ("a", 1): -3.0}, -np.inf, 5.0)
    assert found["b"] == ({("b", 2): 1.0, ("b", 1): -3.0}, -np.inf, 5.0)


def test_the_pyomo_route_keeps_the_bound_as_written_and_the_constant_in_the_body():
    """The Resolver moves a row's bound by the change of the data (scenarios/resolve.py): the
    bound must be the right-hand side as written, the expressions' constants in the body."""
    with building("pyomo"):
        m = model("pyomo")
        expressions(m, "e", terms(m.x, [("a", 1)], at=["a"]) + 2.0)
        constraints(m, "floor", terms(m.e, index=["a"]) >= {"a": 10.0})
    con = m.floor["a"]
    assert pyo.value(con.lower) == 10.0 and con.upper is None
    assert con.body.constant == 2.0


def test_families_over_different_indexes_add_over_the_union_of_their_labels():
    with building("matrix"):
        m = model("matrix")
        left = terms(m.y, ["p"]) + 1.0
        right = terms(m.y, ["q", "p"], coefs=[2.0, 3.0]) + {"q": 4.0, "p": 5.0}
        total = left - right
    assert total.index.keys == ["p", "q"]
    row, items, coefs = total.entries()
    assert sorted(zip(row.tolist(), items.ids.tolist(), coefs.tolist())) == [
        (0, 4, -3.0), (0, 4, 1.0), (1, 5, -2.0)]
    assert total.constant.tolist() == [1.0 - 5.0, -4.0]


def test_sums_take_pairs_per_label_and_leave_a_label_without_pairs_empty():
    with building("matrix"):
        m = model("matrix")
        pairs = defaultdict(list)
        pairs["p"] += [(1.5, m.y["p"]), (-1.0, m.y["q"])]
        family = sums(pairs, Index(["q", "p"]))
    assert "q" not in pairs  # looked up, not added
    row, items, coefs = family.entries()
    assert (row.tolist(), items.ids.tolist(), coefs.tolist()) == ([1, 1], [4, 5], [1.5, -1.0])


def test_labelled_data_align_by_label():
    index = Index(pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["region", "year"]))
    assert index.dims == ("region", "year")
    series = pd.Series([2.0, 1.0], index=pd.MultiIndex.from_tuples([("b", 2), ("a", 1)]))
    assert index.align(series).tolist() == [1.0, 2.0]
    assert index.align({("b", 2): 4.0, ("a", 1): 3.0}).tolist() == [3.0, 4.0]
    assert index.align(defaultdict(float, {("b", 2): 4.0})).tolist() == [0.0, 4.0]
    assert index.align(7).tolist() == [7.0, 7.0]
    with pytest.raises(KeyError, match="no value for label"):
        index.align({("a", 1): 3.0})
    with pytest.raises(ValueError, match="3 values for the 2 labels"):
        index.align([1.0, 2.0, 3.0])


def test_numpy_on_the_left_scales_row_by_row():
    with building("matrix"):
        m = model("matrix")
        family = np.array([2.0, 3.0]) * terms(m.y, ["p", "q"])
    assert isinstance(family, Family)
    assert family.entries()[2].tolist() == [2.0, 3.0]


def test_mistakes_are_named():
    with building("matrix"):
        m = model("matrix")
        with pytest.raises(KeyError, match="'z' is not in the index"):
            terms(m.y, ["p"], at=["z"], index=["p"])
        with pytest.raises(ValueError, match="1 coefficients for 2 terms"):
            terms(m.y, ["p", "q"], coefs=[1.0])
        with pytest.raises(TypeError, match="truth value"):
            bool(0 <= terms(m.y, ["p"]))
        with pytest.raises(TypeError, match="not linear"):
            terms(m.y, ["p"]) * terms(m.y, ["p"])


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_variable_bounds_are_labelled_data(backend):
    """upper from a dict keyed like the variables: NaN and inf mean none; lower raised to 0."""
    with building(backend):
        m = new_model("t")
        variables(m, "z", ["a", "b", "c"], lower={"a": -1.0, "b": 2.0, "c": np.nan},
                  upper={"a": 4.0, "b": np.nan, "c": np.inf})
    if isinstance(m, MatrixModel):
        bounds = list(zip(m.col_lower, m.col_upper))
    else:
        bounds = [(m.z[k].lb, np.inf if m.z[k].ub is None else m.z[k].ub) for k in "abc"]
    assert bounds == [(0.0, 4.0), (2.0, np.inf), (0.0, np.inf)]
