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
from functools import cached_property

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
        weighted, groups = self._weighted
        if group is not None:
            weighted = weighted[groups == group]
        elif minerals is not None:
            weighted = weighted[(groups != ENERGY) == minerals]
        return float(np.nansum(weighted))

    @cached_property
    def _weighted(self) -> tuple[np.ndarray, np.ndarray]:
        """Each cost row's present value (annual cost × discount weight; NaN for a year
        without a weight, left out of sums) and its group, as arrays."""
        frame = self.costs
        return ((frame["cost"] * frame["year"].map(self.discount)).to_numpy(dtype=float),
                frame["group"].to_numpy(dtype=object))

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
    parts = attributed(facts, names)
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


def attributed(facts: Facts, names: Names) -> pd.DataFrame:
    """Every cost the plan's tables let one attribute, as rows (group, country, category,
    year, M$/yr): processes to their chain (or the energy system), commodities likewise."""
    case = facts.chain.case
    processes = case.tables["processes"].set_index("process")
    group_of_process = _process_groups(names)
    # capital, fixed and variable O&M: whole columns at once (a row per new source and year
    # alive, ~30,000 on the reference, was most of the brief's time as tuples)
    frames = [*_investment_costs(facts, case, processes, group_of_process),
              _variable_om(facts, case, processes, group_of_process),
              *_by_commodity(facts, case, names),
              pd.DataFrame(list(_other_costs(facts, case, names, group_of_process, processes)),
                           columns=COLUMNS)]
    return pd.concat([f for f in frames if len(f)] or [frames[-1]], ignore_index=True)


def _om_factor(case, processes: pd.DataFrame, countries, process_names) -> np.ndarray:
    """The country's O&M factor for each (country, process) pair given."""
    factors, family = case.cost_factors, processes["family"].to_dict()
    return np.array([factors[k, family[p]][1] for k, p in zip(countries, process_names)],
                    dtype=float)


def _investment_costs(facts: Facts, case, processes: pd.DataFrame,
                      group_of_process: dict[str, str]) -> list[pd.DataFrame]:
    """``capital`` (overnight capex × CRF(country's rate, life)) and ``fixed_om`` (capacity ×
    fixed O&M × O&M factor) of every new source, in each year it is alive."""
    inv = facts.investments
    if inv.empty:
        return []
    rate = dict(zip(case.tables["countries"]["country"],
                    case.tables["countries"]["cost_of_capital"]))
    life = inv["process"].map(processes["lifetime"]).astype(int).to_numpy()
    recovery = [_crf(float(rate[k]), int(n)) for k, n in zip(inv["country"], life)]
    annuity = inv["capex"].to_numpy(dtype=float) * np.asarray(recovery, dtype=np.float64)
    fixed = inv["capacity"].to_numpy(dtype=float) * inv["process"].map(
        processes["fixed_om"]).to_numpy(dtype=float) * _om_factor(
        case, processes, inv["country"], inv["process"])
    years = np.array(list(facts.years), dtype=int)
    online = inv["online_year"].to_numpy(dtype=int)
    alive = (online[:, None] <= years[None, :]) & (years[None, :] < (online + life)[:, None])
    row, col = np.nonzero(alive)
    group = inv["process"].map(lambda p: group_of_process.get(p, ENERGY)).to_numpy(object)
    country = inv["country"].to_numpy(object)
    out = []
    for category, value in (("capital", annuity), ("fixed_om", fixed)):
        keep = value[row] != 0
        out.append(pd.DataFrame({"group": group[row[keep]], "country": country[row[keep]],
                                 "category": category, "year": years[col[keep]],
                                 "cost": value[row[keep]]}, columns=COLUMNS))
    return out


def _variable_om(facts: Facts, case, processes: pd.DataFrame,
                 group_of_process: dict[str, str]) -> pd.DataFrame:
    """``variable_om``: activity × var O&M × the country's O&M factor."""
    act = facts.activity
    act = act[act["activity"] != 0]
    if act.empty:
        return pd.DataFrame(columns=COLUMNS)
    vom = act["process"].map(processes["var_om"]).to_numpy(dtype=float) * _om_factor(
        case, processes, act["country"], act["process"])
    keep = vom != 0
    act = act[keep]
    return pd.DataFrame({
        "group": act["process"].map(lambda p: group_of_process.get(p, ENERGY)).to_numpy(object),
        "country": act["country"].to_numpy(object), "category": "variable_om",
        "year": act["year"].to_numpy(dtype=int),
        "cost": act["activity"].to_numpy(dtype=float) * vom[keep]}, columns=COLUMNS)


def _other_costs(facts: Facts, case, names: Names, group_of_process: dict[str, str],
                 processes: pd.DataFrame) -> Iterator[tuple[str, str, str, int, float]]:
    """Permitting premiums and stockpiles (the commodities' other costs: :func:`_by_commodity`)."""
    yield from _permitting(facts, case, group_of_process, processes)
    yield from _stockpile(facts, case, names.chain_of())


def _by_commodity(facts: Facts, case, names: Names) -> list[pd.DataFrame]:
    """The commodities' costs, to their chain: purchases, sales (negative), transport, tariff
    and unserved demand (× the penalty)."""
    chain_of = names.chain_of()
    dem = facts.demand
    if not dem.empty:
        dem = dem.assign(cost=dem["unserved"] * float(case.options.unserved_penalty))
    out = []
    for frame, column, category, sign, country in (
            (facts.table("purchases"), "cost", "purchases", 1.0, "country"),
            (facts.table("sales"), "revenue", "sales", -1.0, "country"),
            (facts.flows, "transport_cost", "transport", 1.0, "to_country"),
            (facts.flows, "tariff_cost", "tariff", 1.0, "to_country"),
            (dem, "cost", "unserved", 1.0, "country")):
        if frame.empty or column not in frame:
            continue
        value = frame[column].to_numpy(dtype=float)
        keep = (value != 0) & ~np.isnan(value)
        frame = frame[keep]
        out.append(pd.DataFrame({
            "group": frame["commodity"].map(lambda c: chain_of.get(c, ENERGY)).to_numpy(object),
            "country": frame[country].to_numpy(object), "category": category,
            "year": frame["year"].to_numpy(dtype=int), "cost": sign * value[keep]},
            columns=COLUMNS))
    return out


def _permitting(facts: Facts, case, group_of_process: dict[str, str],
                processes: pd.DataFrame) -> Iterator[tuple[str, str, str, int, float]]:
    from northam_plan.case.leadtimes import regimes

    permits = facts.table("permits")
    if permits.empty:
        return
    premium = {(k, f, g.name): g.premium for (k, f), options in regimes(case).items()
               for g in options}
    weights = facts.weights
    family_of = processes["family"].astype(str).to_dict()
    for rec in records(permits):
        family = family_of[rec.process]
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
