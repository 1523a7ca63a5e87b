r"""The core of the northam-plan LP written with linopy, for the benchmark only.

``build_linopy(case)`` returns a ``linopy.Model`` with the same variables, constraints and
objective as ``northam_plan.build_model(case)`` on a *core* case
(``benchmarks/generate.py --core``): one whose only non-empty tables are those of the
components permitting, capacity, activity, trade, reserves and demand (``CORE_TABLES``).
It refuses any other case, because it would not be the same LP. The math is that of the
components' docstrings (src/northam_plan/model/components/*.py), with the same names:

* ``permit[r, p, g, t]``, ``permit_use`` / ``permit_pool[r, p, g, y]``,
  ``project_build[j, t]``, ``act[r, p, t]``, ``flow[r, r', c, t]``, ``unserved[r, c, t]``
  ≥ 0 (unit/yr; ``unserved`` ≤ demand);
* ``commodity_balance[r, c, t]``: :math:`\sum_p ratio_{p,c}\,act + \sum_{in}(1-loss)\,flow
  - \sum_{out} flow + unserved \ge demand`;
* ``activity_max[r, p, t]``: :math:`act \le avail_p \, apc_p \, (existing + \sum_{alive}
  source)`, a source (non-pooled permit, ``permit_use``, ``project_build``) being alive in
  t when :math:`online \le t < online + life_p`;
* ``build_max[r, p, t]``: :math:`\sum_{online = t} source \le maxbuild_p \, w_t`;
* ``flow_max``, ``permit_pool_balance``, ``permit_throughput_max``, ``project_max``,
  ``extraction_max`` as in trade, permitting and reserves;
* objective (M$, present value): :math:`\sum W_t \cdot` (variable O&M, transport, tariffs,
  unserved penalty, permitting premium / :math:`w_t`) + per source
  :math:`(capex \cdot CRF + fom) \sum_{t\,alive} W_t`.

Every variable has one flat dimension (its keys in a pandas frame); every constraint that
sums over a sparse set is an incidence ``(row, variable, coefficient)`` built with numpy and
summed with linopy's ``groupby(...).sum()``. Index sets come from the same helpers as the
Pyomo model (``buildable``, ``regimes``, ``process_ratios`` …), vectorised with pandas.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import CORE_TABLES  # noqa: E402

from northam_plan.case.leadtimes import construction_years, regimes  # noqa: E402
from northam_plan.model.components.activity import process_ratios  # noqa: E402
from northam_plan.model.components.capacity import crf, existing_by_year  # noqa: E402
from northam_plan.model.components.permitting import (  # noqa: E402
    buildable,
    project_first_year,
    throughput_limits,
)
from northam_plan.model.components.trade import tariff_rates  # noqa: E402


class NotCoreError(ValueError):
    """The case uses a component that the linopy model does not cover."""


def check_core(case) -> None:
    """Raise :class:`NotCoreError` unless every table outside ``CORE_TABLES`` is empty."""
    extra = sorted(name for name, frame in case.tables.items()
                   if name not in CORE_TABLES and len(frame))
    if extra or case.timesliced or case.tracked:
        raise NotCoreError(f"case {case.path}: the linopy model covers only the core "
                           f"components; non-empty tables outside it: {', '.join(extra)} "
                           "(generate the case with --core)")


def _gather(var, dim: str, idx, coef, rows, row_dim: str, row_index: pd.Index):
    """:math:`\\sum_j coef_j \\, var[idx_j]` per row, as a LinearExpression over ``row_dim``
    (reindexed to ``row_index``; rows without terms are empty and dropped by linopy)."""
    picked = var.isel({dim: xr.DataArray(np.asarray(idx), dims="_j")})
    expr = (picked * xr.DataArray(np.asarray(coef, dtype=float), dims="_j")).groupby(
        xr.DataArray(np.asarray(rows), dims="_j", name=row_dim)).sum()
    return expr.reindex({row_dim: row_index})


def _flat(m, name: str, n: int, upper=None):
    """A flat variable of ``n`` entries, ≥ 0 (and ≤ ``upper``)."""
    coords = [pd.RangeIndex(n, name=name)]
    if upper is None:
        return m.add_variables(lower=0.0, coords=coords, name=name)
    return m.add_variables(lower=0.0, upper=xr.DataArray(np.asarray(upper, dtype=float),
                                                         coords=coords), coords=coords,
                           name=name)


def build_linopy(case):
    """The core LP of ``case`` as a ``linopy.Model`` (see the module docstring)."""
    import linopy
    warnings.filterwarnings("ignore", category=getattr(linopy, "LinopySemanticsWarning",
                                                       Warning))
    check_core(case)
    m = linopy.Model()
    years = np.asarray(case.years)
    T = len(years)
    W = np.array([case.discount_weights[t] for t in case.years])  # discount weight W_t
    w = np.array([case.year_weights[t] for t in case.years])  # calendar years per model year
    cumW = np.concatenate([[0.0], np.cumsum(W)])
    regions = pd.Index(case.tables["regions"]["region"])
    country_of = case.countries_of_regions
    procs = case.tables["processes"].set_index("process")
    P = pd.Index(procs.index)
    commodities = pd.Index(case.tables["commodities"]["commodity"])
    C = len(commodities)
    life = procs["lifetime"].to_numpy(dtype=int)
    family = procs["family"].to_dict()
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    objective = []

    # --- permitting: permit[r, p, g, t] -------------------------------------------------
    options, build_years = regimes(case), construction_years(case)
    rows = []
    for r, p in buildable(case):
        k = country_of[r]
        for g in options[k, family[p]]:
            rows.append((r, p, g.name, k, g.permitting_years + build_years[p, k], g.premium))
    rpg = pd.DataFrame(rows, columns=["region", "process", "regime", "country", "lead",
                                      "premium"])
    n_rpg = len(rpg)
    g_i = np.repeat(np.arange(n_rpg), T)
    t_i = np.tile(np.arange(T), n_rpg)
    on_i = np.searchsorted(years, years[t_i] + rpg["lead"].to_numpy()[g_i])  # online_year
    keep = on_i < T
    g_i, t_i, on_i = g_i[keep], t_i[keep], on_i[keep]
    permit = _flat(m, "permit", len(g_i))
    ri = regions.get_indexer(rpg["region"])[g_i]
    pi = P.get_indexer(rpg["process"])[g_i]
    premium = rpg["premium"].to_numpy()[g_i]
    objective.append((xr.DataArray(premium / w[t_i] * W[t_i], dims="permit") * permit).sum())

    limits = throughput_limits(case)  # (k, g, t) -> workload/yr
    pooled_pairs = {(k, g) for k, g, _ in limits}
    pooled = np.array([(k, g) in pooled_pairs for k, g in zip(rpg["country"], rpg["regime"])],
                      dtype=bool)[g_i] if n_rpg else np.zeros(0, bool)

    # throughput: sum of weight_p * permit <= limit * w_t
    weight = procs["permit_weight"].to_numpy()[pi]
    limit_keys = pd.DataFrame([(k, g, t, v) for (k, g, t), v in limits.items()],
                              columns=["country", "regime", "year", "limit"])
    key_of = pd.MultiIndex.from_frame(limit_keys[["country", "regime", "year"]]) \
        if len(limit_keys) else pd.MultiIndex.from_arrays([[], [], []])
    row = key_of.get_indexer(pd.MultiIndex.from_arrays(
        [rpg["country"].to_numpy()[g_i], rpg["regime"].to_numpy()[g_i], years[t_i]])) \
        if len(g_i) else np.zeros(0, int)
    sel = (row >= 0) & (weight > 0)
    if sel.any():
        used = np.unique(row[sel])
        lhs = _gather(permit, "permit", np.flatnonzero(sel), weight[sel], row[sel],
                      "throughput", pd.Index(used, name="throughput"))
        rhs = (limit_keys["limit"].to_numpy() * w[np.searchsorted(years, limit_keys["year"])]
               )[used]
        m.add_constraints(lhs, "<=", xr.DataArray(rhs, coords=[lhs.indexes["throughput"]]),
                          name="permit_throughput_max")

    # pools: permit_use / permit_pool[r, p, g, y] for y >= the first arrival
    pg = g_i[pooled]
    first = pd.Series(on_i[pooled]).groupby(pg).min()  # rpg -> first online index
    n_years = T - first.to_numpy()
    start = np.concatenate([[0], np.cumsum(n_years)])[:-1]
    n_pool = int(n_years.sum())
    pool_g = np.repeat(first.index.to_numpy(), n_years)
    pool_t = np.arange(n_pool) - np.repeat(start, n_years) + np.repeat(first.to_numpy(),
                                                                       n_years)
    use = _flat(m, "permit_use", n_pool)
    pool = _flat(m, "permit_pool", n_pool)
    if n_pool:
        pos_of = pd.Series(start - first.to_numpy(), index=first.index)  # + online index
        arrival_row = pos_of.reindex(pg).to_numpy() + on_i[pooled]
        index = pd.RangeIndex(n_pool, name="pool_row")
        has_prev = np.ones(n_pool, bool)
        has_prev[start] = False
        lhs = (_gather(pool, "permit_pool", np.arange(n_pool), np.ones(n_pool),
                       np.arange(n_pool), "pool_row", index)
               + _gather(pool, "permit_pool", np.flatnonzero(has_prev) - 1,
                         -np.ones(has_prev.sum()), np.flatnonzero(has_prev), "pool_row", index)
               + _gather(permit, "permit", np.flatnonzero(pooled), -np.ones(pooled.sum()),
                         arrival_row, "pool_row", index)
               + _gather(use, "permit_use", np.arange(n_pool), np.ones(n_pool),
                         np.arange(n_pool), "pool_row", index))
        m.add_constraints(lhs, "=", 0.0, name="permit_pool_balance")

    # sources of new capacity: (variable, name, index, region, process, online, capex)
    rpg_r = regions.get_indexer(rpg["region"])
    rpg_p = P.get_indexer(rpg["process"])
    capex_p = procs["capex"].to_numpy()
    sources = [
        (permit, "permit", np.flatnonzero(~pooled), ri[~pooled], pi[~pooled], on_i[~pooled],
         capex_p[pi[~pooled]]),
        (use, "permit_use", np.arange(n_pool), rpg_r[pool_g], rpg_p[pool_g], pool_t,
         capex_p[rpg_p[pool_g]]),
    ]

    # --- pipeline projects: project_build[j, t] ------------------------------------------
    projects = case.tables["projects"]
    pkeys = []
    for j, r, p, stage, earliest, project_capex, cap_j in projects[
            ["project", "region", "process", "stage", "earliest_online_year", "capex",
             "capacity"]].itertuples(index=False):
        k = country_of[r]
        online = project_first_year(case.years, options[k, family[p]], build_years[p, k], stage,
                                    earliest)
        if online is None:
            continue
        cost = capex_p[P.get_loc(p)] if pd.isna(project_capex) else project_capex
        for ti in range(int(np.searchsorted(years, online)), T):
            pkeys.append((j, regions.get_loc(r), P.get_loc(p), ti, cost, cap_j))
    pk = pd.DataFrame(pkeys, columns=["project", "ri", "pi", "ti", "capex", "capacity"])
    project_build = _flat(m, "project_build", len(pk))
    if len(pk):
        codes, names = pd.factorize(pk["project"])
        lhs = _gather(project_build, "project_build", np.arange(len(pk)), np.ones(len(pk)),
                      codes, "project", pd.RangeIndex(len(names), name="project"))
        rhs = pk.groupby(codes)["capacity"].first().to_numpy()
        m.add_constraints(lhs, "<=", xr.DataArray(rhs, dims="project"), name="project_max")
        sources.append((project_build, "project_build", np.arange(len(pk)),
                        pk["ri"].to_numpy(), pk["pi"].to_numpy(), pk["ti"].to_numpy(),
                        pk["capex"].to_numpy(dtype=float)))

    # --- capacity: build_max, alive sources, capital and fixed O&M ------------------------
    n_p, max_build = len(P), procs["max_build"].to_numpy(dtype=float)
    fixed_om = procs["fixed_om"].to_numpy()
    annuity_of = {(k, n): crf(rate[k], int(n)) for k in rate for n in np.unique(life)}
    region_country = np.array([country_of[r] for r in regions])
    alive = []  # (variable, name, index, cap code r*P*T + p*T + t)
    build_rows, build_parts = [], []
    for var, name, idx, s_r, s_p, s_on, s_capex in sources:
        s_life = life[s_p]
        hi = np.searchsorted(years, years[s_on] + s_life)  # first model year not alive
        annuity = np.array([annuity_of[k, n] for k, n in zip(region_country[s_r], s_life)])
        alive_W = cumW[hi] - cumW[s_on]
        coef = (s_capex * annuity + fixed_om[s_p]) * alive_W
        objective.append((xr.DataArray(np.bincount(idx, coef, minlength=var.size),
                                       dims=name) * var).sum())
        n = hi - s_on
        rep = np.repeat(np.arange(len(idx)), n)
        tau = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + s_on[rep]
        alive.append((var, name, idx[rep], (s_r[rep] * n_p + s_p[rep]) * T + tau))
        limited = ~np.isnan(max_build[s_p])
        build_parts.append((var, name, idx[limited],
                            (s_r[limited] * n_p + s_p[limited]) * T + s_on[limited]))
        build_rows.append(build_parts[-1][3])
    build_index = pd.Index(np.unique(np.concatenate(build_rows)), name="build")
    lhs = sum(_gather(var, name, idx, np.ones(len(idx)), code, "build", build_index)
              for var, name, idx, code in build_parts)
    b_p, b_t = (build_index.to_numpy() // T) % n_p, build_index.to_numpy() % T
    m.add_constraints(lhs, "<=", xr.DataArray(max_build[b_p] * w[b_t], coords=[build_index]),
                      name="build_max")

    existing = {}
    for (r, p), by_year in existing_by_year(case).items():
        base = (regions.get_loc(r) * n_p + P.get_loc(p)) * T
        for ti, t in enumerate(case.years):
            if by_year.get(t, 0.0) > 0:
                existing[base + ti] = by_year[t]
    cap_index = pd.Index(np.unique(np.concatenate([np.fromiter(existing, int, len(existing))]
                                                  + [a[3] for a in alive])), name="cap")
    cap_p, cap_t = (cap_index.to_numpy() // T) % n_p, cap_index.to_numpy() % T
    cap_r = cap_index.to_numpy() // (T * n_p)
    k_p = (procs["availability"] * procs["activity_per_capacity"]).to_numpy()[cap_p]
    act = m.add_variables(lower=0.0, coords=[cap_index], name="act")
    alive_sum = sum(_gather(var, name, idx, np.ones(len(idx)), code, "cap", cap_index)
                    for var, name, idx, code in alive)
    exist = pd.Series(existing).reindex(cap_index, fill_value=0.0).to_numpy()
    m.add_constraints(act - xr.DataArray(k_p, coords=[cap_index]) * alive_sum, "<=",
                      xr.DataArray(k_p * exist, coords=[cap_index]), name="activity_max")
    var_om = procs["var_om"].to_numpy()
    objective.append((xr.DataArray(var_om[cap_p] * W[cap_t], coords=[cap_index]) * act).sum())

    # --- activity terms of the balance, reserves ------------------------------------------
    ratio_rows = [(P.get_loc(p), commodities.get_loc(c), x)
                  for p, items in process_ratios(case).items() for c, x in items]
    ratio = pd.DataFrame(ratio_rows, columns=["pi", "ci", "ratio"])
    terms = pd.DataFrame({"a": np.arange(len(cap_index)), "pi": cap_p}).merge(ratio, on="pi")
    a, ci, x = terms["a"].to_numpy(), terms["ci"].to_numpy(), terms["ratio"].to_numpy()
    balance = [(act, "cap", a, x, (cap_r[a] * C + ci) * T + cap_t[a])]

    reserves = case.tables["reserves"]
    res_code = pd.Index(regions.get_indexer(reserves["region"]) * C
                        + commodities.get_indexer(reserves["commodity"]))
    mine = (procs["family"] == "mine").to_numpy()[cap_p[a]]
    res_row = res_code.get_indexer(cap_r[a] * C + ci)
    sel = mine & (x > 0) & (res_row >= 0)
    if sel.any():
        used = np.unique(res_row[sel])
        lhs = _gather(act, "cap", a[sel], w[cap_t[a[sel]]] * x[sel], res_row[sel],
                      "reserve", pd.Index(used, name="reserve"))
        m.add_constraints(lhs, "<=", xr.DataArray(reserves["reserves"].to_numpy()[used],
                                                  coords=[lhs.indexes["reserve"]]),
                          name="extraction_max")

    # --- trade: flow[link, t] ---------------------------------------------------------------
    links = case.tables["links"]
    L = len(links)
    flow = _flat(m, "flow", L * T)
    l_i, f_t = np.repeat(np.arange(L), T), np.tile(np.arange(T), L)
    a_r = regions.get_indexer(links["from"])[l_i]
    b_r = regions.get_indexer(links["to"])[l_i]
    f_c = commodities.get_indexer(links["commodity"])[l_i]
    loss = links["loss"].to_numpy()[l_i]
    capacity = links["capacity"].to_numpy(dtype=float)[l_i]
    capped = ~np.isnan(capacity)
    m.add_constraints(flow, "<=", xr.DataArray(np.where(capped, capacity, 0.0), dims="flow"),
                      name="flow_max", mask=xr.DataArray(capped, dims="flow"))
    k_from, k_to = region_country[a_r], region_country[b_r]
    rates = tariff_rates(case)
    price = case.tables["commodities"]["reference_price"].to_numpy()
    rate_of = pd.Series(rates, dtype=float) if rates else pd.Series(dtype=float)
    tariff = np.zeros(L * T)
    foreign = k_from != k_to
    if len(rate_of) and foreign.any():
        keys = pd.MultiIndex.from_arrays([k_from[foreign], k_to[foreign],
                                          commodities[f_c[foreign]], years[f_t[foreign]]])
        tariff[foreign] = rate_of.reindex(keys, fill_value=0.0).to_numpy() * price[f_c[
            foreign]]
    transport = links["transport_cost"].to_numpy()[l_i]
    objective.append((xr.DataArray((transport + tariff) * W[f_t], dims="flow") * flow).sum())
    every = np.arange(L * T)
    balance.append((flow, "flow", every, -np.ones(L * T), (a_r * C + f_c) * T + f_t))
    balance.append((flow, "flow", every, 1.0 - loss, (b_r * C + f_c) * T + f_t))

    # --- demand: unserved[r, c, t] ≤ demand ------------------------------------------------
    demand = case.demand_by_year.groupby(["region", "commodity", "year"], sort=True)[
        "quantity"].sum()
    demand = demand[demand > 0]
    d_r, d_c, d_y = (demand.index.get_level_values(n) for n in ("region", "commodity", "year"))
    d_t = np.searchsorted(years, np.asarray(d_y))
    d_code = (regions.get_indexer(d_r) * C + commodities.get_indexer(d_c)) * T + d_t
    unserved = _flat(m, "unserved", len(demand), upper=demand.to_numpy())
    objective.append((xr.DataArray(case.options.unserved_penalty * W[d_t], dims="unserved")
                      * unserved).sum())
    balance.append((unserved, "unserved", np.arange(len(demand)), np.ones(len(demand)),
                    d_code))

    # --- commodity_balance[r, c, t] --------------------------------------------------------
    index = pd.Index(np.unique(np.concatenate([part[4] for part in balance])), name="rct")
    lhs = sum(_gather(*part, "rct", index) for part in balance)
    rhs = pd.Series(demand.to_numpy(), index=d_code).reindex(index, fill_value=0.0)
    m.add_constraints(lhs, ">=", xr.DataArray(rhs.to_numpy(), coords=[index]),
                      name="commodity_balance")

    m.add_objective(sum(objective))
    return m
