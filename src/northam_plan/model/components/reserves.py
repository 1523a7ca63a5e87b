r"""Reserves: cumulative extraction of a mineral in a region over the horizon.

Constraints
    ``extraction_max[r, c]``:
    :math:`\sum_t w_t \sum_{p \in mines} out_{p,c} \, act_{r,p,t} \le reserves_{r,c}` (unit),
    where :math:`w_t` is the number of calendar years model year t stands for.
"""

from __future__ import annotations

from collections import defaultdict


from northam_plan.model.algebra import constraints, linear
from northam_plan.model.components.activity import process_ratios

NAME = "reserves"
REQUIRES = ("activity",)


def add(m, case, book) -> None:
    processes = case.tables["processes"]
    mines = set(processes.loc[processes["family"] == "mine", "process"])
    ratios = process_ratios(case)
    limit = dict(zip(zip(case.tables["reserves"]["region"], case.tables["reserves"]["commodity"]),
                     case.tables["reserves"]["reserves"]))
    weights = case.year_weights
    terms = defaultdict(list)
    for (r, p, t) in m.model().cap_keys:
        if p not in mines:
            continue
        for c, ratio in ratios[p]:
            if ratio > 0 and (r, c) in limit:
                terms[r, c].append((weights[t] * ratio, m.act[r, p, t]))
    constraints(m, "extraction_max", sorted(terms),
                rule=lambda m, r, c: linear(terms[r, c]) <= limit[r, c])
    book.declare("extraction_max", ("region", "commodity"), "M$/unit")
