r"""Permitting: permits under regimes, agency throughput, and the project pipeline.

Variables
    ``permit[r, p, g, t]`` ≥ 0 — capacity of process p in region r entering permitting in model
    year t under regime g (unit/yr). It comes online in the first model year
    ≥ t + L(k(r), p, g) (:mod:`northam_plan.case.leadtimes`) — or, under a regime whose agency
    throughput is limited, in any later year (``permit_use``, ``permit_pool``: a permit may be
    held); permits whose capacity could only come online after the horizon are not declared.
    Permits exist only where new capacity may be built (regions with ``can_build``; mines
    only on known reserves).

    ``project_build[j, t]`` ≥ 0 — capacity of pipeline project j coming online in model year t
    (unit/yr), for t ≥ its earliest online year. Projects at stage ``permitted`` or
    ``construction`` skip permitting; at ``permitting`` they still need their construction
    years; at ``exploration`` the full standard lead time, counted from the first model year.

Constraints
    ``project_max[j]``: :math:`\sum_t project\_build_{j,t} \le capacity_j` (unit/yr).

    ``project_commit_min[j]`` for a committed project (projects.csv ``committed``):
    :math:`project\_build_{j,t_j} \ge capacity_j` in its first online year :math:`t_j` — built
    in full on its schedule; the dual is what the commitment costs (M$ per unit/yr, discounted,
    ≥ 0 where the plan would rather not build it then).

    ``permit_throughput_max[k, g, t]``:
    :math:`\sum_{r \in k, p} weight_p \cdot permit_{r,p,g,t} \le limit_{k,g,t} \cdot w_t`
    (workload/yr × years of the period), where throughput.csv sets a limit; its dual is the
    value of one more unit of agency workload (M$ per workload unit, discounted).

New capacity
    each permit and project adds to ``build[r, p, online year]`` (capacity component), with its
    own overnight capex (M$ per unit/yr): a project's own figure (projects.csv ``capex``,
    already local) as given, else the process's, scaled to the country of the region:

    .. math:: capex_{r,p} = capex_p \cdot \kappa_{k(r),f(p)}

    with :math:`\kappa_{k,f}` the ``capex_factor`` of cost_factors.csv (1 without a row).

Costs (M$, country of the region)
    ``permitting``: :math:`premium_{k,f,g} \cdot permit` once, spread over the years of the
    permit's model year.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.case.leadtimes import construction_years, online_year, project_first_year, regimes
from northam_plan.model.algebra import Index, columns, constraints, terms, variables

NAME = "permitting"
REQUIRES: tuple[str, ...] = ()


def buildable(case) -> list[tuple[str, str]]:
    """(region, process) pairs where greenfield capacity may be permitted."""
    processes = case.tables["processes"]
    reserves = set(zip(case.tables["reserves"]["region"], case.tables["reserves"]["commodity"]))
    pairs = []
    for r, can_build in zip(case.tables["regions"]["region"], case.tables["regions"]["can_build"]):
        if not can_build:
            continue
        for p, family, output in processes[["process", "family", "main_output"]].itertuples(
                index=False):
            if family == "mine" and (r, output) not in reserves:
                continue
            pairs.append((r, p))
    return pairs


def local_capex(case) -> dict[tuple[str, str], float]:
    r"""Overnight capex of process p built in region r, :math:`capex_p \cdot \kappa_{k(r),f(p)}`
    (M$ per unit/yr), per (r, p): processes.csv ``capex`` × cost_factors.csv ``capex_factor``."""
    processes = case.tables["processes"]
    factors = case.cost_factors
    return {(r, p): float(capex) * factors[k, f][0]
            for r, k in case.countries_of_regions.items()
            for p, f, capex in zip(processes["process"], processes["family"],
                                   processes["capex"])}


def add(m, case, book) -> None:
    years = case.years
    weights = case.year_weights
    country_of = case.countries_of_regions
    processes = case.tables["processes"]
    family = dict(zip(processes["process"], processes["family"]))
    capex = local_capex(case)
    weight = dict(zip(processes["process"], processes["permit_weight"]))
    options = regimes(case)
    build_years = construction_years(case)

    permit_online = {}  # (r, p, g, t) -> online year
    premiums = {}
    for r, p in buildable(case):
        k = country_of[r]
        for regime in options[k, family[p]]:
            lead = regime.permitting_years + build_years[p, k]
            for t in years:
                online = online_year(years, t, lead)
                if online is None:
                    break
                permit_online[r, p, regime.name, t] = online
            premiums[k, family[p], regime.name] = regime.premium
    variables(m, "permit", list(permit_online))
    book.permit_online = permit_online  # handed on (Book.permit_online)
    book.declare("permit", ("region", "process", "regime", "year"), "unit/yr",
                 output="investment")
    limits = throughput_limits(case)
    pooled = {(k, g) for k, g, _ in limits}
    permits = columns(m.permit)  # in the order of permit_online
    arrivals = defaultdict(list)  # (r, p, g, online year) → the pooled permits arriving
    paid = []  # (position, country, year, premium in M$/yr) of permits with a premium
    for i, ((r, p, g, t), online) in enumerate(permit_online.items()):
        k = country_of[r]
        if (k, g) in pooled:
            arrivals[r, p, g, online].append((r, p, g, t))
        else:
            book.new_capacity(r, p, online, permits[i], capex[r, p])
        premium = premiums[k, family[p], g]
        if premium:
            paid.append((i, k, t, premium / weights[t]))
    at, countries, starts, coefs = (list(field) for field in zip(*paid)) if paid else \
        ([], [], [], [])
    book.cost_many("permitting", countries, starts, coefs, permits[np.array(at, dtype=np.int64)])

    _add_permit_pools(m, case, book, arrivals, capex)
    _add_throughput(m, case, book, permit_online, weight, country_of, limits)
    _add_projects(m, case, book, options, build_years, capex, family, country_of)


def throughput_limits(case) -> dict[tuple[str, str, int], float]:
    """Agency throughput per (country, regime, model year), workload/yr."""
    return case.by_year("throughput", ["country", "regime"], "limit")


def _add_permit_pools(m, case, book, arrivals, capex) -> None:
    r"""Permits of a throughput-limited regime may be used after their earliest online year.

    ``permit_use[r, p, g, y]`` ≥ 0 — permitted capacity built to come online in y (unit/yr);
    ``permit_pool[r, p, g, y]`` ≥ 0 — permitted capacity not yet used at the end of y;
    ``permit_pool_balance``: :math:`pool_y = pool_{y-1} + \sum_{t: online(t) = y} permit_t
    - use_y`. Without it, a shorter lead time could move a permit into a year whose agency
    throughput is already taken, and shortening a lead time could raise the cost. Where no
    limit applies, a permit is never worth starting early (its premium is paid sooner), so
    permits there come online exactly at their earliest year.
    """
    years = case.years
    first: dict[tuple, int] = {}
    for (r, p, g, y) in arrivals:
        first[r, p, g] = min(y, first.get((r, p, g), y))
    keys = [(r, p, g, y) for (r, p, g), y0 in sorted(first.items()) for y in years if y >= y0]
    variables(m, "permit_use", keys)
    variables(m, "permit_pool", keys)
    book.declare("permit_use", ("region", "process", "regime", "year"), "unit/yr")
    book.declare("permit_pool", ("region", "process", "regime", "year"), "unit/yr")
    # pool_y + use_y − pool_{y−1} − Σ arrivals_y = 0, row i for keys[i]; a (r, p, g)'s keys
    # are its model years from its first arrival on, so pool_{y−1} is the key before
    rows = Index(keys, ("region", "process", "regime", "year"))
    pool, use = columns(m.permit_pool), columns(m.permit_use)
    carried = np.array([i for i in range(1, len(keys)) if keys[i - 1][:3] == keys[i][:3]],
                       dtype=np.int64)
    arriving = [(key, permit) for key, permits in arrivals.items() for permit in permits]
    constraints(m, "permit_pool_balance", terms(pool, index=rows) + terms(use, index=rows)
                - terms(pool[carried - 1], at=carried, index=rows)
                - terms(m.permit, [k for _, k in arriving], at=[key for key, _ in arriving],
                        index=rows) == 0.0)
    book.declare("permit_pool_balance", rows.dims, "M$/unit")
    for (r, p, g, y) in keys:
        book.new_capacity(r, p, y, m.permit_use[r, p, g, y], capex[r, p])


def _add_throughput(m, case, book, permit_online, weight, country_of, limits) -> None:
    """``permit_throughput_max[k, g, t]`` (module docstring): the weighted permits of the
    regions of country k under regime g in year t, where throughput.csv sets a limit."""
    counted = [(r, p, g, t) for (r, p, g, t) in permit_online
               if (country_of[r], g, t) in limits and weight[p] > 0]
    agency = [(country_of[r], g, t) for r, _, g, t in counted]
    rows = Index(sorted(set(agency)), ("country", "regime", "year"))
    weights = case.year_weights
    workload = terms(m.permit, counted, coefs=[weight[p] for _, p, _, _ in counted], at=agency,
                     index=rows)
    constraints(m, "permit_throughput_max", workload <= {
        (k, g, t): limits[k, g, t] * weights[t] for k, g, t in rows})
    book.permit_throughput_limit = limits
    book.declare("permit_throughput_max", rows.dims, "M$/workload", output="limit")


def _add_projects(m, case, book, options, build_years, capex, family, country_of) -> None:
    years = case.years
    keys, online_years = [], {}
    projects = case.tables["projects"]
    for j, r, p, stage, earliest, _project_capex in projects[
            ["project", "region", "process", "stage", "earliest_online_year", "capex"]
            ].itertuples(index=False):
        first = project_first_year(years, options[country_of[r], family[p]],
                                   build_years[p, country_of[r]], stage, earliest)
        if first is None:
            continue
        for t in years:
            if t >= first:
                keys.append((j, t))
        online_years[j] = first
    variables(m, "project_build", keys)
    book.declare("project_build", ("project", "year"), "unit/yr", output="investment")
    info = {j: (r, p, cost) for j, r, p, cost in zip(
        projects["project"], projects["region"], projects["process"], projects["capex"])}
    for j, t in keys:
        r, p, cost = info[j]
        book.new_capacity(r, p, t, m.project_build[j, t],
                          capex[r, p] if pd.isna(cost) else cost)
    capacity = dict(zip(projects["project"], projects["capacity"]))
    built = Index(sorted({j for j, _ in keys}), ("project",))
    constraints(m, "project_max", terms(m.project_build, keys, at=[j for j, _ in keys],
                                        index=built) <= capacity)
    book.declare("project_max", built.dims, "M$/unit", output="limit")
    committed = Index(sorted(j for j, flag in zip(projects["project"], projects["committed"])
                             if flag and j in online_years), ("project",))
    constraints(m, "project_commit_min", terms(
        m.project_build, [(j, online_years[j]) for j in committed], at=committed.keys,
        index=committed) >= capacity)
    book.declare("project_commit_min", committed.dims, "M$/unit", output="limit")
    book.project_first_online = online_years
