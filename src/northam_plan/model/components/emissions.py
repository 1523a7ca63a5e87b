r"""Emissions: commodities of kind ``emission`` that processes emit (process_io outputs).

Constraints
    ``emission_max[scope, g, t]`` (emission_caps.csv; scope a country or a bloc):
    :math:`\sum_{r \in scope} \sum_p out_{p,g} \, act_{r,p,t} \le cap` (unit/yr). Its dual,
    divided by the discount weight, is the marginal cost of abatement (M$ per unit).

Costs (annual, M$/yr, country of the region)
    ``emissions``: :math:`price_{g,t} \cdot out_{p,g} \cdot act_{r,p,t}` (emission_prices.csv).
"""

from __future__ import annotations

from collections import defaultdict

from northam_plan.model.algebra import Index, constraints, sums
from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.security import bloc_members, spans

NAME = "emissions"
REQUIRES = ("activity",)


def add(m, case, book) -> None:
    top = m.model()
    commodities = case.tables["commodities"]
    gases = set(commodities.loc[commodities["kind"] == "emission", "commodity"])
    country_of = case.countries_of_regions
    caps = spans(case, "emission_caps", ["scope", "commodity"], "cap")
    prices = spans(case, "emission_prices", ["commodity"], "price")
    members = bloc_members(case)
    ratios = process_ratios(case)
    emitted = defaultdict(list)
    for (r, p, t) in top.book.cap_keys:
        for g, ratio in ratios[p]:
            if g in gases and ratio > 0:
                var = m.act[r, p, t]
                k = country_of[r]
                for scope in (k, *(b for b, ks in members.items() if k in ks)):
                    emitted[scope, g, t].append((ratio, var))
                if prices.get((g, t)):
                    book.cost("emissions", k, t, prices[g, t] * ratio, var)
    rows = Index(sorted(caps), ("scope", "commodity", "year"))
    constraints(m, "emission_max", sums(emitted, rows) <= caps)
    book.declare("emission_max", rows.dims, "M$/unit")
