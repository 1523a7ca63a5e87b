"""Small random cases for invariant tests: seeded, feasible (unserved demand is priced)."""

from __future__ import annotations

import random

COUNTRIES = ("US", "CA", "MX", "CN")


def random_tables(seed: int, regions: int = 4, chains: int = 2) -> dict[str, list[dict]]:
    """Tables of a random case: ``chains`` mine → refinery chains over ``regions`` regions."""
    rng = random.Random(seed)
    region_names = [f"R{i}" for i in range(regions)]
    country = {r: COUNTRIES[i % len(COUNTRIES)] for i, r in enumerate(region_names)}
    tables: dict[str, list[dict]] = {
        "countries": [{"country": k, "cost_of_capital": round(rng.uniform(0.0, 0.12), 3)}
                      for k in COUNTRIES],
        "regions": [{"region": r, "country": country[r]} for r in region_names],
        "commodities": [], "processes": [], "process_io": [], "existing_capacity": [],
        "reserves": [], "links": [], "tariffs": [], "demand": [],
        "regimes": [], "throughput": [], "projects": [],
    }
    for k in COUNTRIES:
        for family in ("mine", "refinery"):
            tables["regimes"].append({"country": k, "family": family, "regime": "standard",
                                      "permitting_years": rng.choice([1, 2, 3])})
            tables["regimes"].append({"country": k, "family": family, "regime": "fast_track",
                                      "permitting_years": 0,
                                      "premium": round(rng.uniform(1, 40), 1)})
        tables["throughput"].append({"country": k, "regime": "standard",
                                     "limit": round(rng.uniform(0.5, 4), 2)})
    for j in range(chains):
        ore, metal = f"ore{j}", f"metal{j}"
        tables["commodities"] += [
            {"commodity": ore, "kind": "mineral", "unit": "kt",
             "reference_price": round(rng.uniform(1, 10), 2)},
            {"commodity": metal, "kind": "material", "unit": "kt",
             "reference_price": round(rng.uniform(5, 30), 2)}]
        tables["processes"] += [
            {"process": f"mine{j}", "family": "mine", "main_output": ore,
             "capex": round(rng.uniform(5, 20), 2), "fixed_om": round(rng.uniform(0, 1), 2),
             "var_om": round(rng.uniform(0.5, 3), 2), "lifetime": rng.choice([2, 3, 20]),
             "permit_weight": round(rng.uniform(0.1, 1), 2),
             "construction_years": rng.choice([0, 1, 2]), "max_build": ""},
            {"process": f"refinery{j}", "family": "refinery", "main_output": metal,
             "capex": round(rng.uniform(5, 30), 2), "fixed_om": round(rng.uniform(0, 1), 2),
             "var_om": round(rng.uniform(0.5, 5), 2), "lifetime": rng.choice([3, 25]),
             "construction_years": rng.choice([0, 1]), "max_build": round(rng.uniform(2, 10), 1)}]
        tables["process_io"].append({"process": f"refinery{j}", "commodity": ore,
                                     "side": "input", "ratio": round(rng.uniform(1, 3), 2)})
        tables["projects"].append({
            "project": f"P{j}", "region": rng.choice(region_names), "process": f"mine{j}",
            "capacity": round(rng.uniform(1, 5), 1), "stage": rng.choice(
                ["exploration", "permitting", "permitted", "construction"]),
            "earliest_online_year": rng.choice([2026, 2027, 2029]),
            "capex": rng.choice(["", round(rng.uniform(5, 25), 1)])})
        for r in region_names:
            if rng.random() < 0.6:
                tables["reserves"].append({"region": r, "commodity": ore,
                                           "reserves": round(rng.uniform(5, 60), 1)})
            if rng.random() < 0.5:
                tables["existing_capacity"].append(
                    {"region": r, "process": f"mine{j}", "capacity": round(rng.uniform(1, 8), 1),
                     "retirement_year": rng.choice(["", 2027])})
            if rng.random() < 0.4:
                tables["existing_capacity"].append(
                    {"region": r, "process": f"refinery{j}",
                     "capacity": round(rng.uniform(1, 6), 1), "retirement_year": ""})
            for year in (2025, 2028):
                if rng.random() < 0.7:
                    tables["demand"].append({"region": r, "commodity": metal, "sector": "all",
                                             "year": year,
                                             "quantity": round(rng.uniform(0.5, 6), 2)})
        for a in region_names:
            for b in region_names:
                if a != b and rng.random() < 0.5:
                    for c in (ore, metal):
                        tables["links"].append({
                            "from": a, "to": b, "commodity": c,
                            "transport_cost": round(rng.uniform(0.1, 2), 2),
                            "loss": round(rng.uniform(0, 0.05), 3),
                            "capacity": rng.choice(["", round(rng.uniform(1, 5), 1)])})
                        if country[a] != country[b]:
                            tables["tariffs"].append({
                                "from": country[a], "to": country[b], "commodity": c,
                                "rate": round(rng.uniform(0, 0.3), 3)})
    # tariffs are keyed by country pair: keep one row per (from, to, commodity)
    unique = {(t["from"], t["to"], t["commodity"]): t for t in tables["tariffs"]}
    tables["tariffs"] = list(unique.values())
    return tables


