"""The labelled families of the algebra (terms, sums, Index, lhs <= rhs added with constraints
and expressions) and the ledger's supply_many / cost_many give the same rows on both backends, on
a model small enough to write out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from northam_plan.model.algebra import (
    Index,
    building,
    columns,
    constraints,
    expressions,
    new_model,
    sums,
    terms,
    value,
    variables,
)
from northam_plan.model.book import Book
from northam_plan.model.matrix import MatrixModel


def tiny(backend: str):
    """x[a], x[b], x[c] and y[1], y[2], with

    e[p] = 2 x[a] + 3 x[b] + 1 and e[q] = x[c] (expressions);
    le[u]: x[a] + y[1] ≤ 4; eq[v]: −y[2] + 5 x[c] = 2; ge[w]: x[b] ≥ 0.5;
    lim[p]: y[1] − 2 e[p] ≤ 3 (i.e. y[1] − 4 x[a] − 6 x[b] ≤ 5), lim[q]: y[2] − 2 e[q] ≤ 3;
    bal[(r, c, 1)]: x[a] − x[b] + y[2] ≥ 7 from the ledger's supply_many and a single supply,
    as build_model writes the commodity balance."""
    with building(backend):
        m = new_model("tiny")
        variables(m, "x", ["a", "b", "c"])
        variables(m, "y", [1, 2])
        x, y = columns(m.x), columns(m.y)
        expressions(m, "e", terms(x, at=["p", "p", "q"], coefs=[2.0, 3.0, 1.0]) + {"p": 1.0,
                                                                                   "q": 0.0})
        constraints(m, "le", terms(m.x, ["a"], at=["u"]) + terms(m.y, [1], at=["u"]) <= 4.0)
        constraints(m, "eq", 5.0 * terms(m.x, ["c"], at=["v"]) - terms(y[[1]], index=["v"])
                    == {"v": 2.0})
        constraints(m, "ge", terms(m.x, ["b"], at=["w"]) >= 0.5)
        keys = Index(["p", "q"])
        constraints(m, "lim", terms(y, index=keys) - 2.0 * terms(m.e, index=keys) <= 3.0)
        book = Book()
        book.supply_many(["r", "r"], ["c", "c"], [1, 1], [1.0, -1.0], x[[0, 1]])
        book.supply("r", "c", 1, 1.0, m.y[2])
        book.demand("r", "c", 1, 7.0)
        rows = Index(sorted(book.balance_terms))
        supply = sums(book.balance_terms, rows)
        for labels, ids, coefs in book.balance_bulk:
            supply = supply + terms(type(x)(x.model, ids), at=labels, coefs=coefs, index=rows)
        constraints(m, "bal", supply >= book.balance_rhs)
    return m


EXPECTED = {  # row → ({column: coefficient}, lower, upper)
    "le[u]": ({"x[a]": 1.0, "y[1]": 1.0}, -np.inf, 4.0),
    "eq[v]": ({"x[c]": 5.0, "y[2]": -1.0}, 2.0, 2.0),
    "ge[w]": ({"x[b]": 1.0}, 0.5, np.inf),
    "lim[p]": ({"y[1]": 1.0, "x[a]": -4.0, "x[b]": -6.0}, -np.inf, 5.0),
    "lim[q]": ({"y[2]": 1.0, "x[c]": -2.0}, -np.inf, 3.0),
    "bal[r,c,1]": ({"x[a]": 1.0, "x[b]": -1.0, "y[2]": 1.0}, 7.0, np.inf),
}


def rows_of(m) -> dict:
    if isinstance(m, MatrixModel):
        matrix = m.matrix().tocoo()
        from northam_plan.model.expr import Col, RowRef
        rows = {i: RowRef(m, i).name for i in range(m.n_rows)}
        found = {rows[i]: ({}, m.row_lower[i], m.row_upper[i]) for i in rows}
        for i, j, v in zip(matrix.row, matrix.col, matrix.data):
            found[rows[i]][0][Col(m, int(j)).name] = float(v)
        return found
    form = LinearStandardFormCompiler().write(m, mixed_form=True)
    names = [v.name for v in form.columns]
    matrix = form.A.tocsr()
    found = {}
    for i, (con, sense) in enumerate(form.rows):
        entries = {names[j]: float(v) for j, v in zip(matrix.indices[matrix.indptr[i]:
                                                      matrix.indptr[i + 1]],
                                               matrix.data[matrix.indptr[i]:
                                                           matrix.indptr[i + 1]])}
        lower = -np.inf if sense == 1 else form.rhs[i]
        upper = np.inf if sense == -1 else form.rhs[i]
        found.setdefault(con.name, [{}, -np.inf, np.inf])
        found[con.name][0].update(entries)  # a ranged row comes as two rows of one name
        found[con.name][1] = max(found[con.name][1], lower)
        found[con.name][2] = min(found[con.name][2], upper)
    return {name: tuple(row) for name, row in found.items()}


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_families_make_the_rows_written_out_by_hand(backend):
    found = rows_of(tiny(backend))
    assert found.keys() == EXPECTED.keys()
    for name, (entries, lower, upper) in EXPECTED.items():
        assert found[name][0] == pytest.approx(entries), name
        assert (found[name][1], found[name][2]) == (lower, upper), name


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_an_expression_from_a_family_evaluates_with_its_constant(backend):
    m = tiny(backend)
    if isinstance(m, MatrixModel):
        m.x = np.array([1.0, 2.0, 3.0, 0.0, 0.0])
    else:
        for key, v in zip("abc", (1.0, 2.0, 3.0)):
            m.x[key].value = v
    assert value(m.e["p"]) == pytest.approx(2 * 1 + 3 * 2 + 1)
    assert value(m.e["q"]) == pytest.approx(3.0)


def test_the_ledger_refuses_coefficients_that_do_not_match_the_terms():
    with building("matrix"):
        m = new_model("t")
        variables(m, "x", ["a", "b"])
        with pytest.raises(ValueError, match="3 coefficients for 2 terms"):
            Book().supply_many(["r", "r"], ["c", "c"], [1, 1], [1.0, 2.0, 3.0], columns(m.x))


def test_constraints_take_a_comparison_of_families():
    with building("matrix"):
        m = new_model("t")
        variables(m, "x", ["a"])
        with pytest.raises(TypeError, match="family of rows"):
            constraints(m, "row", terms(m.x, ["a"]))
