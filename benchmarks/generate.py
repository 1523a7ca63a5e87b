"""Synthetic northam-plan cases of any size, for benchmarks.

``generate_case(folder, regions=R, commodities=C, years=T, seed=0)`` writes ``folder/case.toml``
and ``folder/tables/*.csv`` and returns the path of the TOML file. The case is synthetic but
shaped like the real problem, and it uses every model component:

* **regions** spread over the USMCA countries (US, CA, MX) and a few outside suppliers (CN, AU,
  CL, ROW), each with a position on a map; a few regions may not build new capacity;
* **commodities** in supply chains ``mineral → refined material → component`` (plus electricity
  and CO2 when C ≥ 4), one **process** per commodity (mine, refinery, manufacturing, gas
  power) — each link of a chain consumes the one before it, refineries and mines also use
  electricity — plus a recycling process on every third chain, a by-product on every fourth
  refinery and solar power;
* **capacity**: existing capacity in some regions in two vintages (one retires inside the
  horizon), lifetimes, ``max_build`` limits;
* **permitting**: construction years per process (with country overrides), a ``standard``
  regime per country for mines, refineries and power plants and a costlier ``fast_track`` one
  in the USMCA countries, agency throughput limits that rise after a reform year, and a
  pipeline of named projects at every stage (other families get the default regime);
* **reserves** of every mineral in the regions that mine it and in a few more, where new mines
  may open;
* **links** between neighbouring regions only (each North American region to its 3 nearest
  neighbours, both ways, so ~4 links per region and traded commodity; outside suppliers to 3
  North American regions), with transport cost growing with distance, losses, and a capacity on
  about a third of them; electricity only on interties inside North America;
* **tariffs** between some countries (on Chinese goods, a temporary USMCA dispute, and a small
  one on the rest of the world);
* **demand** for the components of every chain and for electricity in North American regions,
  by sector, growing over the horizon (given at three years, interpolated in between);
* **supply security**: blocs (USMCA, and an FTA bloc with AU and CL), USMCA sourcing floors on
  every other intermediate good that tighten over time, caps on the share of any one outside
  supplier for every material, a three-year Chinese export ban on a third of the materials and
  an export limit of an outside region on a third of the minerals, and strategic stockpiles in
  about a tenth of the places with demand for goods;
* **energy** (C ≥ 4): electricity balanced in four time slices (day/night × winter/summer),
  solar with capacity factors per slice (higher in Mexico), expandable interties, a reserve
  margin in the regions that may build power, from the first year new plants can be online;
* **emissions**: CO2 from gas power and refineries, priced from year 5, capped for USMCA from
  year 10;
* **product passport** (only with ``tracked`` > 0): the goods of the first ``tracked`` chains
  carry origin tags, with a rule of origin on the final good and a forced-labour exclusion of
  one outside region. Tags grow with the square of the regions: one tracked chain makes the
  small case ~13 times larger.

The tables follow the schema of the installed package
(:data:`northam_plan.case.schema.TABLES`): on a schema without permitting (``lead_time`` per
process and ``lead_times.csv``) the same lead times are written in that form instead.

Demand not met is priced (``unserved_penalty``) and every cost is non-negative, so the LP is
always bounded; every hard limit (floors, caps, bans, stock covers, reserve margins, emission
caps, content rules) can be met whatever else happens, so it is always feasible. The same arguments and seed always give the same files.

With ``core=True`` (``--core``) only :data:`CORE_TABLES` are written: no security, stockpiles,
time slices, emissions or passport, and electricity is balanced per year like any commodity.
The tables kept are the same as those of the full case with the same arguments (the energy
component's additions aside). benchmarks/linopy_model.py writes the LP of such a case in linopy.

Command line::

    python benchmarks/generate.py OUT_DIR --regions 10 --commodities 6 --years 26 [--tracked 1]
    python benchmarks/generate.py OUT_DIR --regions 32 --commodities 26 --core
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

START_YEAR = 2025
NA_COUNTRIES = ("US", "CA", "MX")
OUTSIDE_COUNTRIES = ("CN", "AU", "CL", "ROW")
COUNTRIES = {  # name, cost of capital, (x, y) centre and spread of its regions on the map
    "US": ("United States", 0.06, (0.0, 0.0), (10.0, 3.0)),
    "CA": ("Canada", 0.06, (0.0, 8.0), (10.0, 2.0)),
    "MX": ("Mexico", 0.09, (-2.0, -7.5), (4.0, 2.0)),
    "CN": ("China", 0.07, (45.0, 5.0), (4.0, 4.0)),
    "AU": ("Australia", 0.07, (40.0, -30.0), (4.0, 3.0)),
    "CL": ("Chile", 0.08, (-5.0, -35.0), (2.0, 5.0)),
    "ROW": ("Rest of world", 0.10, (30.0, 25.0), (8.0, 5.0)),
}
SECTORS = ("automotive", "grid", "defense", "electronics")
FAMILY_OF_KIND = {"mineral": "mine", "material": "refinery", "component": "manufacturing",
                  "energy": "power"}
# availability, lifetime (yr), construction years, capex (M$ per unit/yr) range, var_om range
PROCESS_DEFAULTS = {
    "mine": (0.90, 25, 3, (2.0, 8.0), (0.2, 0.8)),
    "refinery": (0.85, 25, 2, (8.0, 30.0), (1.0, 4.0)),
    "manufacturing": (0.90, 20, 2, (15.0, 60.0), (3.0, 10.0)),
    "power": (0.50, 30, 2, (300.0, 900.0), (10.0, 40.0)),
    "recycling": (0.80, 15, 1, (10.0, 40.0), (4.0, 12.0)),
}
# permitting years of the standard regime by family and country (families not listed: none)
PERMITTING = {
    "mine": {"US": 7, "CA": 8, "MX": 4, "CN": 1, "AU": 3, "CL": 3, "ROW": 2},
    "refinery": {"US": 3, "CA": 3, "MX": 2, "CN": 1, "AU": 2, "CL": 2, "ROW": 1},
    "power": {"US": 2, "CA": 2, "MX": 1, "CN": 1, "AU": 1, "CL": 1, "ROW": 1},
}
CONSTRUCTION_EXTRA = {"CA": 1, "CN": -1}  # construction years added in these countries
PROJECT_SHARE = 0.05  # a typical project adds this share of the chain's scale of its good
NEIGHBOURS = 3  # nearest North American regions each region links to (both ways)
PORTS = 3  # North American regions each outside region links to (both ways)
#: The tables of a ``core`` case: those of the components permitting, capacity, activity,
#: trade, reserves and demand, which make ~90 % of a full case's variables. Without the others
#: (security, stockpiles, energy in time slices, emissions, passport), electricity is balanced
#: per year like any other commodity. benchmarks/linopy_model.py writes the same LP in linopy.
CORE_TABLES = ("countries", "regions", "commodities", "processes", "process_io", "regimes",
               "throughput", "construction_times", "projects", "existing_capacity", "reserves",
               "links", "tariffs", "demand")


def split_regions(regions: int) -> list[str]:
    """Country of each region: ~15 % outside suppliers, the rest US > CA ≈ MX."""
    if regions < 2:
        raise ValueError("at least 2 regions are needed (one North American, one outside)")
    outside = max(1, round(0.15 * regions))
    na = regions - outside
    shares = {"US": 0.5, "CA": 0.25, "MX": 0.25}
    counts = {k: max(1 if i == 0 or na >= 3 else 0, int(na * s)) for i, (k, s) in
              enumerate(shares.items())}
    counts["US"] += na - sum(counts.values())
    countries = [k for k in NA_COUNTRIES for _ in range(counts[k])]
    countries += [OUTSIDE_COUNTRIES[i % len(OUTSIDE_COUNTRIES)] for i in range(outside)]
    return countries


def chains_of(goods: int) -> list[list[str]]:
    """Kinds along each chain: as many full mineral → material → component chains as fit."""
    chains = []
    while goods > 0:
        length = min(3, goods)
        chains.append(["mineral", "material", "component"][:length])
        goods -= length
    return chains


def generate_tables(regions: int = 10, commodities: int = 6, years: int = 26, seed: int = 0,
                    tracked: int = 0, core: bool = False) -> dict[str, pd.DataFrame]:
    """The case tables as DataFrames (see the module docstring for what they hold).

    ``tracked``: number of chains whose goods carry a product passport (origin tags).
    ``core``: only the tables of the core components (see :data:`CORE_TABLES`); the other
    tables are the same as without it.
    """
    if core and tracked:
        raise ValueError("a core case has no product passport: tracked must be 0")
    if commodities < 1:
        raise ValueError("at least 1 commodity is needed")
    if years < 1:
        raise ValueError("at least 1 year is needed")
    rng = np.random.default_rng(seed)
    end_year = START_YEAR + years - 1

    # --- countries and regions ----------------------------------------------------------
    countries = pd.DataFrame(
        [{"country": k, "name": name, "cost_of_capital": coc,
          "source": "estimate: synthetic benchmark"}
         for k, (name, coc, _, _) in COUNTRIES.items()])
    country_of_region = split_regions(regions)
    numbers: dict[str, int] = {}
    names, xy = [], []
    for k in country_of_region:
        numbers[k] = numbers.get(k, 0) + 1
        names.append(f"{k}-{numbers[k]:02d}")
        (cx, cy), (sx, sy) = COUNTRIES[k][2], COUNTRIES[k][3]
        xy.append((cx + rng.uniform(-sx, sx), cy + rng.uniform(-sy, sy)))
    xy = np.array(xy)
    is_na = np.array([k in NA_COUNTRIES for k in country_of_region])
    can_build = rng.random(regions) > 0.1
    regions_df = pd.DataFrame({"region": names, "country": country_of_region,
                               "name": [f"synthetic region {n}" for n in names],
                               "can_build": can_build})

    # --- commodities and processes ------------------------------------------------------
    with_elec = commodities >= 4
    goods = commodities - 1 if with_elec else commodities
    commodity_rows, process_rows, io_rows = [], [], []
    # scale[c]: a typical total quantity of c used per year (sizes capacities and limits)
    scale: dict[str, float] = {}
    chain_of: dict[str, list[str]] = {}
    elec_use = 0.0
    chains = chains_of(goods)
    chains_codes: list[list[str]] = []  # the commodity codes along each chain
    width = len(str(len(chains)))
    for i, kinds in enumerate(chains):
        final_demand = rng.uniform(20.0, 200.0)  # kt/yr of the chain's last good, all regions
        codes = {kind: f"{kind[:3]}{i + 1:0{width}d}" for kind in kinds}
        chain = [codes[kind] for kind in kinds]
        chains_codes.append(chain)
        ratios = {"material": rng.uniform(2.0, 5.0),  # mineral per unit of material
                  "component": rng.uniform(0.2, 1.0)}  # material per unit of component
        quantity = final_demand
        for kind in reversed(kinds):  # from the final good upstream
            scale[codes[kind]] = quantity
            if kind in ratios:
                quantity *= ratios[kind]
        for j, kind in enumerate(kinds):
            c = codes[kind]
            chain_of[c] = chain
            price = {"mineral": rng.uniform(0.5, 3.0), "material": rng.uniform(8.0, 30.0),
                     "component": rng.uniform(30.0, 100.0)}[kind]
            commodity_rows.append({"commodity": c, "kind": kind, "unit": "kt",
                                   "reference_price": round(price, 3),
                                   "name": f"synthetic {kind} of chain {i + 1}"})
            family = FAMILY_OF_KIND[kind]
            process_rows.append(_process(rng, f"{family}_{c}", family, c, scale[c]))
            if j > 0:
                io_rows.append({"process": f"{family}_{c}", "commodity": chain[j - 1],
                                "side": "input", "ratio": round(ratios[kind], 4)})
            if with_elec and kind in ("mineral", "material"):
                per_unit = rng.uniform(0.001, 0.004) if kind == "mineral" else \
                    rng.uniform(0.005, 0.02)  # TWh per kt
                io_rows.append({"process": f"{family}_{c}", "commodity": "elec",
                                "side": "input", "ratio": round(per_unit, 5)})
                elec_use += per_unit * scale[c]
        if "material" in codes and i % 3 == 0:  # recycling of the refined material
            c = codes["material"]
            process_rows.append(_process(rng, f"recycling_{c}", "recycling", c, 0.1 * scale[c]))
            if with_elec:
                io_rows.append({"process": f"recycling_{c}", "commodity": "elec",
                                "side": "input", "ratio": round(rng.uniform(0.01, 0.03), 5)})
    # by-products: every fourth refinery also yields some mineral of the next chain
    minerals = [row["commodity"] for row in commodity_rows if row["kind"] == "mineral"]
    materials = [row["commodity"] for row in commodity_rows if row["kind"] == "material"]
    for n, c in enumerate(materials):
        if n % 4 == 1 and len(minerals) > 1:
            other = minerals[(minerals.index(chain_of[c][0]) + 1) % len(minerals)]
            io_rows.append({"process": f"refinery_{c}", "commodity": other, "side": "output",
                            "ratio": round(rng.uniform(0.02, 0.1), 4)})
    elec_demand_na = 0.0
    if with_elec:
        elec_demand_na = rng.uniform(200.0, 600.0)  # TWh/yr over North American regions
        scale["elec"] = elec_demand_na + elec_use
        commodity_rows.append({"commodity": "elec", "kind": "energy", "unit": "TWh",
                               "reference_price": 50.0, "name": "electricity"})
        process_rows.append(_process(rng, "power_elec", "power", "elec", scale["elec"]))
    commodities_df = pd.DataFrame(commodity_rows)
    processes_df = pd.DataFrame(process_rows)
    for frame in (commodities_df, processes_df):
        frame["source"] = "estimate: synthetic benchmark"
    io_df = pd.DataFrame(io_rows, columns=["process", "commodity", "side", "ratio"])
    main_output = dict(zip(processes_df["process"], processes_df["main_output"]))
    family_of = dict(zip(processes_df["process"], processes_df["family"]))

    permitting = _permitting_tables(rng, processes_df, scale, is_na, names, START_YEAR,
                                    end_year)

    # --- existing capacity, in two vintages -----------------------------------------------
    existing_rows = []
    mine_regions: dict[str, set[int]] = {}
    for p in processes_df["process"]:
        c, family = main_output[p], family_of[p]
        if family == "power":
            holders = np.arange(regions)  # every region has some power
        else:
            share = 0.3 if family != "recycling" else 0.15
            holders = np.flatnonzero(rng.random(regions) < share)
            outside = np.flatnonzero(~is_na)
            if family in ("mine", "refinery") and len(outside):  # outside suppliers dominate
                holders = np.union1d(holders, rng.choice(outside, size=1))
            if len(holders) == 0:
                holders = rng.choice(regions, size=1)
        if family == "mine":
            mine_regions[c] = set(holders.tolist())
        total = scale[c] * rng.uniform(0.5, 0.9)
        weights = rng.uniform(0.5, 1.5, size=len(holders))
        if family in ("mine", "refinery"):
            weights = weights * np.where(is_na[holders], 1.0, 3.0)
        weights /= weights.sum()
        for r, w in zip(holders, weights):
            capacity = total * w / PROCESS_DEFAULTS[family][0]
            retire = int(rng.integers(START_YEAR + 1, START_YEAR + max(2, years)))
            old = rng.uniform(0.2, 0.6)
            existing_rows.append({"region": names[r], "process": p, "name": "old units",
                                  "capacity": round(capacity * old, 4),
                                  "retirement_year": retire})
            existing_rows.append({"region": names[r], "process": p, "name": "recent units",
                                  "capacity": round(capacity * (1 - old), 4),
                                  "retirement_year": None})
    existing_df = pd.DataFrame(existing_rows, columns=["region", "process", "name", "capacity",
                                                       "retirement_year"])
    existing_df["retirement_year"] = existing_df["retirement_year"].astype("Int64")

    # --- reserves: where mines are, and a few more places --------------------------------
    reserve_rows = []
    for c in minerals:
        extra = set(np.flatnonzero(rng.random(regions) < 0.2).tolist())
        for r in sorted(mine_regions.get(c, set()) | extra):
            amount = scale[c] * years * rng.uniform(0.02, 0.3) * (1.0 if is_na[r] else 3.0)
            reserve_rows.append({"region": names[r], "commodity": c,
                                 "reserves": round(amount, 3)})
    reserves_df = pd.DataFrame(reserve_rows, columns=["region", "commodity", "reserves"])

    # --- links between neighbours ---------------------------------------------------------
    edges = _neighbour_edges(rng, xy, is_na)
    goods_codes = [row["commodity"] for row in commodity_rows if row["kind"] != "energy"]
    price_of = {row["commodity"]: row["reference_price"] for row in commodity_rows}
    link_rows = []
    for a, b in edges:
        distance = float(np.hypot(*(xy[a] - xy[b])))
        for c in goods_codes:
            capacity = None
            if rng.random() < 0.3:
                capacity = round(scale[c] * rng.uniform(0.05, 0.3), 4)
            link_rows.append({"from": names[a], "to": names[b], "commodity": c,
                              "transport_cost": round(
                                  0.002 * distance * price_of[c] ** 0.5 + 0.01, 5),
                              "loss": round(min(0.05, 0.0005 * distance), 5),
                              "capacity": capacity})
        if with_elec and is_na[a] and is_na[b]:
            link_rows.append({"from": names[a], "to": names[b], "commodity": "elec",
                              "transport_cost": round(0.5 + 0.05 * distance, 4),
                              "loss": round(min(0.1, 0.01 + 0.002 * distance), 5),
                              "capacity": round(scale["elec"] * rng.uniform(0.01, 0.05), 3)})
    links_df = pd.DataFrame(link_rows, columns=["from", "to", "commodity", "transport_cost",
                                                "loss", "capacity"])

    # --- tariffs ----------------------------------------------------------------------------
    tariff_rows = []
    dispute_end = min(end_year, START_YEAR + 2)
    rules = [  # from, to, rate, first year, last year
        ("CN", "US", 0.25, None, None), ("CN", "CA", 0.10, None, None),
        ("CN", "MX", 0.10, None, None), ("ROW", "US", 0.05, None, None),
        ("CA", "US", 0.25, START_YEAR, dispute_end), ("MX", "US", 0.25, START_YEAR, dispute_end),
        ("US", "CA", 0.25, START_YEAR, dispute_end),
    ]
    if dispute_end < end_year:  # the dispute settles at a lower rate on Canadian goods
        rules.append(("CA", "US", 0.10, dispute_end + 1, None))
    kind_of = dict(zip(commodities_df["commodity"], commodities_df["kind"]))
    for k_from, k_to, rate, first, last in rules:
        for c in goods_codes:
            if kind_of[c] == "mineral" and k_from in NA_COUNTRIES:
                continue  # USMCA minerals exempt from the dispute tariffs
            tariff_rows.append({"from": k_from, "to": k_to, "commodity": c,
                                "start_year": first, "end_year": last,
                                "rate": round(rate * rng.uniform(0.6, 1.4), 4)})
    tariffs_df = pd.DataFrame(tariff_rows, columns=["from", "to", "commodity", "start_year",
                                                    "end_year", "rate"])
    for column in ("start_year", "end_year"):
        tariffs_df[column] = tariffs_df[column].astype("Int64")

    # --- demand, growing ---------------------------------------------------------------------
    demand_rows = []
    na_regions = np.flatnonzero(is_na)
    mid_year = START_YEAR + (years - 1) // 2
    demand_years = sorted({START_YEAR, mid_year, end_year})
    finals = [c for c in goods_codes if chain_of[c][-1] == c]
    for c in finals + (["elec"] if with_elec else []):
        users = na_regions[rng.random(len(na_regions)) < (1.0 if c == "elec" else 0.7)]
        if len(users) == 0:
            users = rng.choice(na_regions, size=1)
        total = elec_demand_na if c == "elec" else scale[c] * 0.8
        shares = rng.uniform(0.3, 1.5, size=len(users))
        shares /= shares.sum()
        for r, share in zip(users, shares):
            sectors = ["grid"] if c == "elec" else \
                list(rng.choice(SECTORS, size=int(rng.integers(1, 3)), replace=False))
            for sector in sectors:
                base = total * share / len(sectors)
                growth = rng.uniform(0.01, 0.03) if c == "elec" else rng.uniform(0.02, 0.08)
                for t in demand_years:
                    demand_rows.append({"region": names[r], "commodity": c, "sector": sector,
                                        "year": t, "quantity": round(
                                            base * (1 + growth) ** (t - START_YEAR), 4)})
    demand_df = pd.DataFrame(demand_rows, columns=["region", "commodity", "sector", "year",
                                                   "quantity"])

    tables = {"countries": countries, "regions": regions_df, "commodities": commodities_df,
              "processes": processes_df, "process_io": io_df, **permitting,
              "existing_capacity": existing_df, "reserves": reserves_df, "links": links_df,
              "tariffs": tariffs_df, "demand": demand_df,
              **_security_tables(rng, commodities_df, chain_of, scale, demand_df, is_na, names,
                                 START_YEAR, end_year)}
    if core:  # the security tables were drawn last from rng: the others stay as they were
        return {name: frame for name, frame in tables.items() if name in CORE_TABLES}
    # later additions draw from their own streams, so that the tables above stay as they were
    if with_elec:
        _add_energy(np.random.default_rng([seed, 1]), tables, scale, is_na, names,
                    START_YEAR, end_year)
    if tracked:
        _add_passport(tables, chains_codes[:tracked], names, is_na, START_YEAR, end_year)
    return tables


def _security_tables(rng, commodities: pd.DataFrame, chain_of: dict[str, list[str]],
                     scale: dict[str, float], demand: pd.DataFrame, is_na: np.ndarray,
                     names: list[str], start: int, end: int
                     ) -> dict[str, pd.DataFrame]:
    """blocs, regional_shares, supplier_caps, disruptions and stockpiles.

    Every one of them can be met by the LP whatever else happens, so the case stays feasible:
    sourcing floors only on goods without final demand (their use is process inputs only, so
    producing nothing meets the floor), caps and export limits only bound flows from above, and
    stockpiles start full enough for their cover at the highest demand.
    """
    blocs = [{"bloc": "USMCA", "country": k} for k in NA_COUNTRIES]
    blocs += [{"bloc": "FTA", "country": k} for k in (*NA_COUNTRIES, "AU", "CL")]
    kind_of = dict(zip(commodities["commodity"], commodities["kind"]))
    goods = [c for c in commodities["commodity"] if kind_of[c] != "energy"]
    intermediate = [c for c in goods if chain_of[c][-1] != c]
    materials = [c for c in goods if kind_of[c] == "material"]

    def spans(*pairs):  # [(first year, value)] → rows with start_year/end_year in the horizon
        pairs = [(y, v) for y, v in pairs if y <= end]
        return [(y, (pairs[i + 1][0] - 1) if i + 1 < len(pairs) else None, v)
                for i, (y, v) in enumerate(pairs)]

    shares, caps, disruptions = [], [], []
    for n, c in enumerate(intermediate):
        if n % 2 == 0:  # a floor that tightens: 20 % from year 5, 40 % from year 10
            for first, last, share in spans((start + 5, 0.2), (start + 10, 0.4)):
                shares.append({"bloc": "USMCA", "commodity": c, "start_year": first,
                               "end_year": last, "share": share})
    for n, c in enumerate(materials):
        for first, last, cap in spans((start + 3, round(rng.uniform(0.3, 0.6), 3))):
            caps.append({"bloc": "FTA" if n % 3 == 0 else "USMCA", "commodity": c,
                         "start_year": first, "end_year": last, "cap": cap})
        if n % 3 == 1 and start + 5 <= end:  # a three-year Chinese export ban
            disruptions.append({"exporter": "CN", "commodity": c, "start_year": start + 5,
                                "end_year": min(end, start + 7), "limit": 0.0})
    outside = [names[r] for r in np.flatnonzero(~is_na)]
    minerals = [c for c in goods if kind_of[c] == "mineral"]
    for n, c in enumerate(minerals[::3]):  # one outside region limits its exports
        disruptions.append({"exporter": outside[n % len(outside)], "commodity": c,
                            "start_year": min(end, start + 10), "end_year": None,
                            "limit": round(0.05 * scale[c], 4)})

    stockpiles = []
    goods = demand[demand["commodity"].map(kind_of) != "energy"]
    peak = goods.groupby(["region", "commodity", "year"])["quantity"].sum() \
        .groupby(["region", "commodity"]).max()
    for n, ((r, c), top) in enumerate(peak.items()):
        if rng.random() < 0.1 or (n == len(peak) - 1 and not stockpiles):
            days = float(rng.choice([30, 60, 90]))
            cover = days / 365.0 * top
            stockpiles.append({"region": r, "commodity": c,
                               "initial_stock": round(1.1 * cover, 4),
                               "capacity": round(3.0 * cover, 4), "max_fill": None,
                               "max_draw": round(1.5 * cover, 4),
                               "holding_cost": round(0.02 * rng.uniform(5.0, 50.0), 4),
                               "min_cover_days": days})
    year_columns = {"start_year": "Int64", "end_year": "Int64"}
    return {
        "blocs": pd.DataFrame(blocs, columns=["bloc", "country"]),
        "regional_shares": pd.DataFrame(shares, columns=[
            "bloc", "commodity", "start_year", "end_year", "share"]).astype(year_columns),
        "supplier_caps": pd.DataFrame(caps, columns=[
            "bloc", "commodity", "start_year", "end_year", "cap"]).astype(year_columns),
        "disruptions": pd.DataFrame(disruptions, columns=[
            "exporter", "commodity", "start_year", "end_year", "limit"]).astype(year_columns),
        "stockpiles": pd.DataFrame(stockpiles, columns=[
            "region", "commodity", "initial_stock", "capacity", "max_fill", "max_draw",
            "holding_cost", "min_cover_days"]),
    }


def _process(rng, code: str, family: str, output: str, scale: float) -> dict:
    availability, lifetime, construction, capex, var_om = PROCESS_DEFAULTS[family]
    price_scale = 0.05 if family == "power" else 1.0  # power: M$ per TWh, not per kt
    limit = {"mine": 0.15, "refinery": 0.15, "manufacturing": 0.2, "recycling": 0.02}.get(family)
    return {"process": code, "family": family, "main_output": output,
            "availability": availability,
            "capex": round(rng.uniform(*capex), 3),
            "fixed_om": round(0.03 * rng.uniform(*capex), 4),
            "var_om": round(rng.uniform(*var_om) * price_scale, 4),
            "lifetime": int(lifetime + rng.integers(-3, 4)),
            "construction_years": construction,
            # workload of one typical project, so that throughput counts projects per year
            "permit_weight": round(1.0 / (PROJECT_SHARE * scale), 6)
            if family in ("mine", "refinery") else 0.0,
            "max_build": None if limit is None else round(limit * scale, 4)}


def _permitting_tables(rng, processes: pd.DataFrame, scale: dict[str, float],
                       is_na: np.ndarray, names: list[str], start: int, end: int
                       ) -> dict[str, pd.DataFrame]:
    """regimes, throughput, construction_times and projects."""
    family_of = dict(zip(processes["process"], processes["family"]))
    output_of = dict(zip(processes["process"], processes["main_output"]))
    regimes, throughput, construction, projects = [], [], [], []
    for family, by_country in PERMITTING.items():
        for k, years in by_country.items():
            regimes.append({"country": k, "family": family, "regime": "standard",
                            "permitting_years": years, "premium": 0.0})
            if k in NA_COUNTRIES and family != "power":
                regimes.append({"country": k, "family": family, "regime": "fast_track",
                                "permitting_years": max(1, years // 3),
                                "premium": round(rng.uniform(0.5, 3.0), 3)})
    for p, family in family_of.items():
        for k, extra in CONSTRUCTION_EXTRA.items():
            if family in ("mine", "refinery"):
                construction.append({"process": p, "country": k, "construction_years": max(
                    0, PROCESS_DEFAULTS[family][2] + extra)})
    # agency throughput, in typical projects per year, higher after a reform year
    permitted = [p for p, f in family_of.items() if f in ("mine", "refinery")]
    reform = start + 5
    for k in NA_COUNTRIES:
        base = max(0.5, 0.3 * len(permitted) * rng.uniform(0.5, 1.0))
        if reform < end:
            throughput.append({"country": k, "regime": "standard", "start_year": None,
                               "end_year": reform, "limit": round(base, 3)})
            throughput.append({"country": k, "regime": "standard", "start_year": reform + 1,
                               "end_year": None, "limit": round(1.5 * base, 3)})
        else:
            throughput.append({"country": k, "regime": "standard", "start_year": None,
                               "end_year": None, "limit": round(base, 3)})
        throughput.append({"country": k, "regime": "fast_track", "start_year": None,
                           "end_year": None, "limit": round(0.2 * base, 3)})
    # the project pipeline: about two named projects per mine and refinery process
    na = np.flatnonzero(is_na)
    stages = ("exploration", "permitting", "permitted", "construction")
    for p in permitted:
        for n in range(int(rng.integers(1, 4))):
            r = int(rng.choice(na))
            capex = "" if rng.random() < 0.5 else round(rng.uniform(2.0, 30.0), 3)
            projects.append({
                "project": f"{p}-{names[r]}-{n + 1}", "region": names[r], "process": p,
                "capacity": round(PROJECT_SHARE * scale[output_of[p]] * rng.uniform(0.5, 2.0),
                                  4),
                "stage": stages[int(rng.integers(len(stages)))],
                "earliest_online_year": int(min(end, start + rng.integers(1, 8))),
                "capex": capex})
    return {
        "regimes": pd.DataFrame(regimes, columns=["country", "family", "regime",
                                                  "permitting_years", "premium"]),
        "throughput": pd.DataFrame(throughput, columns=["country", "regime", "start_year",
                                                        "end_year", "limit"]).astype(
            {"start_year": "Int64", "end_year": "Int64"}),
        "construction_times": pd.DataFrame(construction, columns=[
            "process", "country", "construction_years"]),
        "projects": pd.DataFrame(projects, columns=["project", "region", "process", "capacity",
                                                    "stage", "earliest_online_year", "capex"]),
    }


SLICES = {  # slice: share of the year's hours, share of electricity demand, solar factor
    "winter_day": (0.25, 0.27, 0.35), "winter_night": (0.25, 0.25, 0.0),
    "summer_day": (0.25, 0.28, 0.60), "summer_night": (0.25, 0.20, 0.0),
}
CO2_PER_TWH = 0.4  # Mt CO2 per TWh from the dispatchable power process


def _add_energy(rng, tables: dict[str, pd.DataFrame], scale: dict[str, float],
                is_na: np.ndarray, names: list[str], start: int, end: int) -> None:
    """Electricity in time slices, solar power, reserve margins, CO2 with a price and a cap.

    The reserve margin applies only where and when new power capacity can be built to meet it,
    and an emission cap can always be met by producing less, so the case stays feasible.
    """
    commodities, processes = tables["commodities"], tables["processes"]
    commodities["timesliced"] = commodities["commodity"] == "elec"
    tables["commodities"] = pd.concat([commodities, pd.DataFrame([{
        "commodity": "co2", "kind": "emission", "timesliced": False, "unit": "Mt",
        "reference_price": 0.0, "name": "carbon dioxide",
        "source": "estimate: synthetic benchmark"}])], ignore_index=True)
    processes["capacity_credit"] = np.where(processes["process"] == "power_elec", 0.9, 0.0)
    solar = _process(rng, "solar_elec", "power", "elec", scale["elec"])
    solar.update(availability=1.0, capex=round(rng.uniform(150.0, 400.0), 3), var_om=0.0,
                 capacity_credit=0.1, source="estimate: synthetic benchmark")
    tables["processes"] = pd.concat([processes, pd.DataFrame([solar])], ignore_index=True)

    io = [{"process": "power_elec", "commodity": "co2", "side": "output", "ratio": CO2_PER_TWH}]
    for p in processes.loc[processes["family"] == "refinery", "process"]:
        io.append({"process": p, "commodity": "co2", "side": "output",
                   "ratio": round(rng.uniform(0.005, 0.02), 5)})  # Mt per kt
    tables["process_io"] = pd.concat([tables["process_io"], pd.DataFrame(io)],
                                     ignore_index=True)

    tables["timeslices"] = pd.DataFrame(
        [{"slice": name, "weight": w, "demand_share": d} for name, (w, d, _) in SLICES.items()])
    factors = [{"process": "solar_elec", "region": "", "slice": name, "factor": f}
               for name, (_, _, f) in SLICES.items()]
    for r in np.flatnonzero(is_na):  # sunnier in the south
        if names[r].startswith("MX"):
            factors += [{"process": "solar_elec", "region": names[r], "slice": name,
                         "factor": min(1.0, 1.3 * f)} for name, (_, _, f) in SLICES.items()]
    tables["capacity_factors"] = pd.DataFrame(factors)

    existing = tables["existing_capacity"]
    solar_rows = [{"region": names[r], "process": "solar_elec", "name": "recent units",
                   "capacity": round(scale["elec"] / len(names) * rng.uniform(0.1, 0.5), 4),
                   "retirement_year": None}
                  for r in np.flatnonzero(rng.random(len(names)) < 0.4)]
    tables["existing_capacity"] = pd.concat([existing, pd.DataFrame(solar_rows)],
                                            ignore_index=True).astype({"retirement_year":
                                                                       "Int64"})
    links = tables["links"]
    links["expansion_cost"] = np.where(links["commodity"] == "elec", round(
        rng.uniform(30.0, 80.0), 3), np.nan)  # M$ per TWh/yr of intertie

    # reserve margins from the first year new power can be online everywhere, in the regions
    # that may build it (power has no build limit and no permitting throughput)
    can_build = dict(zip(tables["regions"]["region"], tables["regions"]["can_build"]))
    regimes = tables["regimes"]
    power_lead = PROCESS_DEFAULTS["power"][2] + 1 + int(regimes.loc[
        regimes["family"] == "power", "permitting_years"].max())  # + 1: CA builds slower
    first = start + power_lead
    demand = tables["demand"]
    users = sorted(set(demand.loc[demand["commodity"] == "elec", "region"]))
    margins = [{"region": r, "commodity": "elec", "start_year": first, "end_year": None,
                "margin": 0.15} for r in users if can_build[r] and first <= end]
    tables["reserve_margins"] = pd.DataFrame(margins, columns=[
        "region", "commodity", "start_year", "end_year", "margin"]).astype(
        {"start_year": "Int64", "end_year": "Int64"})

    emitted = CO2_PER_TWH * scale["elec"]  # roughly what North America emits now
    tables["emission_prices"] = pd.DataFrame([
        {"commodity": "co2", "start_year": min(end, start + 5), "end_year": None,
         "price": 50.0}]).astype({"start_year": "Int64", "end_year": "Int64"})
    tables["emission_caps"] = pd.DataFrame([
        {"scope": "USMCA", "commodity": "co2", "start_year": min(end, start + 10),
         "end_year": None, "cap": round(0.6 * emitted, 3)}]).astype(
        {"start_year": "Int64", "end_year": "Int64"})


def _add_passport(tables: dict[str, pd.DataFrame], chains: list[list[str]], names: list[str],
                  is_na: np.ndarray, start: int, end: int) -> None:
    """Track the goods of some chains: a content rule on their final good, a forced-labour ban;
    their stockpiles start empty.

    Both can be met by delivering nothing (demand left unserved is priced), so the case stays
    feasible.
    """
    goods = [c for chain in chains for c in chain]
    tables["tracked"] = pd.DataFrame({"commodity": goods})
    # a stock of a tracked good has no known origin: it starts empty (the case rules refuse
    # an initial stock of a tracked commodity)
    stockpiles = tables["stockpiles"]
    tables["stockpiles"] = stockpiles.assign(initial_stock=stockpiles["initial_stock"].where(
        ~stockpiles["commodity"].isin(goods), 0.0))
    tables["content_rules"] = pd.DataFrame(
        [{"destination": "USMCA", "commodity": chain[-1], "origin": "FTA", "basis": "either",
          "start_year": min(end, start + 5), "end_year": None, "share": 0.3}
         for chain in chains if len(chain) > 1]).astype(
        {"start_year": "Int64", "end_year": "Int64"})
    flagged = [names[r] for r in np.flatnonzero(~is_na)][:1]  # one outside region
    tables["forced_labour"] = pd.DataFrame(
        [{"origin": r, "destination": "USMCA", "commodity": "", "basis": "mined",
          "start_year": min(end, start + 3), "end_year": None} for r in flagged]).astype(
        {"start_year": "Int64", "end_year": "Int64"})


def _to_schema(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Fit the tables to the installed schema (tables and columns it does not know go).

    On a schema without permitting (``processes.lead_time`` and ``lead_times.csv``), the lead
    time of the standard regime (permitting + construction years) is written in that form; on
    one without emissions, CO2 is left out.
    """
    from northam_plan.case.schema import TABLES

    tables = dict(tables)
    process_columns = {c.name for c in TABLES["processes"].columns}
    if "lead_time" in process_columns and "construction_years" not in process_columns:
        processes, regimes = tables["processes"], tables["regimes"]
        standard = regimes[regimes["regime"] == "standard"]
        permit_years = {(k, f): y for k, f, y in standard[
            ["country", "family", "permitting_years"]].itertuples(index=False)}
        built = {(p, k): y for p, k, y in tables["construction_times"].itertuples(index=False)}
        processes = processes.assign(lead_time=processes["construction_years"])
        rows = []
        for p, f, default in processes[["process", "family", "construction_years"]].itertuples(
                index=False):
            for k in COUNTRIES:
                lead = permit_years.get((k, f), 0) + built.get((p, k), default)
                if lead != default:
                    rows.append({"process": p, "country": k, "lead_time": lead})
        tables["processes"] = processes
        tables["lead_times"] = pd.DataFrame(rows, columns=["process", "country", "lead_time"])
    kinds = TABLES["commodities"].column("kind").choices or ()
    if "emission" not in kinds:  # a schema before emissions: no CO2
        gases = set(tables["commodities"].loc[tables["commodities"]["kind"] == "emission",
                                              "commodity"])
        tables["commodities"] = tables["commodities"][
            ~tables["commodities"]["commodity"].isin(gases)]
        tables["process_io"] = tables["process_io"][~tables["process_io"]["commodity"].isin(
            gases)]
    fitted = {}
    for name, frame in tables.items():
        if name in TABLES:
            known = [c.name for c in TABLES[name].columns]
            fitted[name] = frame[[c for c in frame.columns if c in known]]
    return fitted


