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

    ``growth_max[k, f, t]`` (growth_limits.csv): new capacity of process family f in
    country k in one model year, counted in typical projects, is at most an absolute number
    plus a share of the family's capacity the year before:

    .. math:: \sum_{r \in k,\, p \in f} \omega_p \, build_{r,p,t} \le
              w_t \left( A_{k,f} + R_{k,f} \sum_{r \in k,\, p \in f} \omega_p \,
              cap_{r,p,t^-} \right)

    (typical projects), with :math:`\omega_p` the process's ``permit_weight`` (1 / typical
    project size, per unit/yr; processes with weight 0 are not counted), :math:`A` in projects
    per year, :math:`R` per year, :math:`t^-` the model year before t — for the first model
    year, the existing capacity of that year stands for the year before. Builds are every
    source of ``build``: permits and pipeline projects, committed ones too. The dual is the
    value of one more typical project in (k, f, t) (M$ per project, present value, ≤ 0 when
    the limit binds).

Costs (annual, M$/yr, country of the region)
    ``capital``: every source alive in year t costs :math:`capex \cdot CRF(i_k, life_p)` per
    unit, with :math:`CRF(i, n) = i / (1 - (1+i)^{-n})` (:math:`1/n` when i = 0) — so capital
    is only counted for the years of an asset's life that lie inside the horizon;
    ``fixed_om``: :math:`fom_p \cdot \mu_{k,f(p)}` (M$ per unit/yr, per yr) per unit of new
    capacity alive, with :math:`\mu_{k,f}` the ``om_factor`` of cost_factors.csv for the
    region's country and the process's family (1 without a row). Existing capacity's fixed
    costs are committed and not part of the decision. The capex of each source is set where
    the source is declared (:mod:`.permitting`: the process's capex × the country's
    ``capex_factor``, or a project's own).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from itertools import chain

import numpy as np
import pandas as pd

from northam_plan.model.algebra import Index, constraints, expressions, gathered, terms

NAME = "capacity"
REQUIRES = ("permitting",)


def crf(rate: float, life: int) -> float:
    """Capital recovery factor: the annuity per unit of overnight cost over ``life`` years."""
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def existing_by_year(case) -> dict[tuple[str, str], dict[int, float]]:
    """Existing capacity per (region, process) and model year (unit/yr)."""
    existing: dict = {}
    for r, p, capacity, retire in case.tables["existing_capacity"][
            ["region", "process", "capacity", "retirement_year"]].itertuples(index=False):
        by_year = existing.setdefault((r, p), defaultdict(float))
        for t in case.years:
            if pd.isna(retire) or t < retire:
                by_year[t] += capacity
    return existing


def add(m, case, book) -> None:
    years = case.years
    country_of = case.countries_of_regions
    processes = case.tables["processes"]
    lifetime, fixed_om, max_build, family = (
        dict(zip(processes["process"], processes[column]))
        for column in ("lifetime", "fixed_om", "max_build", "family"))
    factors = case.cost_factors
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    sources = book.capacity_sources
    build_keys = sorted(sources)
    # every source once: the build key it counts in (its position), its variable
    owner = np.array([i for i, key in enumerate(build_keys) for _ in sources[key]],
                     dtype=np.int64)
    new = gathered([var for key in build_keys for var, _ in sources[key]])
    builds = Index(build_keys, ("region", "process", "year"))
    expressions(m, "build", terms(new, at=owner, index=builds))
    book.declare("build", builds.dims, "unit/yr", output="investment")

    weights = case.year_weights
    limited = [i for i, (_, p, _) in enumerate(build_keys) if not pd.isna(max_build[p])]
    row = np.full(len(build_keys), -1, dtype=np.int64)
    row[limited] = np.arange(len(limited))
    counted = row[owner] >= 0
    rows = Index([build_keys[i] for i in limited], builds.dims)
    constraints(m, "build_max", terms(new[counted], at=row[owner][counted], index=rows) <= {
        (r, p, t): max_build[p] * weights[t] for r, p, t in rows})
    book.declare("build_max", rows.dims, "M$/unit", output="limit")

    # the years each build key's capacity is alive
    alive = [years[bisect_left(years, t_online):bisect_left(years, t_online + int(lifetime[p]))]
             for _, p, t_online in build_keys]
    existing = existing_by_year(case)
    cap_keys = sorted({*((r, p, t) for (r, p, _), ys in zip(build_keys, alive) for t in ys),
                       *((r, p, t) for (r, p), by_year in existing.items()
                         for t, c in by_year.items() if c > 0)})
    position = {key: i for i, key in enumerate(cap_keys)}

    # one entry per source and year it is alive: e picks alive year `at[e]` of source src[e]
    length = np.array([len(ys) for ys in alive], dtype=np.int64)[owner]
    src = np.repeat(np.arange(len(owner)), length)
    at = np.repeat(np.cumsum([0, *map(len, alive)])[owner], length) + np.arange(len(src)) - \
        np.repeat(np.cumsum(length) - length, length)
    cap_rows = np.fromiter((position[r, p, t] for (r, p, _), ys in zip(build_keys, alive)
                            for t in ys), dtype=np.int64)[at]
    caps = Index(cap_keys, builds.dims)
    expressions(m, "cap", terms(new[src], at=cap_rows, index=caps) + {
        (r, p, t): existing.get((r, p), {}).get(t, 0.0) for r, p, t in caps})

    # capital (capex · CRF) and fixed O&M of every source in each year it is alive
    year = np.fromiter(chain.from_iterable(alive), dtype=np.int64)[at]
    country = np.array([country_of[r] for r, _, _ in build_keys], dtype=object)
    annuity = np.array([crf(rate[country_of[r]], int(lifetime[p])) for r, p, _ in build_keys])
    overnight = np.array([capex for key in build_keys for _, capex in sources[key]],
                         dtype=float)  # M$ per unit/yr, of each source
    fixed = np.array([fixed_om[p] * factors[country_of[r], family[p]][1]
                      for r, p, _ in build_keys], dtype=float)
    for category, per_source in (("capital", overnight * annuity[owner]),
                                 ("fixed_om", fixed[owner])):
        coef = per_source[src]  # per entry: source src[e] in year year[e]
        paid = coef != 0
        book.cost_many(category, country[owner][src][paid], year[paid], coef[paid],
                       new[src[paid]])
    book.declare("cap", caps.dims, "unit/yr", output="investment")
    book.cap_keys = cap_keys  # handed on (Book.cap_keys)
    _add_growth(m, case, book, build_keys, cap_keys, existing)


def _add_growth(m, case, book, build_keys, cap_keys, existing) -> None:
    """``growth_max[k, f, t]`` over the expressions ``build`` and ``cap`` (module docstring)."""
    processes = case.tables["processes"]
    weight = dict(zip(processes["process"], processes["permit_weight"]))
    family = dict(zip(processes["process"], processes["family"]))
    country_of = case.countries_of_regions
    limits = case.tables["growth_limits"]
    absolute = dict(zip(zip(limits["country"], limits["family"]), limits["absolute"]))
    relative = dict(zip(zip(limits["country"], limits["family"]), limits["relative"]))
    years, weights = case.years, case.year_weights
    after = dict(zip(years[:-1], years[1:]))  # the model year whose limit a capacity raises

    def group(r, p):
        return country_of[r], family[p]

    counted = [(r, p, t) for r, p, t in build_keys
               if weight[p] > 0 and group(r, p) in absolute]
    rows = Index(sorted({(*group(r, p), t) for r, p, t in counted}),
                 ("country", "family", "year"))
    upper = np.array([weights[t] * absolute[k, f] for k, f, t in rows], dtype=float)
    # builds, in typical projects
    built = terms(m.build, counted, coefs=[weight[p] for _, p, _ in counted],
                  at=[(*group(r, p), t) for r, p, t in counted], index=rows)
    # the year before: existing capacity for the first model year, else the cap expression
    for (r, p), by_year in existing.items():
        key = (*group(r, p), years[0])
        if weight[p] > 0 and key in rows.position:
            upper[rows.position[key]] += weights[years[0]] * relative[key[:2]] * weight[p] * \
                by_year.get(years[0], 0.0)
    before = [(r, p, t) for r, p, t in cap_keys if t in after and weight[p] > 0
              and (*group(r, p), after[t]) in rows.position and relative[group(r, p)] > 0]
    alive = terms(m.cap, before, coefs=[weights[after[t]] * relative[group(r, p)] * weight[p]
                                        for r, p, t in before],
                  at=[(*group(r, p), after[t]) for r, p, t in before], index=rows)
    constraints(m, "growth_max", built - alive <= upper)
    book.declare("growth_max", rows.dims, "M$/project", output="limit")
