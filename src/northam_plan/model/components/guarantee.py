r"""Crisis guarantee of a bloc: a shared reserve, no restriction inside the bloc, fair sharing
(shared_reserves.csv, reserve_cost_shares.csv, guarantees.csv).

For a bloc B with member countries :math:`K_B`, a commodity c and the crisis years
:math:`T_{B,c}` of guarantees.csv (the years of a disruption), with :math:`w_t` the calendar
years model year t stands for:

Variables (shared_reserves.csv, per bloc B and commodity c, held in the host region h)
    ``reserve_stock[B, c, t]`` ≥ 0 — stock at the end of year t (unit), at most ``capacity``;
    ``reserve_fill[B, c, t]`` ≥ 0 — filling in the host region (unit/yr), at most
    ``max_fill``, and 0 in the crisis years (the reserve is released then, not a free route
    between members);
    ``reserve_draw[B, c, r, t]`` ≥ 0 — drawn into member region r in a crisis year
    t ∈ :math:`T_{B,c}` (unit/yr): any region of a member under the policy ``guarantee``,
    only the host country's regions under ``national_first`` (the reserve stays national).

Constraints
    ``reserve_balance[B, c, t]``:
    :math:`stock_t = stock_{t-1} + w_t \, (fill_t - \sum_r draw_{r,t})` (unit), with
    :math:`stock_{t_0 - 1} = initial`;

    ``reserve_draw_max[B, c, t]``: :math:`\sum_r draw_{r,t} \le max\_draw` (unit/yr) in the
    crisis years, where ``max_draw`` is given;

    ``bloc_export_max[B, c, k, t]`` (policy ``national_first``, the counterfactual): what
    member k ships of c to the regions of the other members is at most ``export_limit``:
    :math:`\sum_{r \in k,\, r' \in K_B \setminus k} flow_{r,r',c,t} \le limit` (unit/yr);
    under ``guarantee`` there is no such row — no restriction inside the bloc;

    ``fair_share[B, c, r, t]`` (``fair_sharing``, crisis years): every member region r with
    demand :math:`D_{r,c,t} > 0` bears the same curtailment ratio
    :math:`\rho_{B,c,t} \in [0, 1]` (variable ``curtailment[B, c, t]``, 1):
    :math:`unserved_{r,c,t} = \rho_{B,c,t} \, D_{r,c,t}` (unit/yr).

Balance terms
    :math:`-fill` in the balance of the host region h; :math:`+draw` in that of region r.

Costs (annual, M$/yr)
    ``shared_reserve``: :math:`s_k \cdot holding\_cost \cdot stock_{B,c,t}` in member k, with
    :math:`s_k` its share of reserve_cost_shares.csv (the host country pays all where the bloc
    has no rows). What the fill costs to buy or make is paid where it is filled, through the
    host region's commodity balance.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.model.algebra import Index, columns, constraints, sums, terms, variables
from northam_plan.model.components.security import bloc_members

NAME = "guarantee"
REQUIRES = ("trade", "demand")


def crisis_policies(case) -> dict[tuple[str, str, int], tuple[str, float, bool]]:
    """(policy, export_limit, fair_sharing) per (bloc, commodity, crisis year)."""
    out = {}
    years = case.years
    for row in case.tables["guarantees"].itertuples(index=False):
        first = years[0] if pd.isna(row.start_year) else int(row.start_year)
        last = years[-1] if pd.isna(row.end_year) else int(row.end_year)
        for t in years:
            if first <= t <= last:
                out[row.bloc, row.commodity, t] = (row.policy, float(row.export_limit),
                                                   bool(row.fair_sharing))
    return out


def cost_shares(case, bloc: str, host: str) -> dict[str, float]:
    """Country → its share of the bloc's reserve holding cost (the host pays all without
    rows)."""
    table = case.tables["reserve_cost_shares"]
    rows = table[table["bloc"] == bloc]
    if rows.empty:
        return {host: 1.0}
    return {k: float(s) for k, s in zip(rows["country"], rows["share"]) if s > 0}


def add(m, case, book) -> None:
    reserves, policies = case.tables["shared_reserves"], crisis_policies(case)
    if reserves.empty and not policies:
        return
    country_of = case.countries_of_regions
    members = bloc_members(case)
    regions_of = defaultdict(list)
    for r, k in sorted(country_of.items()):
        regions_of[k].append(r)
    _add_reserves(m, case, book, reserves, policies, members, regions_of)
    _add_national_first(m, book, policies, members, country_of)
    _add_fair_sharing(m, case, book, policies, members, regions_of)


def _add_reserves(m, case, book, reserves, policies, members, regions_of) -> None:
    years, weights = case.years, case.year_weights
    country_of = case.countries_of_regions
    rows = {(b, c): row for b, c, row in zip(reserves["bloc"], reserves["commodity"],
                                             reserves.itertuples(index=False))}
    keys = Index([(b, c, t) for (b, c) in rows for t in years], ("bloc", "commodity", "year"))
    variables(m, "reserve_stock", keys, upper={(b, c, t): rows[b, c].capacity
                                               for b, c, t in keys})  # NaN: no limit
    # no fill in a crisis year: the reserve is released then, not a free route between members
    variables(m, "reserve_fill", keys, upper={
        (b, c, t): 0.0 if (b, c, t) in policies else rows[b, c].max_fill for b, c, t in keys})
    book.declare("reserve_stock", keys.dims, "unit", output="operation")
    book.declare("reserve_fill", keys.dims, "unit/yr", output="operation")

    def drawers(b, c, t):
        policy = policies.get((b, c, t))
        if policy is None:
            return []
        host = country_of[rows[b, c].region]
        ks = sorted(members[b]) if policy[0] == "guarantee" else [host]
        return [r for k in ks for r in regions_of[k]]

    draws = [(b, c, r, t) for b, c, t in keys for r in drawers(b, c, t)]
    variables(m, "reserve_draw", draws)
    book.declare("reserve_draw", ("bloc", "commodity", "region", "year"), "unit/yr",
                 output="operation")

    # stock_t − stock_{t−1} − w_t fill + w_t Σ_r draw = initial in the first year, else 0
    later = np.array([i for i, (_, _, t) in enumerate(keys) if t != years[0]], dtype=np.int64)
    drawn = sums({key: [] for key in keys}, keys)
    if draws:
        drawn = terms(m.reserve_draw, draws, coefs=[weights[t] for *_, t in draws],
                      at=[(b, c, t) for b, c, _, t in draws], index=keys)
    balance = terms(m.reserve_stock, index=keys) \
        - terms(columns(m.reserve_stock)[later - 1], at=later, index=keys) \
        - terms(m.reserve_fill, index=keys, coefs=[weights[t] for *_, t in keys]) + drawn
    constraints(m, "reserve_balance", balance == {
        (b, c, t): rows[b, c].initial_stock if t == years[0] else 0.0 for b, c, t in keys})
    book.declare("reserve_balance", keys.dims, "M$/unit")

    limited = Index(sorted({(b, c, t) for b, c, _, t in draws
                            if not pd.isna(rows[b, c].max_draw)}), keys.dims)
    per_year = [(b, c, r, t) for b, c, r, t in draws if (b, c, t) in limited.position]
    constraints(m, "reserve_draw_max", terms(m.reserve_draw, per_year,
                                             at=[(b, c, t) for b, c, _, t in per_year],
                                             index=limited)
                <= {(b, c, t): rows[b, c].max_draw for b, c, t in limited})
    book.declare("reserve_draw_max", limited.dims, "M$/unit", output="limit")

    for (b, c, t) in keys:
        host = rows[b, c].region
        book.supply(host, c, t, -1.0, m.reserve_fill[b, c, t])
        cost = rows[b, c].holding_cost
        if cost:
            for k, share in cost_shares(case, b, country_of[host]).items():
                book.cost("shared_reserve", k, t, share * cost, m.reserve_stock[b, c, t])
    for (b, c, r, t) in draws:
        book.supply(r, c, t, 1.0, m.reserve_draw[b, c, r, t])


def _add_national_first(m, book, policies, members, country_of) -> None:
    """``bloc_export_max``: each member's shipments to the other members ≤ export_limit."""
    limits = {(b, c, k, t): limit for (b, c, t), (policy, limit, _) in policies.items()
              if policy == "national_first" for k in sorted(members.get(b, ()))}
    shipped = defaultdict(list)
    for (a, d, c, t) in m.flow:
        ka, kd = country_of[a], country_of[d]
        if ka == kd:
            continue
        for b, ks in members.items():
            if ka in ks and kd in ks and (b, c, ka, t) in limits:
                shipped[b, c, ka, t].append((1.0, m.flow[a, d, c, t]))
    rows = Index(sorted(key for key in limits if shipped[key]),
                 ("bloc", "commodity", "country", "year"))
    constraints(m, "bloc_export_max", sums(shipped, rows) <= limits)
    book.declare("bloc_export_max", rows.dims, "M$/unit", output="limit")


