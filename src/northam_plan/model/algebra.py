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

Both routes run the same component code, so they give the same LP (tests/test_routes.py checks
it row by row on generated cases).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

# the matrix route's objects, importable from here as well
from northam_plan.model.expr import SKIP, Col, Lin, Row, RowRef, flat, lin_of
from northam_plan.model.matrix import (CSC, Duals, MatrixBlock,
                                       MatrixConstraint, MatrixExpression, MatrixModel,
                                       MatrixVar)

__all__ = ["CSC", "Col", "Duals", "Lin", "MATRIX", "MatrixBlock", "MatrixConstraint",
           "MatrixExpression", "MatrixModel", "MatrixVar", "PYOMO", "ROUTES", "Row", "RowRef",
           "SKIP", "blocks", "building", "constraints", "expressions", "flat", "linear",
           "lin_of", "new_model", "value", "variables"]

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


def expressions(block, name: str, keys, rule) -> None:
    """Named linear expressions ``block.<name>[key] = rule(block, *key)``."""
    if isinstance(block, MatrixBlock):
        block.add_expression(name, keys, rule)
    else:
        setattr(block, name, pyo.Expression(keys, rule=rule))


def constraints(block, name: str, keys, rule) -> None:
    """Constraints ``block.<name>[key]``: ``rule(block, *key)`` returns a relation
    (``<=``, ``>=``, ``==``) or :data:`SKIP`."""
    if isinstance(block, MatrixBlock):
        block.add_constraint(name, keys, rule)
    else:
        setattr(block, name, pyo.Constraint(keys, rule=rule))


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