COST_COLUMNS = {"processes": ("capex", "fixed_om", "var_om"), "links": ("transport_cost",),
                "regimes": ("premium",), "projects": ("capex",),
                "commodities": ("reference_price",)}


def scale_costs(tables: dict[str, list[dict]], k: float) -> dict[str, list[dict]]:
    """Every money figure of the tables × k (the unserved penalty is scaled by the caller)."""
    scaled = {name: [dict(row) for row in rows] for name, rows in tables.items()}
    for name, columns in COST_COLUMNS.items():
        for row in scaled[name]:
            for column in columns:
                if row.get(column, "") != "":
                    row[column] = row[column] * k
    return scaled


def with_security(tables: dict[str, list[dict]], seed: int) -> dict[str, list[dict]]:
    """The tables plus a bloc NA = {US, CA, MX}, a sourcing floor, a supplier cap, a Chinese
    export limit and, in R0, a stockpile option."""
    rng = random.Random(seed + 1)
    return {
        **tables,
        "blocs": [{"bloc": "NA", "country": k} for k in ("US", "CA", "MX")],
        "regional_shares": [{"bloc": "NA", "commodity": "metal0", "start_year": 2028,
                             "share": round(rng.uniform(0.0, 0.3), 2)}],
        "supplier_caps": [{"bloc": "NA", "commodity": "metal1",
                           "cap": round(rng.uniform(0.3, 1.0), 2)}],
        "disruptions": [{"exporter": "CN", "commodity": "ore1", "start_year": 2027,
                         "limit": round(rng.uniform(0.5, 5.0), 2)}],
        "stockpiles": [],
    }


def with_energy(tables: dict[str, list[dict]], seed: int) -> dict[str, list[dict]]:
    """The tables plus electricity in two slices: gas and solar plants, refineries that use
    power, an intertie R0 → R1, exogenous demand and CO2 from gas."""
    rng = random.Random(seed + 2)
    regions = [row["region"] for row in tables["regions"]]
    plants = [
        {"process": "gas", "family": "power", "main_output": "elec", "capex": 900.0,
         "var_om": round(rng.uniform(20, 40), 1), "lifetime": 30, "construction_years": 1,
         "activity_per_capacity": 8.76, "capacity_credit": 0.95},
        {"process": "solar", "family": "power", "main_output": "elec", "capex": 1100.0,
         "var_om": 0.0, "lifetime": 25, "construction_years": 1,
         "activity_per_capacity": 8.76, "capacity_credit": 0.2}]
    return {
        **tables,
        "commodities": tables["commodities"] + [
            {"commodity": "elec", "kind": "energy", "unit": "TWh", "timesliced": True},
            {"commodity": "co2", "kind": "emission", "unit": "Mt"}],
        "processes": tables["processes"] + plants,
        "process_io": tables["process_io"] + [
            {"process": "gas", "commodity": "co2", "side": "output", "ratio": 0.4}] + [
            {"process": p["process"], "commodity": "elec", "side": "input",
             "ratio": round(rng.uniform(0.5, 3.0), 2)}
            for p in tables["processes"] if p["family"] == "refinery"],
        "timeslices": [{"slice": "day", "weight": 0.5, "demand_share": 0.55},
                       {"slice": "night", "weight": 0.5, "demand_share": 0.45}],
        "capacity_factors": [{"process": "solar", "slice": "day", "factor": 0.5},
                             {"process": "solar", "slice": "night", "factor": 0.0}],
        "existing_capacity": tables["existing_capacity"] + [
            {"region": r, "process": "gas", "capacity": round(rng.uniform(3, 6), 2)}
            for r in regions],
        "links": tables["links"] + [{"from": "R0", "to": "R1", "commodity": "elec",
                                     "transport_cost": 1.0, "loss": 0.02,
                                     "capacity": round(rng.uniform(1, 5), 1)}],
        "reserve_margins": [{"region": r, "commodity": "elec", "margin": 0.15}
                            for r in regions[:2]],
        "emission_caps": [{"scope": "US", "commodity": "co2",
                           "cap": round(rng.uniform(2, 8), 2)}],
        "demand": tables["demand"] + [
            {"region": r, "commodity": "elec", "sector": "economy", "year": 2025,
             "quantity": round(rng.uniform(5, 20), 1)} for r in regions],
    }
