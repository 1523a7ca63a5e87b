"""Tables of the crisis guarantee and the joint finance facility (components guarantee and
finance), with labelled arrays for ``plan.nc`` and ``compare``.

* ``guarantee`` — per bloc with a shared reserve or a crisis policy, commodity, member country
  and model year (quantities in the ``unit`` column's commodity unit): ``demand`` and
  ``unserved`` (unit/yr; their ratio, the curtailment, is ``share`` in ``unserved.csv``),
  ``drawn`` from the shared reserve (unit/yr), ``stock_held`` (unit: the member's national
  stock of stockpiles.csv plus its cost share of the shared reserve), ``exports_to_members``
  (unit/yr), ``crisis`` (the policy in a crisis year, else empty);
* ``finance`` — per facility and model year: ``budget`` (M$/yr), ``financed`` (M$ of
  overnight capex), ``shadow_price`` (M$ of that year saved per M$ more budget: minus the
  dual of ``finance_budget_max`` divided by the year's discount weight) and
  ``shadow_price_pv`` (present value, M$ per M$).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import xarray as xr

from northam_plan.model.components.finance import budgets
from northam_plan.model.components.guarantee import cost_shares, crisis_policies
from northam_plan.model.components.security import bloc_members
from northam_plan.plan.labelled import labelled

GUARANTEE_COLUMNS = ["bloc", "commodity", "country", "year", "crisis", "demand", "unserved",
                     "drawn", "stock_held", "exports_to_members"]
FINANCE_COLUMNS = ["facility", "year", "budget", "financed", "shadow_price", "shadow_price_pv"]


def _values(component) -> dict:
    if component is None:
        return {}
    return {key: (var.value or 0.0) for key, var in component.items()}


def guarantee_tables(top, ops, case, tables, probability: float = 1.0
                     ) -> dict[str, pd.DataFrame]:
    """``top``: the model; ``ops``: the model or a scenario's block (its operations)."""
    out = {}
    reserves = case.tables["shared_reserves"]
    policies = crisis_policies(case)
    if len(reserves) or policies:
        out["guarantee"] = _guarantee(ops, case, tables, reserves, policies)
    if budgets(case):
        out["finance"] = _finance(top, case, probability)
    return out


def _guarantee(ops, case, tables, reserves, policies) -> pd.DataFrame:
    country_of = case.countries_of_regions
    members = bloc_members(case)
    stock = _values(getattr(ops, "reserve_stock", None))
    national = _values(getattr(ops, "stock", None))
    draws = _values(getattr(ops, "reserve_draw", None))
    hosts = {(b, c): r for b, c, r in reserves[["bloc", "commodity", "region"]].itertuples(
        index=False)}
    commodities = defaultdict(set)
    for b, c in hosts:
        commodities[b].add(c)
    for b, c, _ in policies:
        commodities[b].add(c)
    unserved = tables["unserved"].assign(country=lambda d: d["region"].map(country_of)) \
        .groupby(["country", "commodity", "year"])[["demand", "unserved"]].sum()
    flows = tables["flows"]
    inside: dict[tuple, float] = defaultdict(float)
    for a, d, c, t, q in flows[["from", "to", "commodity", "year", "quantity"]].itertuples(
            index=False):
        inside[country_of[a], country_of[d], c, t] += q
    held_at_home: dict[tuple, float] = defaultdict(float)
    for (r, c, t), q in national.items():
        held_at_home[country_of[r], c, t] += q
    drawn: dict[tuple, float] = defaultdict(float)
    for (b, c, r, t), q in draws.items():
        drawn[b, c, country_of[r], t] += q

    rows = []
    for b in sorted(commodities):
        for c in sorted(commodities[b]):
            key = cost_shares(case, b, country_of[hosts[b, c]]) if (b, c) in hosts else {}
            for k in sorted(members.get(b, ())):
                for t in case.years:
                    dem, short = (unserved.loc[(k, c, t)].tolist()
                                  if (k, c, t) in unserved.index else (0.0, 0.0))
                    policy = policies.get((b, c, t))
                    rows.append({
                        "bloc": b, "commodity": c, "country": k, "year": t,
                        "crisis": policy[0] if policy else "",
                        "demand": dem, "unserved": short,
                        "drawn": drawn.get((b, c, k, t), 0.0),
                        "stock_held": held_at_home.get((k, c, t), 0.0)
                        + key.get(k, 0.0) * stock.get((b, c, t), 0.0),
                        "exports_to_members": sum(inside.get((k, j, c, t), 0.0)
                                                  for j in members[b] if j != k)})
    return pd.DataFrame(rows, columns=GUARANTEE_COLUMNS)


def _finance(top, case, probability: float) -> pd.DataFrame:
    offers = budgets(case)
    duals = top.dual if hasattr(top, "dual") else {}
    financed: dict[tuple, float] = defaultdict(float)
    for (f, _r, _p, t), q in _values(getattr(top, "financed", None)).items():
        financed[f, t] += q
    limits = dict(top.finance_budget_max.items()) if hasattr(top, "finance_budget_max") else {}
    rows = []
    for (f, t), (_, budget, *_) in sorted(offers.items()):
        con = limits.get((f, t))
        dual = duals.get(con, np.nan) if con is not None else np.nan
        pv = -dual + 0.0 if dual == dual else np.nan  # + 0.0: no −0
        rows.append({"facility": f, "year": t, "budget": budget,
                     "financed": financed.get((f, t), 0.0), "shadow_price_pv": pv,
                     "shadow_price": pv / case.discount_weights[t]})
    return pd.DataFrame(rows, columns=FINANCE_COLUMNS)


def guarantee_arrays(tables: dict[str, pd.DataFrame]) -> dict[str, xr.DataArray]:
    """Per member (``member_unserved``, ``member_stock_held``, ``member_drawn``: bloc,
    commodity, country, year) and per facility (``finance_shadow_price``: facility, year)."""
    out = {}
    frame = tables.get("guarantee")
    if frame is not None and len(frame):
        frame = frame.set_index(["bloc", "commodity", "country", "year"])
        for column, unit in (("unserved", "unit/yr"), ("stock_held", "unit"),
                             ("drawn", "unit/yr")):
            out[f"member_{column}"] = labelled(frame[column].astype(float))
            out[f"member_{column}"].attrs["unit"] = unit
    frame = tables.get("finance")
    if frame is not None and len(frame):
        series = frame.set_index(["facility", "year"])["shadow_price"].astype(float)
        out["finance_shadow_price"] = labelled(series)
        out["finance_shadow_price"].attrs["unit"] = "M$ per M$ of budget (of that year)"
    return out
