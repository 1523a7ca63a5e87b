r"""One algebra, two routes: the components write the model once, and it becomes either a Pyomo
model or sparse matrices handed straight to HiGHS.

The components declare their variables, expressions and constraints with :func:`variables`,
:func:`expressions` and :func:`constraints`, and write rules with :func:`linear` and the usual
operators (``act <= avail * cap``). What those calls make depends on the route the model is
being built in (:func:`building`):

* ``"pyomo"`` (default): Pyomo components on a ``ConcreteModel`` — the model researchers extend
  in a notebook, solve through Pyomo's standard-form compiler and inspect;
* ``"matrix"``: a :class:`MatrixModel` that numbers every variable and row as it is declared and
  appends each row's coefficients to flat arrays. No Pyomo object is made; the hand-over to
  HiGHS is one sparse-matrix conversion. Values and duals are read back through the same
  interface extraction uses on a Pyomo model (``component.items()``, ``var.value``,
  ``model.dual.get(row)``), so one :func:`~northam_plan.extract_plan` serves both.

The largest families are written as arrays instead of a rule per row: :func:`columns` gives
many variables as one array, :func:`entry_constraints` and :func:`entry_expressions` take rows
as ``(row, variable, coefficient)`` entries, :func:`expression_entries` gives an expression's
terms back as entries, and the ledger's ``supply_many`` / ``cost_many`` take whole families of
terms. On the matrix route they stay numpy arrays from end to end; on the Pyomo route they
become the same components a rule would have made.

Labelled families (:mod:`.family`: :func:`terms`, :func:`sums`, compared ``lhs <= rhs``) are
the one way components are to write constraints and expressions; :func:`constraints` and
:func:`expressions` take them (the rule form and the array forms above go once every component
has moved).

Both routes run the same component code, so they give the same LP (tests/test_routes.py checks
it row by row on generated cases).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

# the matrix route's objects, importable from here as well
from northam_plan.model.expr import SKIP, Col, Cols, Lin, Row, RowRef, _flat_keys, flat, lin_of
from northam_plan.model.family import Family, Index, Rows, columns, gathered, sums, terms
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
           "ROUTES", "Row", "RowRef", "Rows", "SKIP", "blocks", "building", "columns",
           "constraints", "entry_constraints", "entry_expressions", "expression_entries",
           "expressions", "flat", "gathered", "linear", "lin_of", "new_model", "sum_constraints",
           "sums", "terms", "value", "variables"]

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


def variables(block, name: str, keys, bounds=None) -> None:
    """Non-negative variables ``block.<name>[key]`` for ``keys``; ``bounds(block, *key)`` may
    give (lower, upper)."""
    if isinstance(block, MatrixBlock):
        block.add_var(name, keys, bounds)
    else:
        setattr(block, name, pyo.Var(keys, domain=pyo.NonNegativeReals, dense=False,
                                     bounds=bounds))


def constraints(block, name: str, rows: Rows, rule=None) -> None:
    """Constraints ``block.<name>[label]``, one per label of the family of rows ``rows``
    (``lhs <= rhs``, ``>=`` or ``==`` of :class:`Family` objects), in the index's order. A label
    whose row has no terms is a row without variables (Pyomo's compiler leaves it out if it
    holds; the solve refuses it, naming it, if not).

    (Until every component writes families: ``constraints(block, name, keys, rule)``, where
    ``rule(block, *key)`` returns a relation or :data:`SKIP`.)"""
    if rule is not None:
        if isinstance(block, MatrixBlock):
            block.add_constraint(name, rows, rule)
        else:
            setattr(block, name, pyo.Constraint(rows, rule=rule))
        return
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
    grouped, constants = _grouped(body), body.constant.tolist()
    low, up = ([None] * n if bound is None else [None if np.isinf(b) else b
                                                  for b in bound.tolist()]
               for bound in (rows.lower, rows.upper))
    position = _positions(keys)

    def rule(_, *key):
        i = position[key if len(key) > 1 else key[0]]
        lhs = linear(grouped[i], constants[i])
        if low[i] is not None and low[i] == up[i]:
            return lhs == low[i]
        return (low[i], lhs, up[i])

    setattr(block, name, pyo.Constraint(keys, rule=rule))


def expressions(block, name: str, family: Family, rule=None) -> None:
    """Named linear expressions ``block.<name>[label]`` = the family's expression of each label
    (in the index's order). (Until every component writes families: ``expressions(block,
    name, keys, rule)``, ``rule(block, *key)`` the expression.)"""
    if rule is not None:
        if isinstance(block, MatrixBlock):
            block.add_expression(name, family, rule)
        else:
            setattr(block, name, pyo.Expression(family, rule=rule))
        return
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
        block.model().expression_components.append(component)
        setattr(block, name, component)
        return
    grouped, constants = _grouped(family), family.constant.tolist()
    position = _positions(keys)

    def rule(_, *key):
        i = position[key if len(key) > 1 else key[0]]
        return linear(grouped[i], constants[i])

    setattr(block, name, pyo.Expression(keys, rule=rule))


def entry_expressions(block, name: str, keys: list, entries, constants=0.0) -> None:
    """Named expressions ``block.<name>[keys[i]]`` = Σ coef · var over the entries of i +
    constants[i], written as arrays (``entries`` as in :func:`entry_constraints`)."""
    n = len(keys)
    constants = np.broadcast_to(np.asarray(constants, dtype=float), (n,))
    if isinstance(block, MatrixBlock):
        row, col, val = _joined(entries)
        order = np.argsort(row, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        component = MatrixExpression.packed(block.model(), name, list(keys), indptr,
                                            col[order], val[order], constants.copy(),
                                            block.block_name)
        block.model().expression_components.append(component)
        setattr(block, name, component)
        return
    terms, position = _grouped_entries(keys, entries)
    constants = constants.tolist()
    expressions(block, name, keys, rule=lambda b, *key: linear(
        terms[position[_one(key)]], constants[position[_one(key)]]))


def expression_entries(component, keys: list) -> tuple:
    """The terms of the named expressions ``component[keys[i]]`` as entries ``(rows,
    variables, coefs)`` (row i for keys[i], as :func:`entry_constraints` takes them) and
    their constants, one per key: to write rows over expressions in array form."""
    if isinstance(component, MatrixExpression):
        component.pack()
        at = np.fromiter(map(component.position.__getitem__, keys), dtype=np.int64,
                         count=len(keys))
        length = component.indptr[at + 1] - component.indptr[at]
        rows = np.repeat(np.arange(len(keys)), length)
        taken = np.repeat(component.indptr[at], length) + np.arange(len(rows)) - \
            np.repeat(np.cumsum(length) - length, length)
        return ((rows, Cols(component.model, component.ids[taken]), component.coefs[taken]),
                component.constants[at])
    rows, items, coefs, constants = [], [], [], []
    for i, key in enumerate(keys):
        expr = component[key].expr
        if not isinstance(expr, LinearExpression):
            raise TypeError(f"{component.name}[{key}] is not a linear expression of linear()")
        rows.extend([i] * len(expr.linear_vars))
        items.extend(expr.linear_vars)
        coefs.extend(expr.linear_coefs)
        constants.append(float(expr.constant))
    return (np.array(rows, dtype=np.int64), gathered(items), np.array(coefs, dtype=float)), \
        np.array(constants)


def entry_constraints(block, name: str, keys: list, entries, lower=None, upper=None) -> None:
    """Constraints ``block.<name>[keys[i]]``: lower[i] ≤ Σ coef · var ≤ upper[i] over the
    entries of row i — a family of rows written as arrays rather than a rule per row.

    ``entries``: ``(rows, variables, coefs)`` triples, ``rows`` the row position of each entry,
    ``variables`` from :func:`columns`, ``coefs`` one number or one per entry. ``lower`` and
    ``upper``: one number or one per row; None for no bound (equal: an equality)."""
    if lower is None and upper is None:
        raise ValueError(f"constraints {name}: give a lower or an upper bound")
    n = len(keys)
    bounds = [None if b is None else np.broadcast_to(np.asarray(b, dtype=float), (n,))
              for b in (lower, upper)]
    if isinstance(block, MatrixBlock):
        block.add_rows(name, keys, *_joined(entries),
                       np.full(n, -np.inf) if bounds[0] is None else bounds[0],
                       np.full(n, np.inf) if bounds[1] is None else bounds[1])
        return
    terms, position = _grouped_entries(keys, entries)
    low, up = ([None] * n if b is None else [None if np.isinf(v) else v for v in b.tolist()]
               for b in bounds)

    def rule(b, *key):
        i = position[_one(key)]
        body = linear(terms[i])
        if low[i] is not None and low[i] == up[i]:
            return body == low[i]
        return (low[i], body, up[i])

    constraints(block, name, keys, rule=rule)


def _joined(entries) -> tuple:
    """The matrix route's entries as three arrays: row, column, coefficient."""
    rows, cols, vals = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], \
        [np.zeros(0)]
    for positions, variables, coefs in entries:
        if len(variables):
            positions = np.asarray(positions, dtype=np.int64)
            rows.append(positions)
            cols.append(variables.ids)
            vals.append(np.broadcast_to(np.asarray(coefs, dtype=float), positions.shape))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _grouped_entries(keys: list, entries) -> tuple[list, dict]:
    """The Pyomo route's entries as (coef, var) pairs per row, and each key's row."""
    terms = [[] for _ in keys]
    for positions, variables, coefs in entries:
        coefs = np.broadcast_to(np.asarray(coefs, dtype=float), (len(variables),)).tolist()
        for i, var, coef in zip(np.asarray(positions).tolist(), variables, coefs):
            terms[i].append((coef, var))
    return terms, {key: i for i, key in enumerate(keys)}


