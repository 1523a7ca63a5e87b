r"""The minerals chain beside the energy system: costs, investment and the electricity the
chain uses, so that a change in the minerals chain is not lost in the power bill.

The model keeps its costs per category, country and year (``annual_cost``, M$/yr); it does not
say which process or commodity a cost belongs to. This module attributes each cost to a
**mineral chain** (:class:`~northam_plan.report.names.MineralChain`) from the plan's own
quantities and the case's unit costs, with the model's formulas
(:mod:`northam_plan.model.components`):

* ``capital``: every new source alive in year t: overnight capex (investments.csv) ×
  :math:`CRF(i_k, life_p)`; ``fixed_om``: its capacity × fixed O&M × the country's
  ``om_factor``; ``variable_om``: activity × var O&M × ``om_factor``; ``permitting``: capacity
  entering a regime with a premium × premium (M$ per unit/yr) — for the chain's processes;
* ``purchases``, ``sales``, ``transport``, ``tariff``, ``unserved`` (× the penalty),
  ``stockpile`` (stock × holding cost) — for the chain's commodities.

The **energy system** (power plants, fuel supply, interties, electricity and emissions) is the
rest: the plan's cost minus what the chains account for, so the two add up to the plan's
total exactly. Present values use the case's discount weights, as the objective does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from northam_plan.plan.frames import items_of, records
from northam_plan.plan.units import ZERO_TOLERANCE
from northam_plan.report.facts import Facts
from northam_plan.report.names import Names
from northam_plan.scenarios.compare_plan import USMCA

#: the group of whatever no mineral chain accounts for
ENERGY = "energy"

COLUMNS = ["group", "country", "category", "year", "cost"]


@dataclass
class Sectors:
    """Costs (M$/yr, undiscounted, per group, country, category, year), overnight investment
    (M$ per group, country, online year) and the electricity the chains use (per country and
    year, in the unit of ``electricity``), of one plan."""

    costs: pd.DataFrame
    investment: pd.DataFrame
    electricity: pd.DataFrame
    discount: dict[int, float]
    weights: dict[int, int]
    electricity_unit: str = ""

    def present_value(self, group: str | None = None, minerals: bool | None = None) -> float:
        """Σ over years of discount weight × annual cost, of one group, of the mineral chains
        (``minerals=True``) or of the energy system (``minerals=False``)."""
        frame = self.costs
        if group is not None:
            frame = frame[frame["group"] == group]
        elif minerals is not None:
            frame = frame[(frame["group"] != ENERGY) == minerals]
        return float((frame["cost"] * frame["year"].map(self.discount)).sum())

    def overnight(self, group: str | None = None, minerals: bool | None = None,
                  usmca: bool = True) -> float:
        frame = self.investment
        if usmca:
            frame = frame[frame["country"].isin(USMCA)]
        if group is not None:
            frame = frame[frame["group"] == group]
        elif minerals is not None:
            frame = frame[(frame["group"] != ENERGY) == minerals]
        return float(frame["capex"].sum())


def sectors_of(facts: Facts, names: Names) -> Sectors | None:
    """The split of one plan, or None when its case is unknown or changed since the solve
    (then the unit costs may not be those the plan was solved with)."""
    chain = facts.chain
    case = chain.case
    if case is None or not chain.known or "changed since" in chain.note:
        return None
    ds = facts.plan.expected
    if "annual_cost" not in ds.data_vars:
        return None
    total = ds["annual_cost"].to_series().dropna().rename("cost").reset_index()
    parts = pd.DataFrame(list(attributed(facts, names)), columns=COLUMNS)
    chains = parts[parts["group"] != ENERGY].groupby(
        ["group", "country", "category", "year"], as_index=False)[["cost"]].sum()
    known = chains.groupby(["country", "category", "year"])["cost"].sum()
    rest = total.set_index(["country", "category", "year"])["cost"].sub(known, fill_value=0.0)
    energy = rest.rename("cost").reset_index().assign(group=ENERGY)
    costs = pd.concat([chains, energy[COLUMNS]], ignore_index=True)
    costs["year"] = costs["year"].astype(int)

    group = _process_groups(names)
    inv = facts.investments
    investment = inv.assign(group=inv["process"].map(group).fillna(ENERGY)).groupby(
        ["group", "country", "online_year"], as_index=False)[["capex"]].sum()
    return Sectors(costs, investment, chain_electricity(facts, names),
                   {int(t): float(w) for t, w in case.discount_weights.items()},
                   dict(facts.weights), facts.unit(elec) if (elec := _electricity(facts)) else "")


def _process_groups(names: Names) -> dict[str, str]:
    return {p: chain.key for chain in names.chains() for p in chain.processes}


def _electricity(facts: Facts) -> str | None:
    """The commodity the chains' processes draw as power: the energy commodity made by power
    plants (``elec`` in the reference case)."""
    made = {facts.output[p] for p, f in facts.family.items() if f == "power"}
    return next(iter(sorted(made)), None)


def chain_electricity(facts: Facts, names: Names) -> pd.DataFrame:
    """Electricity used by the chains' processes: group, country, year, quantity (unit/yr)."""
    elec = _electricity(facts)
    columns = ["group", "country", "year", "quantity"]
    if elec is None:
        return pd.DataFrame(columns=columns)
    use = facts.use[facts.use["commodity"] == elec]
    # use is per main output of the process; its chain is the chain of that output
    minerals = {p for chain in names.chains() for p in chain.processes}
    chain_of = {facts.output[p]: g for p, g in _process_groups(names).items() if p in minerals}
    use = use.assign(group=use["output"].map(chain_of))
    use = use[use["group"].notna()]
    return use.groupby(["group", "country", "year"], as_index=False)[["quantity"]].sum()[columns]


