"""Security tables of a plan, per bloc (blocs.csv), commodity and year.

* ``security`` — ``use`` (final demand + process inputs in the bloc), ``production``,
  ``exports`` (out of the bloc), ``self_sufficiency`` = (production − exports) / use,
  ``top_supplier`` and ``top_supplier_share`` (largest outside country's share of use),
  ``hhi`` (Herfindahl–Hirschman index, 0–1, of the sources of the bloc's supply: each member
  country's own output net of exports, each outside supplier), ``stock`` and
  ``stock_cover_days`` (bloc stock — national stocks and shared reserves — in days of final
  demand), ``unserved``, and
  ``cost_of_security`` — the dual of the sourcing floor in M$ per unit of that year ($/kg
  for kt), empty where no floor applies;
* ``security_imports`` — imports by outside supplier: quantity delivered, share of use, and
  ``cap_cost`` (dual of the supplier cap, M$/unit of that year, ≤ 0 when it binds);
* ``security_costs`` — every security constraint's dual in M$ per unit of that year.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.model.components.activity import process_ratios
from northam_plan.model.components.security import bloc_members
from northam_plan.plan.frames import items_of

SECURITY_COLUMNS = ["bloc", "commodity", "year", "use", "production", "exports",
                    "self_sufficiency", "top_supplier", "top_supplier_share", "hhi", "stock",
                    "stock_cover_days", "unserved", "cost_of_security"]
IMPORT_COLUMNS = ["bloc", "commodity", "year", "supplier", "quantity", "share", "cap_cost"]


def security_tables(m, case, tables, probability: float = 1.0) -> dict[str, pd.DataFrame]:
    """``m`` is the model or a scenario's block; duals are divided by the scenario's
    probability and the year's discount weight, to M$ per unit of that year."""
    members = bloc_members(case)
    country_of = case.countries_of_regions
    discount = {t: w * probability for t, w in case.discount_weights.items()}
    top = m.model()
    duals = top.dual if hasattr(top, "dual") else {}
    costs = _security_costs(m, duals, discount)
    if not members:
        return {"security": pd.DataFrame(columns=SECURITY_COLUMNS),
                "security_imports": pd.DataFrame(columns=IMPORT_COLUMNS),
                "security_costs": costs}

    ratios = pd.DataFrame([(p, c, x) for p, items in process_ratios(case).items()
                           for c, x in items], columns=["process", "commodity", "ratio"])
    act = tables["activity"].merge(ratios, on="process")
    act["amount"] = act["activity"] * act["ratio"]
    flows = tables["flows"].copy()
    loss = {(a, b, c): x for a, b, c, x in case.tables["links"][
        ["from", "to", "commodity", "loss"]].itertuples(index=False)}
    flows["delivered"] = [q * (1 - loss[a, b, c]) for a, b, c, q in
                          flows[["from", "to", "commodity", "quantity"]].itertuples(index=False)]
    flows["from_country"] = flows["from"].map(country_of)
    flows["to_country"] = flows["to"].map(country_of)
    demand = case.demand_by_year.assign(country=lambda d: d["region"].map(country_of))
    unserved = tables["unserved"].assign(country=lambda d: d["region"].map(country_of))
    stock = _stock(m, country_of, members)
    floors = dict(m.regional_share_min.items()) if hasattr(m, "regional_share_min") else {}
    caps = dict(m.supplier_share_max.items()) if hasattr(m, "supplier_share_max") else {}

    rows, imports = [], []
    for bloc, ks in sorted(members.items()):
        inside = act["country"].isin(ks)
        out_ = act[inside & (act["amount"] > 0)].groupby(["country", "commodity", "year"])[
            "amount"].sum()
        inputs = -act[inside & (act["amount"] < 0)].groupby(["commodity", "year"])[
            "amount"].sum()
        final = demand[demand["country"].isin(ks)].groupby(["commodity", "year"])[
            "quantity"].sum()
        use = final.add(inputs, fill_value=0.0)
        leaving = flows[flows["from_country"].isin(ks) & ~flows["to_country"].isin(ks)]
        exports = leaving.groupby(["from_country", "commodity", "year"])["quantity"].sum()
        arriving = flows[~flows["from_country"].isin(ks) & flows["to_country"].isin(ks)]
        received = arriving.groupby(["from_country", "commodity", "year"])["delivered"].sum()
        short = unserved[unserved["country"].isin(ks)].groupby(["commodity", "year"])[
            "unserved"].sum().to_dict()
        final_use_of = final.to_dict()
        made_in, sent_from, received_from = (_by_commodity_year(series)
                                             for series in (out_, exports, received))
        for (c, t), u in use.items():
            if u <= 1e-9:
                continue
            made, gone = made_in.get((c, t), {}), sent_from.get((c, t), {})
            produced = sum(made.values())
            own = {k: v - gone.get(k, 0.0) for k, v in made.items()}
            sent = sum(gone.values())
            suppliers = received_from.get((c, t), {})
            sources = np.array([max(v, 0.0) for v in [*own.values(), *suppliers.values()]])
            shares = sources / sources.sum() if sources.sum() > 0 else sources
            top = max(suppliers, key=suppliers.get) if suppliers else ""
            held = stock.get((bloc, c, t), 0.0)
            final_use = final_use_of.get((c, t), 0.0)
            floor = floors.get((bloc, c, t))
            rows.append((  # in the order of SECURITY_COLUMNS
                bloc, c, t, u, produced, sent, (produced - sent) / u,
                top, suppliers.get(top, 0.0) / u, float((shares ** 2).sum()), held,
                held / final_use * 365 if final_use > 0 else np.nan,  # stock_cover_days
                short.get((c, t), 0.0),  # unserved
                duals.get(floor, np.nan) / discount[t] if floor is not None else np.nan))
            for k, q in sorted(suppliers.items()):  # in the order of IMPORT_COLUMNS
                con = caps.get((bloc, c, k, t))
                imports.append((bloc, c, t, k, q, q / u, duals.get(con, np.nan) / discount[t]
                                if con is not None else np.nan))
    return {"security": pd.DataFrame(rows, columns=SECURITY_COLUMNS),
            "security_imports": pd.DataFrame(imports, columns=IMPORT_COLUMNS),
            "security_costs": costs}


