r"""One algebra, two backends: the components write the model once, and it becomes either a Pyomo
model or sparse matrices handed straight to HiGHS.

The components declare variables with :func:`variables` (bounds as labelled data), and write
every constraint and named expression one way: as a labelled family (:mod:`.family`), compared
``lhs <= rhs``, ``>=`` or ``==`` and added with :func:`constraints` (or :func:`expressions`)::

    rows = Index(limited, ("from", "to", "commodity", "year"))
    constraints(m, "flow_max", terms(m.flow, index=rows) <= capacity)

What that makes is the backend's business (:mod:`northam_plan.model.backends`: ``"pyomo"``, a
Pyomo ``ConcreteModel`` researchers extend; ``"matrix"``, the LP as flat arrays): this module
only hands each call to the backend of the build under way (:func:`building`) or of the model.
Values and duals are read back through the same interface on both, so one
:func:`~northam_plan.extract_plan` serves both.

The ledger's ``supply_many`` / ``cost_many`` take whole families of terms as arrays too. Both
backends run the same component code, so they give the same LP (tests/test_backends.py checks it
row by row on generated cases).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from northam_plan.model import backends
from northam_plan.model.arrays import columns, gathered
from northam_plan.model.backends import MATRIX, PYOMO, building
from northam_plan.model.family import Family, Index, Rows, sums, terms

__all__ = ["Family", "Index", "MATRIX", "PYOMO", "Rows", "blocks", "building", "columns",
           "constraints", "expressions", "gathered", "linear", "new_model", "objective", "sums",
           "terms", "value", "variables"]


def new_model(name: str) -> Any:
    """An empty model of the backend of the build under way."""
    return backends.current().new_model(name)


def variables(block, name: str, keys, lower=None, upper=None) -> None:
    """Non-negative variables ``block.<name>[key]`` for ``keys``, with bounds given as labelled
    data keyed like the variables (a number, a dict or pandas Series keyed by ``keys``, or a
    sequence in their order; see :meth:`Index.align`): ``lower`` (raised to 0) and ``upper``.
    None, NaN or inf: no bound."""
    index = Index(keys)
    low = None if lower is None else np.fmax(index.align(lower), 0.0)  # NaN: 0
    up = None if upper is None else index.align(upper)
    up = None if up is None else np.where(np.isnan(up), np.inf, up)  # NaN: none
    backends.of(block).add_variables(block, name, index.keys, low, up)


def constraints(block, name: str, rows: Rows) -> None:
    """Constraints ``block.<name>[label]``, one per label of the family of rows ``rows``
    (``lhs <= rhs``, ``>=`` or ``==`` of :class:`Family` objects), in the index's order. A label
    whose row has no terms is a row without variables (Pyomo's compiler leaves it out if it
    holds; the solve refuses it, naming it, if not)."""
    if not isinstance(rows, Rows):
        raise TypeError(f"constraints {name}: give a family of rows (lhs <= rhs, >=, ==), "
                        f"not {type(rows).__name__}")
    backends.of(block).add_rows(block, name, rows)


def expressions(block, name: str, family: Family) -> None:
    """Named linear expressions ``block.<name>[label]`` = the family's expression of each label
    (in the index's order)."""
    backends.of(block).add_expressions(block, name, family)


def blocks(parent, name: str, keys: Sequence) -> None:
    """Sub-models ``parent.<name>[key]`` (one per disruption scenario)."""
    backends.of(parent).add_blocks(parent, name, keys)


def objective(model, total: Family) -> None:
    """min the one expression of ``total`` (a family of one row)."""
    backends.of(model).set_objective(model, total)


def linear(pairs, constant: float = 0.0):
    """One linear expression Σ coef · var + constant from ``(coef, var)`` pairs, on the backend
    of the build under way."""
    return backends.current().linear(pairs, constant)


def value(item) -> float | None:
    """The value of a variable or expression after a solve (None before)."""
    return backends.of(item).value(item)
