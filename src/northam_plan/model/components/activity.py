r"""Activity of processes and the commodities they consume and produce.

Variables
    ``act[r, p, t]`` ≥ 0 — output of the main commodity of process p in region r, year t
    (unit/yr); declared only where capacity can exist.

Constraints
    ``activity_max[r, p, t]``:
    :math:`act_{r,p,t} \le avail_{r,p,t} \cdot apc_p \cdot cap_{r,p,t}` (unit/yr), with
    :math:`apc_p` the activity of one unit of capacity in a year (1, or e.g. 8.76 TWh per GW)
    and :math:`avail_{r,p,t}` the availability of availability.csv for the region, process
    and year (a plant ramping up), else the process's (processes.csv).

Balance terms
    the main output at ratio 1, by-products at :math:`+out_{p,c}`, inputs at :math:`-in_{p,c}`
    (unit of c per unit of activity).

Costs (annual, M$/yr, country of the region)
    ``variable_om``: :math:`vom_p \cdot \mu_{k(r),f(p)} \cdot act_{r,p,t}`, with
    :math:`vom_p` in M$/unit and :math:`\mu_{k,f}` the ``om_factor`` of cost_factors.csv for
    the region's country and the process's family (1 without a row).
"""

from __future__ import annotations

import numpy as np

from northam_plan.model.algebra import Index, columns, constraints, terms, variables

NAME = "activity"
REQUIRES = ("capacity",)


def process_ratios(case) -> dict[str, list[tuple[str, float]]]:
    """Per process, the (commodity, signed ratio) it produces (+) and consumes (−) per unit."""
    processes = case.tables["processes"]
    ratios = {p: [(c, 1.0)] for p, c in zip(processes["process"], processes["main_output"])}
    for p, c, side, ratio in case.tables["process_io"][
            ["process", "commodity", "side", "ratio"]].itertuples(index=False):
        if side == "output" and ratios[p][0][0] == c:
            continue  # the main output, listed at ratio 1
        ratios[p].append((c, ratio if side == "output" else -ratio))
    return ratios


def availability(case) -> dict[tuple[str, str, int], float]:
    r""":math:`avail_{r,p,t}` (share of capacity usable in the year) per (r, p, model year)
    given in availability.csv; a key not in it takes the process's availability."""
    return case.by_year("availability", ["region", "process"], "availability")


def local_var_om(case) -> dict[tuple[str, str], float]:
    r"""Variable O&M of process p in region r, :math:`vom_p \cdot \mu_{k(r),f(p)}` (M$/unit),
    per (r, p): processes.csv ``var_om`` × cost_factors.csv ``om_factor``."""
    processes = case.tables["processes"]
    factors = case.cost_factors
    return {(r, p): float(vom) * factors[k, f][1]
            for r, k in case.countries_of_regions.items()
            for p, f, vom in zip(processes["process"], processes["family"],
                                 processes["var_om"])}


def add(m, case, book) -> None:
    processes = case.tables["processes"].set_index("process")
    avail = processes["availability"].to_dict()
    per_capacity = processes["activity_per_capacity"].to_dict()
    country_of = case.countries_of_regions
    var_om = local_var_om(case)

    top = m.model()  # capacity is decided once, also when operations are per scenario
    keys = top.book.cap_keys
    rows = Index(keys, ("region", "process", "year"))
    variables(m, "act", keys)
    book.declare("act", rows.dims, "unit/yr", output="operation")
    acts = columns(m.act)  # in the order of keys

    # act ≤ f · cap with f = avail · apc
    given = availability(case)
    f = np.array([given.get((r, p, t), avail[p]) * per_capacity[p] for r, p, t in keys],
                 dtype=float)
    constraints(m, "activity_max", terms(acts, index=rows) <= terms(top.cap, index=rows,
                                                                    coefs=f))
    book.declare("activity_max", rows.dims, "M$/unit")

    # the energy component balances timesliced commodities per slice, the passport tracked ones
    ratios = {p: [(c, ratio) for c, ratio in pairs
                  if c not in case.timesliced and c not in case.tracked]
              for p, pairs in process_ratios(case).items()}
    made = [(i, r, c, t, ratio) for i, (r, p, t) in enumerate(keys) for c, ratio in ratios[p]]
    if made:
        at, regions, commodities, years, coefs = zip(*made)
        book.supply_many(regions, commodities, years, coefs, acts[np.array(at)])
    paid = [i for i, (r, p, _) in enumerate(keys) if var_om[r, p]]
    book.cost_many("variable_om", [country_of[keys[i][0]] for i in paid],
                   [keys[i][2] for i in paid], [var_om[keys[i][:2]] for i in paid],
                   acts[np.array(paid, dtype=np.int64)])
