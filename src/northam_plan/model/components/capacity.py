r"""Capacity: new builds with lead times and vintages, existing capacity with retirement.

Variables
    ``build[r, p, t]`` ≥ 0 — new capacity of process p in region r first available in model
    year t (unit/yr). It exists only for t ≥ t₀ + L(k(r), p): capacity whose permitting would
    have had to start before the first model year cannot be built.

Expressions
    ``cap[r, p, t]`` — capacity available in year t (unit/yr):

    .. math:: cap_{r,p,t} = existing_{r,p,t} + \sum_{t' \le t < t' + life_p} build_{r,p,t'}

Constraints
    ``build_max[r, p, t]``: :math:`build_{r,p,t} \le maxbuild_p \cdot w_t` (unit/yr), where
    :math:`w_t` is the number of calendar years model year t stands for.

Costs (annual, M$/yr, country of the region)
    ``capital``: every vintage alive in year t costs :math:`capex_p \cdot CRF(i_k, life_p)`
    with :math:`CRF(i, n) = i / (1 - (1+i)^{-n})` (:math:`1/n` when i = 0) — so capital is
    only counted for the years of the asset's life that lie inside the horizon;
    ``fixed_om``: :math:`fom_p` per unit of new capacity alive. Existing capacity's fixed costs
    are committed and not part of the decision.

Where new capacity may be built: regions with ``can_build``; mines (family ``mine``) only where
reserves.csv lists their main output, so that new mines open only on known reserves.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyomo.environ as pyo

NAME = "capacity"
REQUIRES: tuple[str, ...] = ()


def crf(rate: float, life: int) -> float:
    """Capital recovery factor: the annuity per unit of overnight cost over ``life`` years."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def add(m, case, book) -> None:
    years = case.years
    start = years[0]
    country_of = case.countries_of_regions
    processes = case.tables["processes"]
    family, main_output, lifetime, default_lead, capex, fixed_om, max_build = (
        dict(zip(processes["process"], processes[column])) for column in
        ("family", "main_output", "lifetime", "lead_time", "capex", "fixed_om", "max_build"))
    regions = case.tables["regions"]
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    lead = {(p, k): int(t) for p, k, t in case.tables["lead_times"][
        ["process", "country", "lead_time"]].itertuples(index=False)}

    # existing[r, p][t]: capacity in place in model year t
    existing: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for r, p, capacity, retire in case.tables["existing_capacity"][
            ["region", "process", "capacity", "retirement_year"]].itertuples(index=False):
        for t in years:
            if pd.isna(retire) or t < retire:
                existing[r, p][t] += capacity

    reserves = set(zip(case.tables["reserves"]["region"], case.tables["reserves"]["commodity"]))
    build_keys = []
    for r, can_build in zip(regions["region"], regions["can_build"]):
        if not can_build:
            continue
        k = country_of[r]
        for p in processes["process"]:
            if family[p] == "mine" and (r, main_output[p]) not in reserves:
                continue
            first = start + lead.get((p, k), int(default_lead[p]))
            build_keys += [(r, p, t) for t in years if t >= first]

    m.build = pyo.Var(build_keys, domain=pyo.NonNegativeReals, dense=False)
    book.declare("build", ("region", "process", "year"), "unit/yr")

    weights = case.year_weights
    limited = [key for key in build_keys if not _isnan(max_build[key[1]])]
    m.build_max = pyo.Constraint(
        limited, rule=lambda m, r, p, t: m.build[r, p, t] <= max_build[p] * weights[t])
    book.declare("build_max", ("region", "process", "year"), "unit/yr")

    # vintages alive per (r, p, t); capital and fixed O&M charged on them
    alive: dict[tuple[str, str, int], list] = defaultdict(list)
    for r, p, t_built in build_keys:
        life = int(lifetime[p])
        k = country_of[r]
        annual = capex[p] * crf(rate[k], life)
        fom = fixed_om[p]
        var = m.build[r, p, t_built]
        for t in years:
            if t_built <= t < t_built + life:
                alive[r, p, t].append(var)
                if annual:
                    book.cost("capital", k, t, annual, var)
                if fom:
                    book.cost("fixed_om", k, t, fom, var)

    cap_keys = sorted({*alive, *((r, p, t) for (r, p), by_year in existing.items()
                                 for t, c in by_year.items() if c > 0)})
    m.cap = pyo.Expression(cap_keys, rule=lambda m, r, p, t: pyo.quicksum(
        alive.get((r, p, t), []), start=existing.get((r, p), {}).get(t, 0.0)))
    book.declare("cap", ("region", "process", "year"), "unit/yr")
    m.cap_keys = cap_keys  # plain list, used by the activity component


def _isnan(value) -> bool:
    return value is None or value != value
