r"""Costs: ``annual_cost[category, country, t]`` (M$/yr) on every block with costs, and the
objective (M$, present value in the first model year):

.. math:: \min \sum_{blocks} \pi_b \sum_{category,k,t} W_t \cdot annual\_cost_{category,k,t}

with :math:`W_t` the discounted weight of model year t and :math:`\pi_b` the probability of the
block's disruption scenario (1 for the model itself and outside stochastic cases).

Components add single terms (``book.cost``) and families of terms (``book.cost_many``: capital
and fixed O&M of every asset in each year of its life, transport and tariffs of every flow, …).
On the Pyomo backend the ledger expands families into terms; on the matrix backend they stay
arrays of column numbers. Either way each block's costs become one labelled family, added as
the named expressions ``annual_cost`` and summed, weighted, into the objective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from northam_plan.model.algebra import Family, Index, expressions, objective, sums, terms
from northam_plan.model.expr import Cols

DIMS = ("category", "country", "year")


def add_costs(m, case, books) -> None:
    """``books``: (block, book, probability) for the model and each scenario's block."""
    weight = case.discount_weights
    totals = []
    for block, book, probability in books:
        book.declare("annual_cost", DIMS, "M$/yr")
        family = _annual_cost(block, book)
        expressions(block, "annual_cost", family)
        totals.append(family * np.array([probability * weight[t] for _, _, t in family.index]))
    objective(m, _total(totals))


def _annual_cost(block, book) -> Family:
    """The ledger's cost terms and families as one family over the sorted (category, country,
    year) labels that have any."""
    bulk = []  # per family of cost_many: its labels (unique) and each term's label number
    for category, countries, years, _, _ in book.cost_bulk:
        k_code, k_found = pd.factorize(np.asarray(countries, dtype=object))
        t_code, t_found = pd.factorize(np.asarray(years))
        pairs, codes = np.unique(k_code * len(t_found) + t_code, return_inverse=True)
        bulk.append(([(category, k_found[u // len(t_found)], int(t_found[u % len(t_found)]))
                      for u in pairs.tolist()], codes))
    labels = set(book.cost_terms).union(*(set(found) for found, _ in bulk))
    index = Index(sorted(labels), DIMS)
    family = sums(book.cost_terms, index)
    for (found, codes), (_, _, _, ids, coefs) in zip(bulk, book.cost_bulk):
        family = family + terms(Cols(block.model(), ids), at=index.locate(found)[codes],
                                coefs=coefs, index=index)
    return family


def _total(families: list[Family]) -> Family:
    """Σ of every row of every family, as a family of one row (the objective)."""
    parts = [(np.zeros(len(rows), dtype=np.int64), items, coefs)
             for family in families for rows, items, coefs in family.parts]
    constant = np.array([sum(float(family.constant.sum()) for family in families)])
    return Family(Index(["objective"]), parts, constant)
