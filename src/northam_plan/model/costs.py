r"""Costs: ``annual_cost[category, country, t]`` (M$/yr) on every block with costs, and the
objective (M$, present value in the first model year):

.. math:: \min \sum_{blocks} \pi_b \sum_{category,k,t} W_t \cdot annual\_cost_{category,k,t}

with :math:`W_t` the discounted weight of model year t and :math:`\pi_b` the probability of the
block's disruption scenario (1 for the model itself and outside stochastic cases).

Components add single terms (``book.cost``) and families of terms (``book.cost_many``: capital
and fixed O&M of every asset in each year of its life, transport and tariffs of every flow, …).
On the Pyomo route families are expanded into terms; on the matrix route all are turned into
arrays with numpy.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from itertools import repeat

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from northam_plan.model.algebra import (
    Index,
    MatrixExpression,
    MatrixModel,
    expressions,
    linear,
    sums,
)


def add_costs(m, case, books) -> None:
    """``books``: (block, book, probability) for the model and each scenario's block."""
    for _block, book, _probability in books:
        book.declare("annual_cost", ("category", "country", "year"), "M$/yr")
    if isinstance(m, MatrixModel):
        _matrix_costs(m, case, books)
        return
    weights = case.discount_weights
    coefs: dict[int, float] = defaultdict(float)
    variables = {}
    for block, book, probability in books:
        if book.cost_bulk:
            raise ValueError("bulk costs are the matrix route's; the Pyomo route keeps terms")
        terms = book.cost_terms
        expressions(block, "annual_cost", sums(terms, Index(sorted(terms), (
            "category", "country", "year"))))
        for (_cat, _k, t), items in terms.items():
            for coef, var in items:
                coefs[id(var)] += probability * weights[t] * coef
                variables[id(var)] = var
    m.objective = pyo.Objective(expr=linear([(coefs[i], variables[i]) for i in coefs]),
                                sense=pyo.minimize)


def _matrix_costs(m: MatrixModel, case, books) -> None:
    years = list(case.years)
    weights = np.array([case.discount_weights[t] for t in years])
    columns, values = [], []
    for block, book, probability in books:
        groups, group, year, column, coef = _entries(book, {t: i for i, t in enumerate(years)})
        names = sorted(groups)  # (category, country) in order: the keys come out sorted
        rank = np.empty(len(names), dtype=np.int64)
        rank[[groups[name] for name in names]] = np.arange(len(names))
        key = rank[group] * len(years) + year
        order = np.argsort(key, kind="stable")
        key, column, coef = key[order], column[order], coef[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else \
            np.zeros(0, dtype=np.int64)
        unique = key[starts]
        keys = [(*names[g], years[y]) for g, y in zip((unique // len(years)).tolist(),
                                                      (unique % len(years)).tolist())]
        component = MatrixExpression.packed(
            m, "annual_cost", keys, np.r_[starts, len(key)].astype(np.int64), column, coef,
            np.zeros(len(keys)), getattr(block, "block_name", ""))
        block.annual_cost = component
        columns.append(column)
        values.append(coef * probability * weights[key % len(years)])
    m.cost = np.bincount(np.concatenate(columns), weights=np.concatenate(values),
                         minlength=m.n_cols) if columns else np.zeros(m.n_cols)


def _entries(book, position: dict) -> tuple:
    """The cost entries of a ledger as arrays: group (category, country) code, year position,
    column, coefficient; single terms and families alike."""
    groups: dict[tuple[str, str], int] = {}
    group, year, column, coef = array("q"), array("q"), array("q"), array("d")
    for (cat, k, t), items in book.cost_terms.items():
        lin = linear(items)
        code = groups.setdefault((cat, k), len(groups))
        group.extend(repeat(code, len(lin.ids)))
        year.extend(repeat(position[t], len(lin.ids)))
        column.extend(lin.ids)
        coef.extend(lin.coefs)
    arrays = [[np.frombuffer(a, dtype=np.int64)] for a in (group, year, column)] + \
        [[np.frombuffer(coef, dtype=float)]]
    for cat, countries, years, columns, coefs in book.cost_bulk:  # families (cost_many)
        codes, found = pd.factorize(np.asarray(countries, dtype=object))
        codes = np.array([groups.setdefault((cat, k), len(groups)) for k in found],
                         dtype=np.int64)[codes]
        at, found = pd.factorize(np.asarray(years))
        at = np.array([position[t] for t in found], dtype=np.int64)[at]
        for parts, part in zip(arrays, (codes, at, columns, coefs)):
            parts.append(part)
    return (groups, *(np.concatenate(parts) for parts in arrays))
