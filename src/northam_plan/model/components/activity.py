r"""Activity of processes and the commodities they consume and produce.

Variables
    ``act[r, p, t]`` ≥ 0 — output of the main commodity of process p in region r, year t
    (unit/yr); declared only where capacity can exist.

Constraints
    ``activity_max[r, p, t]``:
    :math:`act_{r,p,t} \le avail_p \cdot apc_p \cdot cap_{r,p,t}` (unit/yr), with
    :math:`apc_p` the activity of one unit of capacity in a year (1, or e.g. 8.76 TWh per GW).

Balance terms
    the main output at ratio 1, by-products at :math:`+out_{p,c}`, inputs at :math:`-in_{p,c}`
    (unit of c per unit of activity).

Costs (annual, M$/yr, country of the region)
    ``variable_om``: :math:`vom_p \cdot act_{r,p,t}`.
"""

from __future__ import annotations

from northam_plan.model.algebra import constraints, variables

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


def add(m, case, book) -> None:
    processes = case.tables["processes"].set_index("process")
    avail = processes["availability"].to_dict()
    per_capacity = processes["activity_per_capacity"].to_dict()
    var_om = processes["var_om"].to_dict()
    country_of = case.countries_of_regions

    top = m.model()  # capacity is decided once, also when operations are per scenario
    variables(m, "act", top.cap_keys)
    book.declare("act", ("region", "process", "year"), "unit/yr")
    constraints(m, "activity_max", top.cap_keys, rule=lambda b, r, p, t: b.act[r, p, t]
        <= avail[p] * per_capacity[p] * top.cap[r, p, t])
    book.declare("activity_max", ("region", "process", "year"), "M$/unit")

    ratios = process_ratios(case)
    for (r, p, t) in top.cap_keys:
        var = m.act[r, p, t]
        for c, ratio in ratios[p]:
            # the energy component balances timesliced ones per slice, the passport tracked
            if c not in case.timesliced and c not in case.tracked:
                book.supply(r, c, t, ratio, var)
        if var_om[p]:
            book.cost("variable_om", country_of[r], t, var_om[p], var)
