"""Variables and named expressions of either route as arrays: what :func:`~.family.terms` and
the ledger's ``supply_many`` / ``cost_many`` take."""

from __future__ import annotations

import numpy as np
from pyomo.core.expr.numeric_expr import LinearExpression

from northam_plan.model.expr import Col, Cols, flat
from northam_plan.model.matrix import MatrixExpression, MatrixVar

__all__ = ["columns", "expression_terms", "gathered"]


def columns(var, keys=None):
    """The variables ``var[key]`` for ``keys`` (default: all, in the order declared) as one
    array: on the matrix route a :class:`Cols` (column numbers, no object per variable), on
    the Pyomo route a numpy array of Pyomo variables. Both select with a mask or positions:
    ``columns(m.flow)[exported]``."""
    if isinstance(var, MatrixVar):
        if keys is None:
            ids = np.arange(var.start, var.start + len(var.keys_list), dtype=np.int64)
        else:
            try:
                at = np.fromiter(map(var.position.__getitem__, keys), dtype=np.int64)
            except KeyError:  # nested keys: as Pyomo, look them up flattened
                at = np.fromiter(map(var.position.__getitem__, map(flat, keys)),
                                 dtype=np.int64)
            ids = var.start + at
        return Cols(var.model, ids)
    return gathered([var[key] for key in (var.index_set() if keys is None else keys)])


def gathered(items: list):
    """Variables of either route from a list, as one array like :func:`columns` gives."""
    if items and isinstance(items[0], Col):
        return Cols(items[0].model, np.fromiter((var.id for var in items), dtype=np.int64,
                                                count=len(items)))
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array


def expression_terms(component, keys: list) -> tuple:
    """The terms of the named expressions ``component[keys[i]]`` as ``(term, variables,
    coefs)`` (term i for keys[i]) and their constants, one per key."""
    if isinstance(component, MatrixExpression):
        at = np.fromiter(map(component.position.__getitem__, keys), dtype=np.int64,
                         count=len(keys))
        length = component.indptr[at + 1] - component.indptr[at]
        term = np.repeat(np.arange(len(keys)), length)
        taken = np.repeat(component.indptr[at], length) + np.arange(len(term)) - \
            np.repeat(np.cumsum(length) - length, length)
        return ((term, Cols(component.model, component.ids[taken]), component.coefs[taken]),
                component.constants[at])
    term, items, coefs, constants = [], [], [], []
    found = {}  # each expression read once, however many terms take it
    for i, key in enumerate(keys):
        if key not in found:
            expr = component[key].expr
            if not isinstance(expr, LinearExpression):
                raise TypeError(f"{component.name}[{key}] is not a linear expression")
            found[key] = (expr.linear_vars, expr.linear_coefs, float(expr.constant))
        variables, factors, constant = found[key]
        term.extend([i] * len(variables))
        items.extend(variables)
        coefs.extend(factors)
        constants.append(constant)
    return (np.array(term, dtype=np.int64), gathered(items), np.array(coefs, dtype=float)), \
        np.array(constants)
