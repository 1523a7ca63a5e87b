r"""Supply security: sourcing floors, supplier caps and export disruptions.

For a bloc B (blocs.csv), commodity c and year t, with :math:`P_{B,c,t}` the bloc's production
of c (process outputs in its regions), :math:`U_{B,c,t}` its use (final demand + process
inputs), :math:`X_{B,c,t}` what it ships out of the bloc and :math:`M_{k,B,c,t}` what reaches it
from outside country k (shipped × (1 − loss)), all in unit/yr:

``regional_share_min[B, c, t]`` (regional_shares.csv):
    :math:`P - X \ge share \cdot U` — the bloc's own output, net of what leaves it, covers at
    least a share of its use. Dual ≥ 0: the cost of security, M$ (present value) per unit.
    Output of recycling processes is in :math:`P` only where recycled_content.csv credits it
    (recycling component).

``supplier_share_max[B, c, k, t]`` (supplier_caps.csv), for every outside country k with a link
into the bloc: :math:`M_{k} \le cap \cdot U`.

``export_max[e, c, t]`` (disruptions.csv): what exporter e (a country or a region) ships of c
to regions outside it is at most ``limit`` (0 = ban). Rows naming a scenario apply only in
that scenario of a stochastic case.

Without origin tracking, imports are attributed to the shipping country; the product passport
(a later component) attributes them to where goods were mined and processed.
"""

from __future__ import annotations

from collections import defaultdict

from northam_plan.model.algebra import Index, constraints, sums
from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.recycling import uncounted

NAME = "security"
REQUIRES = ("activity", "trade", "demand")


def spans(case, table: str, key: list[str], value: str) -> dict[tuple, float]:
    """Value per (*key, model year) from a table with start_year / end_year columns."""
    return case.by_year(table, key, value)


def bloc_members(case) -> dict[str, tuple[str, ...]]:
    """bloc → its member countries, sorted (a bloc no row names has none). Sorted, not a set:
    sums over the members (a bloc's demand) must not depend on the process's string hashing,
    or the LP would differ between runs in its last bits."""
    members: dict[str, set[str]] = defaultdict(set)
    for bloc, k in case.tables["blocs"][["bloc", "country"]].itertuples(index=False):
        members[bloc].add(k)
    return defaultdict(tuple, {bloc: tuple(sorted(ks)) for bloc, ks in members.items()})


def add(m, case, book) -> None:
    scenario = getattr(m, "scenario_name", "")  # set on each scenario's block
    country_of = case.countries_of_regions
    members = bloc_members(case)
    floors = spans(case, "regional_shares", ["bloc", "commodity"], "share")
    caps = spans(case, "supplier_caps", ["bloc", "commodity"], "cap")
    wanted = {(b, c) for b, c, _ in (*floors, *caps)}

    produced: defaultdict[tuple, list] = defaultdict(list)
    used: defaultdict[tuple, list] = defaultdict(list)
    if wanted:
        ratios = process_ratios(case)
        blocs_of = {k: [b for b, ks in members.items() if k in ks]
                    for k in set(country_of.values())}
        recycling, counted = uncounted(case)  # recycled output counts only where credited
        for (r, p, t) in m.model().book.cap_keys:
            for b in blocs_of[country_of[r]]:
                for c, ratio in ratios[p]:
                    if (b, c) in wanted and not (ratio > 0 and p in recycling
                                                 and (b, c, t) not in counted):
                        (produced if ratio > 0 else used)[b, c, t].append((abs(ratio),
                                                                           m.act[r, p, t]))
    demand = case.demand_by_year
    demand = demand.assign(country=demand["region"].map(country_of)).groupby(
        ["country", "commodity", "year"])["quantity"].sum().to_dict()
    loss = {(a, b, c): x for a, b, c, x in case.tables["links"][
        ["from", "to", "commodity", "loss"]].itertuples(index=False)}

    exports, imports = defaultdict(list), defaultdict(list)
    for (a, b, c, t) in m.flow:
        ka, kb = country_of[a], country_of[b]
        for bloc, ks in members.items():
            if (bloc, c) not in wanted or (ka in ks) == (kb in ks):
                continue
            if ka in ks:
                exports[bloc, c, t].append((1.0, m.flow[a, b, c, t]))
            else:
                imports[bloc, c, ka, t].append((1.0 - loss[a, b, c], m.flow[a, b, c, t]))

    def bloc_demand(bloc, c, t):
        return sum(demand.get((k, c, t), 0.0) for k in members[bloc])

    # P − X − share · U_process ≥ share · D
    rows = Index(sorted(floors), ("bloc", "commodity", "year"))
    share = {key: floors[key] for key in rows}
    constraints(m, "regional_share_min",
                sums(produced, rows) - sums(exports, rows) - sums(used, rows) * share
                >= {(b, c, t): floors[b, c, t] * bloc_demand(b, c, t) for b, c, t in rows})
    book.declare("regional_share_min", rows.dims, "M$/unit", output="limit")

    # M_k − cap · U_process ≤ cap · D
    rows = Index(sorted((b, c, k, t) for (b, c, k, t) in imports if (b, c, t) in caps),
                 ("bloc", "commodity", "supplier", "year"))
    cap = {(b, c, k, t): caps[b, c, t] for b, c, k, t in rows}
    bloc_use = {(b, c, k, t): used[b, c, t] for b, c, k, t in rows}
    constraints(m, "supplier_share_max",
                sums(imports, rows) - sums(bloc_use, rows) * cap
                <= {(b, c, k, t): caps[b, c, t] * bloc_demand(b, c, t) for b, c, k, t in rows})
    book.declare("supplier_share_max", rows.dims, "M$/unit", output="limit")

    _add_disruptions(m, case, book, scenario, country_of)


def _add_disruptions(m, case, book, scenario, country_of) -> None:
    limits: dict[tuple, float] = {}
    for (e, c, s, t), limit in spans(case, "disruptions", ["exporter", "commodity", "scenario"],
                                     "limit").items():
        if s in ("", scenario):
            limits[e, c, t] = min(limit, limits.get((e, c, t), limit))
    regions_of = defaultdict(set)
    for r, k in country_of.items():
        regions_of[k].add(r)
        regions_of[r].add(r)
    outflow = defaultdict(list)
    wanted = {(e, c) for e, c, _ in limits}
    for (a, b, c, t) in m.flow:
        # a set: a region whose code is also its country's (CN in CN) is counted once
        for e in {country_of[a], a}:
            if (e, c) in wanted and b not in regions_of[e]:
                outflow[e, c, t].append((1.0, m.flow[a, b, c, t]))
    rows = Index(sorted(key for key in limits if outflow[key]), ("exporter", "commodity", "year"))
    constraints(m, "export_max", sums(outflow, rows) <= limits)
    book.declare("export_max", rows.dims, "M$/unit", output="limit")