def _add_fair_sharing(m, case, book, policies, members, regions_of) -> None:
    """``fair_share``: unserved = curtailment · demand in every member region with demand."""
    fair = sorted((b, c, t) for (b, c, t), (_, _, on) in policies.items() if on)
    unserved = m.unserved
    pairs = [((b, c, t), (r, c, t)) for b, c, t in fair for k in sorted(members.get(b, ()))
             for r in regions_of[k] if (r, c, t) in unserved]
    ratios = Index(sorted({key for key, _ in pairs}), ("bloc", "commodity", "year"))
    variables(m, "curtailment", ratios, upper=1.0)
    book.declare("curtailment", ratios.dims, "1", output="operation")
    demand = case.demand_by_year.groupby(["region", "commodity", "year"])[
        "quantity"].sum().to_dict()
    rows = Index([(b, c, r, t) for (b, c, t), (r, _, _) in pairs],
                 ("bloc", "commodity", "region", "year"))
    lhs = terms(unserved, [key for _, key in pairs], at=rows.keys, index=rows) \
        - terms(m.curtailment, [key for key, _ in pairs], at=rows.keys, index=rows,
                coefs=[float(demand[key]) for _, key in pairs])
    constraints(m, "fair_share", lhs == 0.0)
    book.declare("fair_share", rows.dims, "M$/unit")
