r"""One algebra, two routes: the components write the model once, and it becomes either a Pyomo
model or sparse matrices handed straight to HiGHS.

The components declare variables with :func:`variables` (bounds as labelled data), and write
every constraint and named expression one way: as a labelled family (:mod:`.family`), compared
``lhs <= rhs``, ``>=`` or ``==`` and added with :func:`constraints` (or :func:`expressions`)::

    rows = Index(limited, ("from", "to", "commodity", "year"))
    constraints(m, "flow_max", terms(m.flow, index=rows) <= capacity)

What that makes depends on the route the model is being built in (:func:`building`):

* ``"pyomo"`` (default): Pyomo components on a ``ConcreteModel`` — the model researchers extend
  in a notebook, solve through Pyomo's standard-form compiler and inspect; each row is a
  ``LinearExpression`` with the family's constant, between the bounds as written;
* ``"matrix"``: a :class:`MatrixModel` that numbers every variable and row as it is declared and
  appends each family's coefficients to flat arrays (constants moved into the bounds, as Pyomo's
  compiler moves them). No Pyomo object is made; the hand-over to HiGHS is one sparse-matrix
  conversion. Values and duals are read back through the same interface extraction uses on a
  Pyomo model (``component.items()``, ``var.value``, ``model.dual.get(row)``), so one
  :func:`~northam_plan.extract_plan` serves both.

The ledger's ``supply_many`` / ``cost_many`` take whole families of terms as arrays too. Both
routes run the same component code, so they give the same LP (tests/test_routes.py checks it
row by row on generated cases).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from northam_plan.model.arrays import columns, gathered

# the matrix route's objects, importable from here as well
from northam_plan.model.expr import Col, Cols, Lin, RowRef, _flat_keys, flat, lin_of
from northam_plan.model.family import Family, Index, Rows, sums, terms
from northam_plan.model.matrix import (
    CSC,
    Duals,
    MatrixBlock,
    MatrixConstraint,
    MatrixExpression,
    MatrixModel,
    MatrixVar,
)

__all__ = ["CSC", "Col", "Cols", "Duals", "Family", "Index", "Lin", "MATRIX", "MatrixBlock",
           "MatrixConstraint", "MatrixExpression", "MatrixModel", "MatrixVar", "PYOMO",
           "ROUTES", "RowRef", "Rows", "blocks", "building", "columns", "constraints",
           "expressions", "flat", "gathered", "linear", "lin_of", "new_model", "sums", "terms",
           "value", "variables"]

PYOMO, MATRIX = "pyomo", "matrix"
ROUTES = (PYOMO, MATRIX)
_ROUTE: ContextVar[str] = ContextVar("northam_plan_route", default=PYOMO)


@contextmanager
def building(route: str):
    """Components called inside make the model of ``route`` ('pyomo' or 'matrix')."""
    if route not in ROUTES:
        raise ValueError(f"route must be one of {', '.join(ROUTES)}, got '{route}'")
    token = _ROUTE.set(route)
    try:
        yield
    finally:
        _ROUTE.reset(token)


def new_model(name: str):
    return MatrixModel(name) if _ROUTE.get() == MATRIX else pyo.ConcreteModel(name=name)


def variables(block, name: str, keys, lower=None, upper=None) -> None:
    """Non-negative variables ``block.<name>[key]`` for ``keys``, with bounds given as labelled
    data keyed like the variables (a number, a dict or pandas Series keyed by ``keys``, or a
    sequence in their order; see :meth:`Index.align`): ``lower`` (raised to 0) and ``upper``.
    None, NaN or inf: no bound."""
    index = Index(keys)
    low = None if lower is None else np.fmax(index.align(lower), 0.0)  # NaN: 0
    up = None if upper is None else index.align(upper)
    up = None if up is None else np.where(np.isnan(up), np.inf, up)  # NaN: none
    if isinstance(block, MatrixBlock):
        block.add_var(name, index.keys, low, up)
        return
    bounds = None
    if low is not None or up is not None:
        n = len(index)
        lows = [0.0] * n if low is None else low.tolist()
        ups = [None] * n if up is None else [None if np.isinf(u) else u for u in up.tolist()]
        position = _positions(index.keys)

        def bounds(_, *key):
            i = position[key if len(key) > 1 else key[0]]
            return lows[i], ups[i]

    setattr(block, name, pyo.Var(index.keys, domain=pyo.NonNegativeReals, dense=False,
                                 bounds=bounds))


def constraints(block, name: str, rows: Rows) -> None:
    """Constraints ``block.<name>[label]``, one per label of the family of rows ``rows``
    (``lhs <= rhs``, ``>=`` or ``==`` of :class:`Family` objects), in the index's order. A label
    whose row has no terms is a row without variables (Pyomo's compiler leaves it out if it
    holds; the solve refuses it, naming it, if not)."""
    if not isinstance(rows, Rows):
        raise TypeError(f"constraints {name}: give a family of rows (lhs <= rhs, >=, ==), "
                        f"not {type(rows).__name__}")
    body, keys = rows.body, rows.index.keys
    n = len(keys)
    if isinstance(block, MatrixBlock):
        row, items, coefs = body.entries()
        lower = np.full(n, -np.inf) if rows.lower is None else rows.lower - body.constant
        upper = np.full(n, np.inf) if rows.upper is None else rows.upper - body.constant
        block.add_rows(name, _flat_keys(keys), row,
                       np.zeros(0, dtype=np.int64) if items is None else items.ids,
                       coefs, lower, upper)
        return
    expression = _expression_of_row(body)
    low, up = ([None] * n if bound is None else [None if np.isinf(b) else b
                                                  for b in bound.tolist()]
               for bound in (rows.lower, rows.upper))
    position = _positions(keys)

    def rule(_, *key):
        i = position[key if len(key) > 1 else key[0]]
        lhs = expression(i)
        if up[i] is None:
            return lhs >= low[i]
        if low[i] is None:
            return lhs <= up[i]
        return lhs == low[i] if low[i] == up[i] else (low[i], lhs, up[i])

    setattr(block, name, pyo.Constraint(keys, rule=rule))


def expressions(block, name: str, family: Family) -> None:
    """Named linear expressions ``block.<name>[label]`` = the family's expression of each label
    (in the index's order)."""
    keys = family.index.keys
    if isinstance(block, MatrixBlock):
        row, items, coefs = family.entries()
        order = np.argsort(row, kind="stable")
        indptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=len(keys)), out=indptr[1:])
        ids = np.zeros(0, dtype=np.int64) if items is None else items.ids[order]
        component = MatrixExpression.packed(block.model(), name, _flat_keys(keys), indptr, ids,
                                            coefs[order], family.constant.copy(),
                                            block.block_name)
        setattr(block, name, component)
        return
    expression, position = _expression_of_row(family), _positions(keys)

    def rule(_, *key):
        return expression(position[key if len(key) > 1 else key[0]])

    setattr(block, name, pyo.Expression(keys, rule=rule))


