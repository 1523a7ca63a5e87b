"""The rows of one plan's metrics: a long table with one row per topic, metric and key
(:data:`KEYS`), its unit and value, a note and whether the value adds up over keys.

:func:`plan_rows` writes them topic by topic (headline, investments, permits, flows, security,
passport, costs) from the plan's :class:`~northam_plan.report.facts.Facts`; a table of a later
component of the model (emissions, security, passport) enters generically: every numeric
column is a metric, the other columns are keys. A metric whose table the plan does not have is
one row with no value and the note :data:`NOT_MODELLED`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from northam_plan.plan.frames import items_of, records
from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.facts import Facts
from northam_plan.report.numbers import plain
from northam_plan.scenarios.compare_plan import USMCA, SolvedPlan

#: the note of a metric whose table the plan does not have
NOT_MODELLED = "not modelled in this case"

#: key columns of every comparison row ('' where a key does not apply)
KEYS = ["metric", "country", "sector", "commodity", "process", "regime", "category", "from",
        "to", "detail", "year"]

#: display order of commodity kinds (headline import dependence, charts)
KIND_ORDER = {"mineral": 0, "material": 1, "component": 2, "energy": 3}


def headline_years(years: list[int]) -> list[int]:
    """The years the headline shows: the first round decade after the start, and the end."""
    if not years:
        return []
    later = [y for y in years if y % 10 == 0 and y > years[0]]
    return sorted({*later[:1], years[-1]})


@dataclass
class Rows:
    """Rows of one plan's metrics, appended in display order."""

    items: list[dict] = field(default_factory=list)

    def add(self, topic: str, metric: str, value, unit: str, additive: bool = True,
            note: str = "", **keys) -> None:
        row = {"topic": topic, **{k: "" for k in KEYS}, "metric": metric, "unit": unit,
               "value": np.nan if value is None else float(value), "note": note,
               "additive": additive}
        for key, item in keys.items():
            name = "from" if key == "origin" else key
            row[name] = "" if item is None or (isinstance(item, float) and np.isnan(item)) \
                else str(int(item) if name == "year" else item)
        self.items.append(row)

    def frame(self) -> pd.DataFrame:
        columns = ["topic", *KEYS, "unit", "value", "note", "additive"]
        return pd.DataFrame(self.items, columns=columns)


# --- one plan's rows --------------------------------------------------------------------------

def plan_rows(plan: SolvedPlan, years: list[int] | None = None) -> pd.DataFrame:
    """Every metric of one plan as a long table (topic, keys, unit, value, note, additive)."""
    facts = Facts(plan)
    years = years if years is not None else headline_years(facts.years)
    rows = Rows()
    _headline(facts, rows, years)
    _investments(facts, rows)
    _permits(facts, rows)
    _flows(facts, rows)
    _security(facts, rows)
    _generic(facts, rows, "guarantee", "security")  # per member: unserved, drawn, stock held
    if not _generic(facts, rows, "passport", "passport"):
        rows.add("passport", "Passport", None, "", additive=False, note=NOT_MODELLED)
    _costs(facts, rows)
    _generic(facts, rows, "finance", "costs")  # the facility's use and shadow price
    frame = rows.frame()
    index = ["topic", *KEYS, "unit"]
    if frame.duplicated(index).any():  # a later table with keys we do not know: add them up
        frame = frame.groupby(index, as_index=False, sort=False).agg(
            value=("value", lambda v: v.sum(min_count=1)), note=("note", "first"),
            additive=("additive", "first"))
    return frame