def attributed(facts: Facts, names: Names) -> Iterator[tuple[str, str, str, int, float]]:
    """(group, country, category, year, M$/yr) of every cost the plan's tables let one
    attribute: processes to their chain (or the energy system), commodities likewise."""
    case = facts.chain.case
    processes = case.tables["processes"].set_index("process")
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    factors = case.cost_factors
    group_of_process = _process_groups(names)
    chain_of = names.chain_of()
    years = list(facts.years)

    # one dict per column: a .at lookup per row of activity was most of this function's time
    family, lifetime, fixed_om, var_om = (processes[c].to_dict() for c in (
        "family", "lifetime", "fixed_om", "var_om"))

    def om(country: str, process: str) -> float:
        return factors[country, family[process]][1]

    for rec in records(facts.investments):
        life = int(lifetime[rec.process])
        group = group_of_process.get(rec.process, ENERGY)
        annuity = rec.capex * _crf(float(rate[rec.country]), life)
        fixed = rec.capacity * float(fixed_om[rec.process]) * om(rec.country, rec.process)
        for t in years:
            if rec.online_year <= t < rec.online_year + life:
                if annuity:
                    yield group, rec.country, "capital", t, annuity
                if fixed:
                    yield group, rec.country, "fixed_om", t, fixed
    for rec in records(facts.activity):
        if rec.activity:
            vom = float(var_om[rec.process]) * om(rec.country, rec.process)
            if vom:
                yield (group_of_process.get(rec.process, ENERGY), rec.country, "variable_om",
                       int(rec.year), rec.activity * vom)
    yield from _permitting(facts, case, group_of_process, processes)

    def by_commodity(frame: pd.DataFrame, column: str, category: str, sign: float = 1.0,
                     country: str = "country") -> Iterator[tuple[str, str, str, int, float]]:
        if frame.empty or column not in frame:
            return
        for c, k, t, value in frame[["commodity", country, "year", column]].itertuples(
                index=False):
            if value:
                yield chain_of.get(c, ENERGY), k, category, int(t), sign * float(value)

    yield from by_commodity(facts.table("purchases"), "cost", "purchases")
    yield from by_commodity(facts.table("sales"), "revenue", "sales", -1.0)
    yield from by_commodity(facts.flows, "transport_cost", "transport", country="to_country")
    yield from by_commodity(facts.flows, "tariff_cost", "tariff", country="to_country")
    penalty = float(case.options.unserved_penalty)
    dem = facts.demand
    if not dem.empty:
        yield from by_commodity(dem.assign(cost=dem["unserved"] * penalty), "cost", "unserved")
    yield from _stockpile(facts, case, chain_of)


def _permitting(facts: Facts, case, group_of_process: dict[str, str],
                processes: pd.DataFrame) -> Iterator[tuple[str, str, str, int, float]]:
    from northam_plan.case.leadtimes import regimes

    permits = facts.table("permits")
    if permits.empty:
        return
    premium = {(k, f, g.name): g.premium for (k, f), options in regimes(case).items()
               for g in options}
    weights = facts.weights
    for rec in records(permits):
        family = str(processes.at[rec.process, "family"])
        value = premium.get((rec.country, family, rec.regime), 0.0)
        if value and rec.capacity:
            t = int(rec.permit_start_year)
            yield (group_of_process.get(rec.process, ENERGY), rec.country, "permitting", t,
                   rec.capacity * value / weights.get(t, 1))


def _stockpile(facts: Facts, case, chain_of: dict[str, str]
               ) -> Iterator[tuple[str, str, str, int, float]]:
    ds = facts.plan.expected
    table = case.tables.get("stockpiles")
    if "stock" not in ds.data_vars or table is None or table.empty:
        return
    holding = {(r, c): float(h) for r, c, h in table[["region", "commodity", "holding_cost"]]
               .itertuples(index=False) if not pd.isna(h)}
    for (r, c, t), value in items_of(ds["stock"].to_series().dropna()):
        cost = holding.get((r, c), 0.0) * float(value)
        if cost:
            yield chain_of.get(c, ENERGY), facts.country(r), "stockpile", int(t), cost


def _crf(rate: float, life: int) -> float:
    """Capital recovery factor, as :func:`northam_plan.model.components.capacity.crf`."""
    return 1.0 / life if rate == 0 else rate / (1.0 - (1.0 + rate) ** -life)


def significant(value: float) -> bool:
    return bool(np.isfinite(value)) and abs(value) >= ZERO_TOLERANCE
