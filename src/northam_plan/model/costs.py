r"""Costs: ``annual_cost[category, country, t]`` (M$/yr) on every block with costs, and the
objective (M$, present value in the first model year):

.. math:: \min \sum_{blocks} \pi_b \sum_{category,k,t} W_t \cdot annual\_cost_{category,k,t}

with :math:`W_t` the discounted weight of model year t and :math:`\pi_b` the probability of the
block's disruption scenario (1 for the model itself and outside stochastic cases).

Components add single terms (``book.cost``: one year) and spans (``book.cost_each_year``: the
same coefficient in each of several years — capital and fixed O&M over an asset's life, which
would otherwise be millions of single terms). On the Pyomo route spans are expanded into terms;
on the matrix route both are turned into arrays with numpy.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from itertools import chain, repeat

import numpy as np
import pyomo.environ as pyo

from northam_plan.model.algebra import Col, MatrixExpression, MatrixModel, expressions, linear


def add_costs(m, case, books) -> None:
    """``books``: (block, book, probability) for the model and each scenario's block."""
    for block, book, probability in books:
        book.declare("annual_cost", ("category", "country", "year"), "M$/yr")
    if isinstance(m, MatrixModel):
        _matrix_costs(m, case, books)
        return
    weights = case.discount_weights
    coefs: dict[int, float] = defaultdict(float)
    variables = {}
    for block, book, probability in books:
        for category, country, years, coef, var in book.cost_spans:
            for t in years:
                book.cost_terms[category, country, t].append((coef, var))
        book.cost_spans.clear()
        terms = book.cost_terms
        expressions(block, "annual_cost", sorted(terms), rule=lambda b, cat, k, t: linear(
            terms[cat, k, t]))
        for (cat, k, t), items in terms.items():
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
        setattr(block, "annual_cost", component)
        columns.append(column)
        values.append(coef * probability * weights[key % len(years)])
    m.cost = np.bincount(np.concatenate(columns), weights=np.concatenate(values),
                         minlength=m.n_cols) if columns else np.zeros(m.n_cols)


def _entries(book, position: dict) -> tuple:
    """The cost entries of a ledger as arrays: group (category, country) code, year position,
    column, coefficient; terms and spans alike."""
    groups: dict[tuple[str, str], int] = {}
    group, year, column, coef = array("q"), array("q"), array("q"), array("d")
    for (cat, k, t), items in book.cost_terms.items():
        lin = linear(items)
        code = groups.setdefault((cat, k), len(groups))
        group.extend(repeat(code, len(lin.ids)))
        year.extend(repeat(position[t], len(lin.ids)))
        column.extend(lin.ids)
        coef.extend(lin.coefs)
    arrays = [np.frombuffer(a, dtype=np.int64) for a in (group, year, column)] + \
        [np.frombuffer(coef, dtype=float)]
    if not book.cost_spans:
        return (groups, *arrays)
    runs: dict[int, tuple[int, int]] = {}  # id of a years list → (start, length) in `listed`
    listed: list[list[int]] = []
    span_group, span_start, span_length = array("q"), array("q"), array("q")
    span_column, span_coef = array("q"), array("d")
    offset = 0
    for cat, k, years, value, var in book.cost_spans:
        run = runs.get(id(years))
        if run is None:
            run = runs[id(years)] = (offset, len(years))
            listed.append([position[t] for t in years])
            offset += len(years)
        if not isinstance(var, Col):
            raise TypeError(f"a cost over several years needs a variable, got {var!r}")
        span_group.append(groups.setdefault((cat, k), len(groups)))
        span_start.append(run[0])
        span_length.append(run[1])
        span_column.append(var.id)
        span_coef.append(value)
    positions = np.fromiter(chain.from_iterable(listed), dtype=np.int64, count=offset)
    length = np.frombuffer(span_length, dtype=np.int64)
    owner = np.repeat(np.arange(len(length)), length)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(length) - length, length)
    spans = [np.frombuffer(span_group, dtype=np.int64)[owner],
             positions[np.frombuffer(span_start, dtype=np.int64)[owner] + within],
             np.frombuffer(span_column, dtype=np.int64)[owner],
             np.frombuffer(span_coef, dtype=float)[owner]]
    return (groups, *(np.concatenate([a, s]) for a, s in zip(arrays, spans)))