def _headline(f: Facts, rows: Rows, years: list[int]) -> None:
    h = "headline"
    rows.add(h, "Total cost", f.total_cost(), "M$ (present value)")
    if not f.costs.empty:
        for country, value in f.costs.groupby("country")["discounted"].sum().items():
            rows.add(h, "Cost by country", value, "M$ (present value)", country=country)
    inv = f.investments
    if not inv.empty:
        capex = inv.groupby(["country", "sector"])["capex"].sum()
        for (country, sector), value in items_of(capex):
            rows.add(h, "Investment", value, "M$ (overnight)", country=country,
                     sector=sector)
    dem = f.demand
    if not dem.empty:
        weighted = dem.assign(u=dem["unserved"] * dem["year"].map(f.weights))
        rows.add(h, "Unserved demand", weighted["u"].sum(),
                 "units (all commodities, all years)")
        by = weighted.groupby("commodity")["u"].sum()
        for c, value in items_of(by[by >= ZERO_TOLERANCE]):  # noise is no shortfall
            rows.add(h, "Unserved demand", value, f"{f.unit(c)} (all years)", commodity=c)
    if not f.costs.empty and "unserved" in set(f.costs["category"]):
        rows.add(h, "Unserved demand penalty",
                 f.costs.loc[f.costs["category"] == "unserved", "discounted"].sum(),
                 "M$ (present value)")
    if f.chain.known:
        ss = f.self_sufficiency.set_index(["commodity", "year"])
        for m in f.minerals():
            for t in years:
                if (m, t) in ss.index:
                    rows.add(h, "Self-sufficiency", ss.at[(m, t), "share"], "%",
                             additive=False, commodity=m, year=t)
    else:
        rows.add(h, "Self-sufficiency", None, "%", additive=False, note=f.chain.note)
    dep = f.import_dependence.set_index(["commodity", "year"])
    imported = sorted(set(f.outside_imports["commodity"]),
                      key=lambda c: (KIND_ORDER.get(f.kinds.get(c, ""), 9), c))
    for c in imported:
        for t in years:
            if (c, t) in dep.index:
                rec = dep.loc[(c, t)]
                rows.add(h, "Import dependence on top outside supplier", rec["share"], "%",
                         commodity=c, year=t, note=_supplier_note(rec, f.unit(c)))
            else:
                rows.add(h, "Import dependence on top outside supplier", 0.0, "%",
                         commodity=c, year=t, note="no outside imports")
    _stock(f, rows, years)
    _emissions(f, rows, years)
    _cost_of_security(f, rows, years)


def _supplier_note(rec, unit: str) -> str:
    amount = f"{rec['imports']:,.4g}"
    if "e" in amount:  # never e-notation (a tiny import): positional digits
        amount = plain(rec["imports"], 4)
    return f"top supplier {rec['supplier']} of {amount} {unit}/yr imported"


def _stock(f: Facts, rows: Rows, years: list[int]) -> None:
    ds = f.plan.expected
    if "stock" not in ds.data_vars:
        rows.add("headline", "Strategic stock", None, "", additive=False, note=NOT_MODELLED)
        return
    array = ds["stock"]
    stock = array.to_series().dropna().rename("stock").reset_index()
    stock["country"] = stock["region"].map(f.country)
    stock = stock[stock["country"].isin(USMCA)]
    by = stock.groupby(["commodity", "year"])["stock"].sum()
    for (c, t), value in items_of(by):
        if int(t) in years:
            rows.add("headline", "Strategic stock", value, f"{f.unit(c)} (end of year)",
                     commodity=c, year=int(t))
    for (r, c, t), value in items_of(array.to_series().dropna()):
        rows.add("security", "Stock", value, f"{f.unit(c)} (end of year)", country=f.country(r),
                 commodity=c, detail=f"region {r}", year=int(t))


