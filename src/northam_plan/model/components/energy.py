r"""Energy co-planning: timesliced commodities (electricity) balanced per slice of the year.

Slices s (timeslices.csv; one slice ``year`` without it) have a weight :math:`h_s` (share of
the year's hours) and a demand share :math:`d_s` (share of exogenous demand, default
:math:`h_s`). Power processes are those whose main output is timesliced.

Variables
    ``act_slice[r, p, t, s]`` ≥ 0 — output of power process p in slice s (unit/yr of the
    year's total); ``flow_slice[r, r', e, t, s]`` ≥ 0 — shipments on links of timesliced
    commodities (interties); ``link_build[r, r', e, t]`` ≥ 0 — added link capacity from year t
    (unit/yr), where links.csv gives an ``expansion_cost``; ``unserved_slice[r, e, t, s]``
    ≥ 0 (0 when ``[options] allow_unserved = false``).

Constraints
    ``generation_max``: :math:`act^s \le cf_{p,r,s} \cdot apc_p \cdot h_s \cdot cap`;
    ``generation_season_max`` for energy-limited processes (reservoir hydro; see below);
    ``generation_total``: :math:`act_{r,p,t} = \sum_s act^s_{r,p,t,s}`;
    ``intertie_max``: :math:`flow^s \le h_s \, (capacity_l + \sum_{t' \le t} link\_build_{l,t'})`;
    ``energy_balance[r, e, t, s]`` (unit/yr): power output in s + other processes' output and
    use spread over the year (:math:`h_s \cdot ratio \cdot act`) + imports·(1 − loss) − exports
    + unserved ≥ :math:`d_s \cdot demand`; its dual / (discount weight) is the price of e in s,
    M$ per unit delivered in that slice;
    ``reserve_margin_min[r, e, t]``: :math:`\sum_p credit_p \, apc_p \, cap \ge (1 + margin)
    \cdot peak`, with the peak rate :math:`\max_s d_s \, demand / h_s + \sum_p ratio \cdot act`
    (unit/yr).

Energy-limited processes (energy_limits.csv)
    Slices are grouped into seasons g (``season`` column of timeslices.csv; a slice without
    one is its own season). For a process p in region r with a row for season g (a row for
    region r wins over one for every region), water rather than turbines limits the energy:
    its output may move between the slices of g (a reservoir stores the night's inflow for
    the day), up to what the turbines can give in any one slice:

    ``generation_max`` (in place of the capacity factor) for s in g:
    :math:`act^s_{r,p,t,s} \le mo_{p,r,g} \cdot apc_p \cdot h_s \cdot cap_{r,p,t}`;

    ``generation_season_max[r, p, t, g]``:
    :math:`\sum_{s \in g} act^s_{r,p,t,s} \le f_{p,r,g} \cdot apc_p \cdot cap_{r,p,t}
    \cdot \sum_{s \in g} h_s`.

    Units: act in unit/yr (TWh/yr for elec), cap in capacity units (GW), apc (activity per
    capacity, 8.76 TWh/yr per GW), h_s and the factor f (energy share) and max output mo
    (share of capacity) are pure numbers. With :math:`mo = f` and a uniform f over the season
    it is the capacity-factor model again; :math:`mo > f` lets the process shift energy. Its
    dual (≤ 0) / (discount weight) is the value of water in season g, M$ per unit.

Storage
    a power process that also takes in its own output (process_io input of the same commodity)
    charges in some slices and gives out in others (``charge_slice``, ``storage_cycle``).

Costs (annual, M$/yr)
    ``transport`` on interties (importing country); ``capital`` of link expansion, annualised
    over 40 years at the importing country's cost of capital; ``unserved`` at the penalty.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.case.case import slice_seasons
from northam_plan.model.algebra import Index, columns, constraints, sums, terms, variables
from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.capacity import crf
from northam_plan.model.components.security import spans

NAME = "energy"
REQUIRES = ("activity", "trade", "demand")
LINK_LIFETIME = 40  # years, for the annuity of link expansion
DIMS = ("region", "process", "year")


def slices(case) -> dict[str, tuple[float, float]]:
    """(weight, demand share) per slice; one slice ``year`` when none are declared."""
    table = case.tables["timeslices"]
    if table.empty:
        return {"year": (1.0, 1.0)}
    return {s: (w, w if pd.isna(d) else d) for s, w, d in table[
        ["slice", "weight", "demand_share"]].itertuples(index=False)}


def add(m, case, book) -> None:
    top = m.model()
    energy = case.timesliced
    slice_of = slices(case)
    processes = case.tables["processes"]
    per_capacity, credit, avail = (dict(zip(processes["process"], processes[c])) for c in
                                   ("activity_per_capacity", "capacity_credit", "availability"))
    ratios = process_ratios(case)
    power = {p for p, items in ratios.items() if items[0][0] in energy}
    country_of = case.countries_of_regions
    balance: defaultdict[tuple, list] = defaultdict(list)  # energy_balance: terms …
    rhs: defaultdict[tuple, float] = defaultdict(float)  # … and demand

    gen = Index([(r, p, t, s) for (r, p, t) in top.book.cap_keys if p in power for s in slice_of],
                (*DIMS, "slice"))
    variables(m, "act_slice", gen)
    book.declare("act_slice", gen.dims, "unit/yr")
    factor = {(p, r, s): f for p, r, s, f in case.tables["capacity_factors"][
        ["process", "region", "slice", "factor"]].itertuples(index=False)}

    season_of = slice_seasons(case.tables["timeslices"])
    limits = {(p, r, g): (f, most) for p, r, g, f, most in case.tables["energy_limits"][
        ["process", "region", "season", "factor", "max_output"]].itertuples(index=False)}

    def limit(p, r, s):
        """(seasonal energy factor, max output) of an energy-limited process, or None."""
        g = season_of[s]
        return limits.get((p, r, g), limits.get((p, "", g)))

    def cf(p, r, s):
        if (limited := limit(p, r, s)) is not None:
            return limited[1]
        return factor.get((p, r, s), factor.get((p, "", s), avail[p]))

    # act^s ≤ cf · apc · h_s · cap
    constraints(m, "generation_max", terms(m.act_slice, index=gen) <= terms(
        top.cap, [key[:3] for key in gen], at=gen.keys, index=gen,
        coefs=[cf(p, r, s) * per_capacity[p] * slice_of[s][0] for r, p, _, s in gen]))
    book.declare("generation_max", gen.dims, "M$/unit")
    _add_energy_limits(m, book, gen, limit, season_of, slice_of, per_capacity)
    totals = Index([(r, p, t) for (r, p, t) in top.book.cap_keys if p in power], DIMS)
    constraints(m, "generation_total", terms(m.act, index=totals) == terms(
        m.act_slice, gen.keys, at=[key[:3] for key in gen], index=totals))
    book.declare("generation_total", totals.dims, "M$/unit")

    storage = {p for p in power if any(c == ratios[p][0][0] and x < 0 for c, x in ratios[p])}
    _add_storage(m, book, storage, ratios, per_capacity, slice_of, balance)
    flat_use = defaultdict(list)  # (r, e, t) -> use by non-power processes, spread evenly
    # the processes' terms of the balance, kept as arrays: (row label, variable key, coef)
    made: tuple[list, list, list] = ([], [], [])  # power: ratio · act^s
    spread: tuple[list, list, list] = ([], [], [])  # others: ratio · h_s · act, every slice
    for (r, p, t) in top.book.cap_keys:
        for e, ratio in ratios[p]:
            if e not in energy or (p in storage and e == ratios[p][0][0] and ratio < 0):
                continue
            for s, (weight, _) in slice_of.items():
                if p in power:
                    _term(made, (r, e, t, s), (r, p, t, s), ratio)
                else:
                    _term(spread, (r, e, t, s), (r, p, t), ratio * weight)
            if p not in power and ratio < 0:
                flat_use[r, e, t].append((-ratio, m.act[r, p, t]))

    _add_interties(m, case, book, balance, slice_of, country_of)
    demand = _add_demand(m, case, book, balance, rhs, slice_of, country_of)

    rows = Index(sorted({*balance, *made[0], *spread[0]}), ("region", "commodity", "year",
                                                           "slice"))
    body = sums(balance, rows)
    for var, (at, keys, coefs) in ((m.act_slice, made), (m.act, spread)):
        if at:
            body = body + terms(var, keys, at=at, index=rows, coefs=coefs)
    constraints(m, "energy_balance", body >= rhs)
    book.declare("energy_balance", rows.dims, "M$/unit")
    _add_reserve_margin(m, case, book, power, credit, per_capacity, ratios, demand, flat_use,
                        slice_of)


def _term(terms_: tuple[list, list, list], row: tuple, key: tuple, coef: float) -> None:
    """One term (row label, variable key, coefficient) into lists kept for :func:`terms`."""
    terms_[0].append(row)
    terms_[1].append(key)
    terms_[2].append(coef)


def _add_energy_limits(m, book, gen, limit, season_of, slice_of, per_capacity) -> None:
    r"""``generation_season_max[r, p, t, g]``: :math:`\sum_{s \in g} act^s \le f \cdot apc
    \cdot cap \cdot \sum_{s \in g} h_s` (unit/yr) for energy-limited processes."""
    top = m.model()
    members = defaultdict(list)  # season -> its slices, in the order of timeslices.csv
    for s in slice_of:
        members[season_of[s]].append(s)
    rows = Index(sorted({(r, p, t, season_of[s]) for (r, p, t, s) in gen
                         if limit(p, r, s) is not None}), (*DIMS, "season"))
    hours = {g: sum(slice_of[s][0] for s in slices) for g, slices in members.items()}
    parts = [(key, (*key[:3], s)) for key in rows for s in members[key[3]]]
    output = terms(m.act_slice, [part for _, part in parts], at=[key for key, _ in parts],
                   index=rows)
    water = terms(top.cap, [key[:3] for key in rows], at=rows.keys, index=rows,
                  coefs=[limit(p, r, members[g][0])[0] * per_capacity[p] * hours[g]
                         for r, p, _, g in rows])
    constraints(m, "generation_season_max", output <= water)
    book.declare("generation_season_max", rows.dims, "M$/unit")


def _add_storage(m, book, storage, ratios, per_capacity, slice_of, balance) -> None:
    r"""Storage: a power process that takes in its own output (a battery: 1 out per 1.15 in).

    ``charge_slice[r, p, t, s]`` ≥ 0 (unit/yr) ≤ :math:`apc \cdot h_s \cdot cap`; the energy
    taken in over the slices of a year pays for what is given out:
    ``storage_cycle[r, p, t]``: :math:`\sum_s charge_s = ratio_{in} \sum_s act^s` — the
    slices stand for a representative day, so storage shifts energy between them.
    """
    top = m.model()
    keys = Index([(r, p, t, s) for (r, p, t) in top.book.cap_keys if p in storage
                  for s in slice_of], (*DIMS, "slice"))
    variables(m, "charge_slice", keys)
    book.declare("charge_slice", keys.dims, "unit/yr")
    constraints(m, "charge_max", terms(m.charge_slice, index=keys) <= terms(
        top.cap, [key[:3] for key in keys], at=keys.keys, index=keys,
        coefs=[per_capacity[p] * slice_of[s][0] for _, p, _, s in keys]))
    book.declare("charge_max", keys.dims, "M$/unit")
    intake = {p: -sum(x for c, x in ratios[p] if c == ratios[p][0][0] and x < 0)
              for p in storage}
    cycles = Index(sorted({key[:3] for key in keys}), DIMS)
    year = [key[:3] for key in keys]
    constraints(m, "storage_cycle", terms(m.charge_slice, keys.keys, at=year, index=cycles)
                == terms(m.act_slice, keys.keys, at=year, index=cycles,
                         coefs=[intake[p] for _, p, _, _ in keys]))
    book.declare("storage_cycle", cycles.dims, "M$/unit")
    for (r, p, t, s) in keys:
        balance[r, ratios[p][0][0], t, s].append((-1.0, m.charge_slice[r, p, t, s]))


def _add_interties(m, case, book, balance, slice_of, country_of) -> None:
    r"""Interties: ``flow_slice`` on links of timesliced commodities, ``link_build`` where a
    link can be expanded, and ``intertie_max``: :math:`flow^s \le h_s \, (capacity_l +
    \sum_{t' \le t} link\_build_{l,t'})` (unit/yr) where the link has a capacity or can grow."""
    top = m.model()
    links = case.tables["links"]
    links = links[links["commodity"].isin(case.timesliced)]
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    keys, capacity, loss, cost, expandable = [], {}, {}, {}, {}
    for a, b, e, transport, x, cap, expansion in links[
            ["from", "to", "commodity", "transport_cost", "loss", "capacity",
             "expansion_cost"]].itertuples(index=False):
        keys += [(a, b, e, t, s) for t in case.years for s in slice_of]
        loss[a, b, e], cost[a, b, e] = x, transport
        capacity[a, b, e] = None if pd.isna(cap) else cap
        if not pd.isna(expansion):
            expandable[a, b, e] = expansion
    variables(m, "flow_slice", keys)
    book.declare("flow_slice", ("from", "to", "commodity", "year", "slice"), "unit/yr")
    build_keys = [(*link, t) for link in expandable for t in case.years]
    if not hasattr(top, "link_build"):  # an investment: one for all disruption scenarios
        variables(top, "link_build", build_keys)
    book.declare("link_build", ("from", "to", "commodity", "year"), "unit/yr")
    for (a, b, e, t0) in build_keys:
        var = top.link_build[a, b, e, t0]
        annual = expandable[a, b, e] * crf(rate[country_of[b]], LINK_LIFETIME)
        for t in case.years:
            if t >= t0:
                book.cost("capital", country_of[b], t, annual, var)
    rows = Index([k for k in keys if capacity[k[:3]] is not None or k[:3] in expandable],
                 ("from", "to", "commodity", "year", "slice"))
    # h_s · (capacity + the link capacity built in the years up to t)
    # build_keys run link by link, year by year: a link's builds up to year t are a slice
    first = {link: j * len(case.years) for j, link in enumerate(expandable)}
    upto = {t: i + 1 for i, t in enumerate(case.years)}
    at: list[int] = []
    built: list[int] = []
    hours: list[float] = []
    for i, (a, b, e, t, s) in enumerate(rows):
        if (a, b, e) in first:
            at += [i] * upto[t]
            built += range(first[a, b, e], first[a, b, e] + upto[t])
            hours += [slice_of[s][0]] * upto[t]
    limit = terms(columns(top.link_build, build_keys)[np.array(built, dtype=np.int64)],
                  at=np.array(at, dtype=np.int64), index=rows, coefs=hours) + {
        key: slice_of[key[4]][0] * (capacity[key[:3]] or 0.0) for key in rows}
    constraints(m, "intertie_max", terms(m.flow_slice, index=rows) <= limit)
    book.declare("intertie_max", rows.dims, "M$/unit")
    for (a, b, e, t, s) in keys:
        var = m.flow_slice[a, b, e, t, s]
        balance[a, e, t, s].append((-1.0, var))
        balance[b, e, t, s].append((1.0 - loss[a, b, e], var))
        if cost[a, b, e]:
            book.cost("transport", country_of[b], t, cost[a, b, e], var)


def _add_demand(m, case, book, balance, rhs, slice_of, country_of) -> dict:
    demand = case.demand_by_year
    demand = demand[demand["commodity"].isin(case.timesliced)].groupby(
        ["region", "commodity", "year"])["quantity"].sum()
    demand = demand[demand > 0].to_dict()
    keys = [(r, e, t, s) for (r, e, t) in demand for s in slice_of]
    share = 1.0 if case.options.allow_unserved else 0.0  # [options] allow_unserved
    variables(m, "unserved_slice", keys, upper={
        (r, e, t, s): share * slice_of[s][1] * demand[r, e, t] for r, e, t, s in keys})
    book.declare("unserved_slice", ("region", "commodity", "year", "slice"), "unit/yr")
    penalty = case.options.unserved_penalty
    for (r, e, t, s) in keys:
        rhs[r, e, t, s] += slice_of[s][1] * demand[r, e, t]
        var = m.unserved_slice[r, e, t, s]
        balance[r, e, t, s].append((1.0, var))
        book.cost("unserved", country_of[r], t, penalty, var)
    return demand


def _add_reserve_margin(m, case, book, power, credit, per_capacity, ratios, demand, flat_use,
                        slice_of) -> None:
    r"""``reserve_margin_min[r, e, t]`` (module docstring): firm capacity
    :math:`\sum_p credit_p \, apc_p \, cap` less :math:`(1 + margin)` × the use of e by other
    processes ≥ :math:`(1 + margin)` × the peak rate of demand (unit/yr)."""
    top = m.model()
    margins = spans(case, "reserve_margins", ["region", "commodity"], "margin")
    rows = Index(sorted(margins), ("region", "commodity", "year"))
    firm = [((r, ratios[p][0][0], t), (r, p, t)) for (r, p, t) in top.book.cap_keys
            if p in power and credit[p] > 0 and (r, ratios[p][0][0], t) in rows.position]
    capacity = terms(top.cap, [key for _, key in firm], at=[row for row, _ in firm], index=rows,
                     coefs=[credit[p] * per_capacity[p] for _, (_, p, _) in firm])
    scale = {key: 1 + margins[key] for key in rows}

    def peak(r, e, t):
        return max(share * demand.get((r, e, t), 0.0) / weight
                   for weight, share in slice_of.values() if weight > 0)

    constraints(m, "reserve_margin_min", capacity - sums(flat_use, rows) * scale >= {
        (r, e, t): (1 + margins[r, e, t]) * peak(r, e, t) for r, e, t in rows})
    book.declare("reserve_margin_min", rows.dims, "M$/unit")
