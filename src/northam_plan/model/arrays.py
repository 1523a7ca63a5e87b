"""Variables and named expressions as arrays: what :func:`~.family.terms` and the ledger's
``supply_many`` / ``cost_many`` take, from the backend that made them (on the matrix
backend a :class:`~.expr.Cols` of column numbers, on the Pyomo backend a numpy array of Pyomo
variables; both select with a mask or positions: ``columns(m.flow)[exported]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from northam_plan.model import backends

__all__ = ["columns", "expression_terms", "gathered"]


def columns(var, keys: Sequence | None = None) -> Any:
    """The variables ``var[key]`` for ``keys`` (default: all, in the order declared) as one
    array."""
    return backends.of(var).columns(var, keys)


def gathered(items: list) -> Any:
    """Variables from a list, as one array like :func:`columns` gives."""
    return (backends.of(items[0]) if items else backends.current()).gathered(items)


def expression_terms(component, keys: list) -> tuple:
    """The terms of the named expressions ``component[keys[i]]`` as ``(term, variables,
    coefs)`` (term i for keys[i]) and their constants, one per key."""
    return backends.of(component).expression_terms(component, keys)