def _value_column(frame: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    for name in preferred:
        if name in frame.columns and pd.api.types.is_numeric_dtype(frame[name]):
            return name
    return None


def _emissions(f: Facts, rows: Rows, years: list[int]) -> None:
    table = _present(f, "emissions")
    column = None if table is None else _value_column(table, ("emissions", "value",
                                                              "quantity"))
    if table is None or column is None or "year" not in table:
        note = NOT_MODELLED if table is None else "emissions.csv has no year and emissions columns"
        rows.add("headline", "Emissions", None, "", additive=False, note=note)
        return
    unit = str(table["unit"].iloc[0]) if "unit" in table else "as in emissions.csv"
    by = table.groupby("year")[column].sum()
    for t in years:
        if t in by.index:
            rows.add("headline", "Emissions", by[t], unit, year=t)
    _generic(f, rows, "emissions", "costs")


def _present(f: Facts, name: str) -> pd.DataFrame | None:
    """A table of a later component, or None when the plan has none or it is empty."""
    table = f.table(name)
    return None if table.empty else table


def _cost_of_security(f: Facts, rows: Rows, years: list[int]) -> None:
    """Duals of the security constraints (security_costs.csv: constraint, where, year, cost
    in M$ per unit of that year), at the headline years."""
    table, column = _present(f, "security_costs"), "cost"
    if table is None or column not in table:
        table, column = _present(f, "security"), "cost_of_security"
    if table is None or column not in table or table[column].isna().all():
        rows.add("headline", "Cost of security", None, "", additive=False, note=NOT_MODELLED)
        return
    table = table[table[column].notna()]
    for record in table.to_dict("records"):
        if "year" in record and not pd.isna(record["year"]) and int(record["year"]) not in years:
            continue
        keys, detail = _split_keys(record, exclude={column, "unit", "source", *NOTE_COLUMNS})
        rows.add("headline", "Cost of security", record[column],
                 "M$ per unit (of that year)", additive=False, detail=detail, **keys)


#: string columns of later tables that are values (shown as notes), not keys
NOTE_COLUMNS = ("top_supplier", "crisis")


def _split_keys(record: dict, exclude: set[str]) -> tuple[dict, str]:
    known = {"country", "sector", "commodity", "process", "regime", "category", "from", "to",
             "year"}
    keys, other = {}, []
    for name, value in record.items():
        if name in exclude or isinstance(value, (float, np.floating)) and name != "year":
            continue
        if name in known:
            keys["origin" if name == "from" else name] = value
        elif value is not None and str(value) != "" and not pd.isna(value):
            other.append(f"{name} {value}")
    return keys, "; ".join(other)


def _generic(f: Facts, rows: Rows, table_name: str, topic: str) -> bool:
    """A table of a later component: every numeric column is a metric, the rest are keys.
    Returns False when the plan has no such table (or it is empty)."""
    table = _present(f, table_name)
    if table is None:
        return False
    numeric = [c for c in table.columns if c != "year" and
               pd.api.types.is_numeric_dtype(table[c])]
    unit = "as in " + f"{table_name}.csv"
    for record in table.to_dict("records"):
        keys, detail = _split_keys(record, exclude={*numeric, "unit", "source", *NOTE_COLUMNS})
        note = "; ".join(f"{c.replace('_', ' ')} {record[c]}" for c in NOTE_COLUMNS
                         if c in record and isinstance(record[c], str) and record[c])
        for column in numeric:
            rows.add(topic, f"{table_name}: {column}", record[column],
                     str(record.get("unit", unit)), additive=False, detail=detail, note=note,
                     **keys)
    return True


def _investments(f: Facts, rows: Rows) -> None:
    inv = f.investments
    if inv.empty:
        return
    keys = ["country", "sector", "process", "source", "online_year"]
    grouped = inv.groupby(keys, as_index=False, dropna=False)[["capacity", "capex"]].sum()
    for rec in records(grouped):
        common = dict(country=rec.country, sector=rec.sector, process=rec.process,
                      regime=rec.source, year=rec.online_year)
        rows.add("investments", "New capacity", rec.capacity, f.capacity_unit(rec.process),
                 **common)
        rows.add("investments", "Overnight capex", rec.capex, "M$", **common)


def _permits(f: Facts, rows: Rows) -> None:
    permits = f.table("permits")
    if not permits.empty:
        grouped = permits.groupby(["country", "process", "regime", "permit_start_year"],
                                  as_index=False)[["capacity"]].sum()
        for rec in records(grouped):
            rows.add("permits", "Capacity entering permitting", rec.capacity,
                     f.capacity_unit(rec.process), country=rec.country, process=rec.process,
                     regime=rec.regime, year=rec.permit_start_year)
    throughput = f.table("throughput")
    for rec in records(throughput):
        common = dict(country=rec.country, regime=rec.regime, year=rec.year)
        rows.add("permits", "Permitting workload used", rec.used, "workload/yr", **common)
        rows.add("permits", "Permitting workload limit", rec.limit, "workload/yr",
                 additive=False, **common)
        rows.add("permits", "Value of more permitting throughput", rec.value,
                 "M$ per workload/yr (present value)", additive=False, **common)
    projects = f.table("projects")
    for rec in records(projects):
        rows.add("permits", "Pipeline project built", rec.capacity, f.capacity_unit(rec.process),
                 country=rec.country, process=rec.process, detail=f"project {rec.project}",
                 regime=rec.stage, year=rec.online_year)


def _flows(f: Facts, rows: Rows) -> None:
    flows = f.flows
    if flows.empty:
        return
    grouped = flows.groupby(["from_country", "to_country", "commodity", "year"],
                            as_index=False)[["quantity", "transport_cost", "tariff_cost"]].sum()
    for rec in records(grouped):
        common = dict(origin=rec.from_country, to=rec.to_country, commodity=rec.commodity,
                      year=rec.year)
        rows.add("flows", "Shipped", rec.quantity, f"{f.unit(rec.commodity)}/yr", **common)
        rows.add("flows", "Transport cost", rec.transport_cost, "M$/yr", **common)
        rows.add("flows", "Tariff cost", rec.tariff_cost, "M$/yr", **common)


def _security(f: Facts, rows: Rows) -> None:
    s = "security"
    if f.chain.known:
        for rec in records(f.self_sufficiency):
            unit = f.unit(rec.commodity)
            rows.add(s, "Self-sufficiency", rec.share, "%", additive=False,
                     commodity=rec.commodity, year=rec.year)
            rows.add(s, "USMCA output of the mineral", rec.output, f"{unit}/yr",
                     commodity=rec.commodity, year=rec.year)
            rows.add(s, "USMCA demand of the mineral's chain", rec.demand, f"{unit}/yr",
                     commodity=rec.commodity, year=rec.year,
                     detail="in mineral content (see definitions)")
    else:
        rows.add(s, "Self-sufficiency", None, "%", additive=False, note=f.chain.note)
    for _, rec in f.import_dependence.iterrows():
        rows.add(s, "Import dependence on top outside supplier", rec["share"], "%",
                 commodity=rec["commodity"], year=rec["year"],
                 note=_supplier_note(rec, f.unit(rec["commodity"])))
    for rec in records(f.outside_imports):
        rows.add(s, "Imports from outside the USMCA", rec.quantity, f"{f.unit(rec.commodity)}/yr",
                 commodity=rec.commodity, origin=rec.supplier, year=rec.year)
    found = [_generic(f, rows, name, s) for name in ("security", "security_imports",
                                                     "security_costs")]
    if not any(found):
        rows.add(s, "Security constraints", None, "", additive=False, note=NOT_MODELLED)
    for name in ("offtakes", "end_of_life", "recycled_supply"):  # offtake, recycling components
        _generic(f, rows, name, s)


def _costs(f: Facts, rows: Rows) -> None:
    c = "costs"
    for rec in records(f.costs):
        rows.add(c, "Cost (present value)", rec.discounted, "M$", country=rec.country,
                 category=rec.category)
    for rec in records(f.costs):
        rows.add(c, "Cost (undiscounted)", rec.undiscounted, "M$", country=rec.country,
                 category=rec.category)
    ds = f.plan.expected
    if "annual_cost" in ds.data_vars:
        series = ds["annual_cost"].to_series().dropna()
        for (category, country, year), value in items_of(series):
            rows.add(c, "Annual cost", value, "M$/yr", country=country, category=category,
                     year=int(year))
    for rec in records(f.delivered_cost):
        rows.add(c, "Delivered cost (marginal, USMCA)", rec.cost,
                 f"M$/{f.unit(rec.commodity)}", additive=False, commodity=rec.commodity,
                 year=rec.year)