def _grouped(family: Family) -> list[list]:
    """The Pyomo route's terms as (coef, var) pairs per row, in the order they were added."""
    grouped = [[] for _ in range(len(family.index))]
    row, items, coefs = family.entries()
    if items is not None:
        for i, var, coef in zip(row.tolist(), items, coefs.tolist()):
            grouped[i].append((coef, var))
    return grouped


def _positions(keys: list) -> dict:
    """Row of each key, looked up as a Pyomo rule receives it: nested keys flattened."""
    return dict(zip(_flat_keys(keys), range(len(keys))))


def _one(key: tuple):
    """A rule's index arguments as the key they came from (a lone index is not a tuple)."""
    return key if len(key) > 1 else key[0]


def sum_constraints(block, name: str, terms: dict, bulk: list, lower: dict) -> None:
    """Constraints ``block.<name>[key]``: Σ terms[key] + Σ bulk terms of key ≥ lower[key]
    (0 where not given), one per key with at least one term, in sorted key order.

    ``terms`` maps a key to ``(coef, var)`` pairs; ``bulk`` holds families ``(keys, columns,
    coefs)`` of the ledger's ``*_many`` methods, which only the matrix route keeps as arrays
    (on the Pyomo route they are in ``terms`` already)."""
    if isinstance(block, MatrixBlock):
        block.add_sums(name, terms, bulk, lower)
        return
    if bulk:
        raise ValueError("bulk terms are the matrix route's; the Pyomo route keeps terms")
    constraints(block, name, sorted(terms), rule=lambda b, *key: (
        linear(terms[key]) >= lower.get(key, 0.0)) if terms[key] else SKIP)


def blocks(parent, name: str, keys) -> None:
    """Sub-models ``parent.<name>[key]`` (one per disruption scenario)."""
    if isinstance(parent, MatrixBlock):
        setattr(parent, name, {key: MatrixBlock(parent.model(), f"{name}[{key}]")
                               for key in keys})
    else:
        setattr(parent, name, pyo.Block(keys))


def linear(terms, constant: float = 0.0):
    """The linear expression Σ coef · var + constant from ``(coef, var)`` pairs."""
    if _ROUTE.get() == MATRIX:
        return lin_of(terms, constant)
    return LinearExpression(constant=constant, linear_coefs=[c for c, _ in terms],
                            linear_vars=[v for _, v in terms])


def value(item) -> float | None:
    """The value of a variable or expression of either route after a solve."""
    if isinstance(item, (Col, Lin)):
        return item.value
    return pyo.value(item, exception=False)