def _expression_of_row(family: Family):
    """The Pyomo route's expressions of a family: row i → a ``LinearExpression`` of its terms
    (in the order they were added) and its constant."""
    constants = family.constant.tolist()
    if family.pairs is not None:  # a family of sums(): its pairs as they were collected
        pairs = family.pairs

        def of_pairs(i):
            return linear(pairs[i], constants[i])

        return of_pairs
    row, items, coefs = family.entries()
    order = np.argsort(row, kind="stable")
    start = np.zeros(len(family.index) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(family.index)), out=start[1:])
    start = start.tolist()
    coefs = coefs[order].tolist()
    items = [] if items is None else items[order].tolist()

    def of_row(i):
        a, b = start[i], start[i + 1]
        return LinearExpression(constant=constants[i], linear_coefs=coefs[a:b],
                                linear_vars=items[a:b])

    return of_row


def _positions(keys: list) -> dict:
    """Row of each key, looked up as a Pyomo rule receives it: nested keys flattened."""
    return dict(zip(_flat_keys(keys), range(len(keys))))


def blocks(parent, name: str, keys) -> None:
    """Sub-models ``parent.<name>[key]`` (one per disruption scenario)."""
    if isinstance(parent, MatrixBlock):
        setattr(parent, name, {key: MatrixBlock(parent.model(), f"{name}[{key}]")
                               for key in keys})
    else:
        setattr(parent, name, pyo.Block(keys))


def linear(pairs, constant: float = 0.0):
    """One linear expression Σ coef · var + constant from ``(coef, var)`` pairs (the objective,
    a cost; constraints are written as families)."""
    if _ROUTE.get() == MATRIX:
        return lin_of(pairs, constant)
    return LinearExpression(constant=constant, linear_coefs=[c for c, _ in pairs],
                            linear_vars=[v for _, v in pairs])


def value(item) -> float | None:
    """The value of a variable or expression of either route after a solve."""
    if isinstance(item, (Col, Lin)):
        return item.value
    return pyo.value(item, exception=False)