def _neighbour_edges(rng, xy: np.ndarray, is_na: np.ndarray) -> list[tuple[int, int]]:
    """Directed edges, both ways: NA regions to their nearest NA neighbours, outside to ports."""
    na = np.flatnonzero(is_na)
    edges: set[tuple[int, int]] = set()
    if len(na) > 1:
        points = xy[na]
        distance = np.hypot(points[:, None, 0] - points[None, :, 0],
                            points[:, None, 1] - points[None, :, 1])
        np.fill_diagonal(distance, np.inf)
        k = min(NEIGHBOURS, len(na) - 1)
        nearest = np.argsort(distance, axis=1)[:, :k]
        for i, row in enumerate(nearest):
            for j in row:
                a, b = int(na[i]), int(na[j])
                edges |= {(a, b), (b, a)}
    for r in np.flatnonzero(~is_na):
        for port in rng.choice(na, size=min(PORTS, len(na)), replace=False):
            edges |= {(int(r), int(port)), (int(port), int(r))}
    return sorted(edges)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / "tables" / f"{name}.csv", index=False, lineterminator="\n")


def generate_case(folder: Path | str, regions: int = 10, commodities: int = 6,
                  years: int = 26, seed: int = 0, step: int = 1, tracked: int = 0,
                  unserved_penalty: float = 1000.0, discount_rate: float = 0.05,
                  core: bool = False) -> Path:
    """Write a synthetic case to ``folder`` (case.toml + tables/); return the TOML path.

    ``years`` is the length of the horizon in calendar years (from 2025); with ``step`` > 1
    the model has one model year every ``step`` years (the tables do not change).
    ``tracked`` chains carry a product passport; their origin tags grow with the square of
    the regions, so it is off by default. ``core`` writes only :data:`CORE_TABLES`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_tables(folder, _to_schema(generate_tables(regions, commodities, years, seed,
                                                    tracked, core)))
    path = folder / "case.toml"
    path.write_text(
        f'name = "synthetic{" core" if core else ""} R{regions} C{commodities} T{years}/{step} '
        f'seed {seed}"\n'
        f'description = "benchmarks/generate.py: {regions} regions, {commodities} '
        f'commodities, {years} years, seed {seed}"\n'
        'tables = "tables"\n\n'
        f"[years]\nstart = {START_YEAR}\nend = {START_YEAR + years - 1}\nstep = {step}\n\n"
        f"[options]\ndiscount_rate = {discount_rate}\nunserved_penalty = {unserved_penalty}\n")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write case.toml and tables/ into")
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--commodities", type=int, default=6)
    parser.add_argument("--years", type=int, default=26,
                        help="length of the horizon in calendar years, from 2025")
    parser.add_argument("--step", type=int, default=1, help="years per model year")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tracked", type=int, default=0,
                        help="number of chains whose goods carry a product passport")
    parser.add_argument("--core", action="store_true",
                        help="only the tables of the core components (no security, stockpiles, "
                             "time slices, emissions or passport), as benchmarks/linopy_model.py "
                             "covers")
    args = parser.parse_args(argv)
    if args.core and args.tracked:
        parser.error("a core case has no product passport: drop --tracked or --core")
    path = generate_case(args.out, regions=args.regions, commodities=args.commodities,
                         years=args.years, seed=args.seed, step=args.step,
                         tracked=args.tracked, core=args.core)
    rows = {p.stem: sum(1 for _ in p.open()) - 1 for p in sorted((args.out / "tables").glob(
        "*.csv"))}
    print(f"wrote {path}")
    print("  " + ", ".join(f"{name} {n}" for name, n in rows.items()))


if __name__ == "__main__":
    main()