def _by_commodity_year(series: pd.Series) -> dict:
    """(commodity, year) → {country: value} of a Series indexed by (country, commodity,
    year), countries in the Series' order."""
    grouped: dict = defaultdict(dict)
    for (k, c, t), v in items_of(series):
        grouped[c, t][k] = v
    return grouped


def _stock(m, country_of, members) -> dict:
    """Stock held per (bloc, commodity, year), unit: its members' national stocks and its
    shared reserves (the guarantee component)."""
    held: dict = {}
    for (r, c, t), var in (m.stock.items() if hasattr(m, "stock") else []):
        for bloc, ks in members.items():
            if country_of[r] in ks:
                held[bloc, c, t] = held.get((bloc, c, t), 0.0) + (var.value or 0.0)
    for (bloc, c, t), var in (m.reserve_stock.items() if hasattr(m, "reserve_stock") else []):
        held[bloc, c, t] = held.get((bloc, c, t), 0.0) + (var.value or 0.0)
    return held


def _security_costs(m, duals, discount) -> pd.DataFrame:
    rows = []
    for name, label in (("regional_share_min", "regional share"),
                        ("supplier_share_max", "supplier cap"),
                        ("export_max", "export limit")):
        if not hasattr(m, name):
            continue
        for key, con in getattr(m, name).items():
            *where, t = key
            rows.append({"constraint": label, "where": " / ".join(map(str, where)),
                         "year": t, "cost": duals.get(con, np.nan) / discount[t]})
    return pd.DataFrame(rows, columns=["constraint", "where", "year", "cost"])
