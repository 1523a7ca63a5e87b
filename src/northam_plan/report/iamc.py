"""The plans in IAMC long format: model, scenario, region, variable, unit, year, value.

``pyam.IamDataFrame("comparison.iamc.csv")`` reads the file. Regions are countries (codes of
regions.csv's ``country``) and ``USMCA`` for the sum or share over US, CA and MX. Variables:

==========================================================  ===============================
``Cost|<category>``, ``Cost|Total``                         cost in the year, M$/yr (undiscounted)
``Investment|<sector>``                                     overnight capex of capacity coming
                                                            online in the year, M$
``Capacity|New|<process>``, ``Capacity|<process>``          new and total capacity, unit/yr
``Production|<commodity>``                                  output, unit/yr
``Demand|<commodity>``, ``Unserved Demand|<commodity>``     final demand and its unmet part
``Trade|Imports|<commodity>``, ``Trade|Exports|<commodity>``  across the border of the region
``Price|Delivered|<commodity>``                             marginal delivered cost (USMCA)
``Security|Self-Sufficiency|<mineral>``                     % (see the report's definitions)
``Security|Import Dependence|Top Supplier|<commodity>``     % of USMCA imports from outside
==========================================================  ===============================
"""

from __future__ import annotations

import pandas as pd

from northam_plan.plan.frames import items_of, records
from northam_plan.report.metrics import Comparison, Facts
from northam_plan.scenarios.compare import USMCA

COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]


def iamc_frame(comparison: Comparison) -> pd.DataFrame:
    frames = [_plan_frame(comparison.facts[p.name]) for p in comparison.plans]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    frame = frame.dropna(subset=["value"])
    frame["year"] = frame["year"].astype(int)
    return frame[COLUMNS].reset_index(drop=True)


def _plan_frame(f: Facts) -> pd.DataFrame:
    rows: list[tuple] = []

    def add(region, variable, unit, year, value):
        rows.append((region, variable, unit, int(year), float(value)))

    ds = f.plan.expected
    if "annual_cost" in ds.data_vars:
        cost = ds["annual_cost"].to_series().dropna().rename("value").reset_index()
        for (country, year), group in cost.groupby(["country", "year"]):
            for category, value in zip(group["category"], group["value"]):
                add(country, f"Cost|{category}", "M$/yr", year, value)
            add(country, "Cost|Total", "M$/yr", year, group["value"].sum())
        na = cost[cost["country"].isin(USMCA)]
        by_category = na.groupby(["category", "year"])["value"].sum()
        for (category, year), value in items_of(by_category):
            add("USMCA", f"Cost|{category}", "M$/yr", year, value)
        for year, value in na.groupby("year")["value"].sum().items():
            add("USMCA", "Cost|Total", "M$/yr", year, value)

    inv = f.investments
    capex = inv.groupby(["country", "sector", "online_year"])["capex"].sum()
    for (country, sector, year), value in items_of(capex):
        add(country, f"Investment|{sector}", "M$", year, value)
    new = inv.groupby(["country", "process", "online_year"])["capacity"].sum()
    for (country, process, year), value in items_of(new):
        add(country, f"Capacity|New|{process}", f.capacity_unit(process), year, value)
    act = f.activity
    capacity = act.groupby(["country", "process", "year"])["capacity"].sum()
    for (country, process, year), value in items_of(capacity):
        add(country, f"Capacity|{process}", f.capacity_unit(process), year, value)

    _by_country_and_usmca(add, f.production, "quantity", "Production", f)
    demand = f.demand.rename(columns={"demand": "quantity"})
    _by_country_and_usmca(add, demand, "quantity", "Demand", f)
    unserved = f.demand.rename(columns={"unserved": "quantity"})
    _by_country_and_usmca(add, unserved, "quantity", "Unserved Demand", f)

    flows = f.flows
    cross = flows[flows["from_country"] != flows["to_country"]]
    imports = cross.groupby(["to_country", "commodity", "year"])["quantity"].sum()
    for (country, c, year), value in items_of(imports):
        add(country, f"Trade|Imports|{c}", f"{f.unit(c)}/yr", year, value)
    exports = cross.groupby(["from_country", "commodity", "year"])["quantity"].sum()
    for (country, c, year), value in items_of(exports):
        add(country, f"Trade|Exports|{c}", f"{f.unit(c)}/yr", year, value)
    for rec in records(f.outside_imports.groupby(["commodity", "year"], as_index=False)[
            ["quantity"]].sum()):
        add("USMCA", f"Trade|Imports|{rec.commodity}", f"{f.unit(rec.commodity)}/yr",
            rec.year, rec.quantity)

    for rec in records(f.delivered_cost):
        add("USMCA", f"Price|Delivered|{rec.commodity}", f"M$/{f.unit(rec.commodity)}",
            rec.year, rec.cost)
    for rec in records(f.self_sufficiency.dropna(subset=["share"])):
        add("USMCA", f"Security|Self-Sufficiency|{rec.commodity}", "%", rec.year, rec.share)
    for rec in records(f.import_dependence):
        add("USMCA", f"Security|Import Dependence|Top Supplier|{rec.commodity}", "%",
            rec.year, rec.share)

    frame = pd.DataFrame(rows, columns=["region", "variable", "unit", "year", "value"])
    frame.insert(0, "scenario", f.plan.name)
    frame.insert(0, "model", f"northam-plan {f.plan.version}")
    return frame


def _by_country_and_usmca(add, frame: pd.DataFrame, column: str, name: str, f: Facts) -> None:
    if frame.empty:
        return
    totals = frame.groupby(["country", "commodity", "year"])[column].sum()
    for (country, c, year), value in items_of(totals):
        add(country, f"{name}|{c}", f"{f.unit(c)}/yr", year, value)
    na = frame[frame["country"].isin(USMCA)]
    for (c, year), value in items_of(na.groupby(["commodity", "year"])[column].sum()):
        add("USMCA", f"{name}|{c}", f"{f.unit(c)}/yr", year, value)


def write_iamc(comparison: Comparison, path) -> None:
    iamc_frame(comparison).to_csv(path, index=False, lineterminator="\n")
