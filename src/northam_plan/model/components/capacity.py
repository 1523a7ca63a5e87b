r"""Capacity: new builds in vintages, existing capacity with retirement.

New capacity comes from the sources other components register in the ledger (permits and
pipeline projects, :mod:`.permitting`), each online in a model year and with its own capex.

Expressions
    ``build[r, p, t]`` — new capacity first available in model year t (unit/yr): the sum of the
    sources online in t. Nothing can come online before the first model year plus the lead
    time, except existing capacity and pipeline projects.

    ``cap[r, p, t]`` — capacity available in year t (unit/yr):

    .. math:: cap_{r,p,t} = existing_{r,p,t} + \sum_{t' \le t < t' + life_p} build_{r,p,t'}

Constraints
    ``build_max[r, p, t]``: :math:`build_{r,p,t} \le maxbuild_p \cdot w_t` (unit/yr), where
    :math:`w_t` is the number of calendar years model year t stands for.

Costs (annual, M$/yr, country of the region)
    ``capital``: every source alive in year t costs :math:`capex \cdot CRF(i_k, life_p)` per
    unit, with :math:`CRF(i, n) = i / (1 - (1+i)^{-n})` (:math:`1/n` when i = 0) — so capital
    is only counted for the years of an asset's life that lie inside the horizon;
    ``fixed_om``: :math:`fom_p` per unit of new capacity alive. Existing capacity's fixed costs
    are committed and not part of the decision.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from northam_plan.model.algebra import constraints, expressions, linear

NAME = "capacity"
REQUIRES = ("permitting",)


def crf(rate: float, life: int) -> float:
    """Capital recovery factor: the annuity per unit of overnight cost over ``life`` years."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def existing_by_year(case) -> dict[tuple[str, str], dict[int, float]]:
    """Existing capacity per (region, process) and model year (unit/yr)."""
    existing: dict = defaultdict(lambda: defaultdict(float))
    for r, p, capacity, retire in case.tables["existing_capacity"][
            ["region", "process", "capacity", "retirement_year"]].itertuples(index=False):
        for t in case.years:
            if pd.isna(retire) or t < retire:
                existing[r, p][t] += capacity
    return existing


def add(m, case, book) -> None:
    years = case.years
    country_of = case.countries_of_regions
    processes = case.tables["processes"]
    lifetime, fixed_om, max_build = (dict(zip(processes["process"], processes[column]))
                                     for column in ("lifetime", "fixed_om", "max_build"))
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    sources = book.capacity_sources
    build_keys = sorted(sources)
    expressions(m, "build", build_keys, rule=lambda m, r, p, t: linear(
        [(1.0, var) for var, _ in sources[r, p, t]]))
    book.declare("build", ("region", "process", "year"), "unit/yr")

    weights = case.year_weights
    limited = [key for key in build_keys if not pd.isna(max_build[key[1]])]
    constraints(m, "build_max", limited,
                rule=lambda m, r, p, t: m.build[r, p, t] <= max_build[p] * weights[t])
    book.declare("build_max", ("region", "process", "year"), "M$/unit")

    # sources alive per (r, p, t); capital and fixed O&M charged on them
    alive: dict[tuple[str, str, int], list] = defaultdict(list)
    for (r, p, t_online), items in sources.items():
        life = int(lifetime[p])
        k = country_of[r]
        annuity = crf(rate[k], life)
        alive_years = [t for t in years if t_online <= t < t_online + life]
        for var, capex in items:
            for t in alive_years:
                alive[r, p, t].append((1.0, var))
            if capex:
                book.cost_each_year("capital", k, alive_years, capex * annuity, var)
            if fixed_om[p]:
                book.cost_each_year("fixed_om", k, alive_years, fixed_om[p], var)

    existing = existing_by_year(case)
    cap_keys = sorted({*alive, *((r, p, t) for (r, p), by_year in existing.items()
                                 for t, c in by_year.items() if c > 0)})
    expressions(m, "cap", cap_keys, rule=lambda m, r, p, t: linear(
        alive.get((r, p, t), []), constant=existing.get((r, p), {}).get(t, 0.0)))
    book.declare("cap", ("region", "process", "year"), "unit/yr")
    m.cap_keys = cap_keys  # plain list, used by the activity component
