"""Passport tables of a plan: the origin of every delivery of a tracked commodity.

* ``passport`` — per destination region, commodity and year, the quantity delivered to final
  demand (unit/yr) by (mined_in, processed_in) country ('' = not processed) and its ``share``
  of the region's deliveries (the shares of a delivery sum to 1), with ``satisfies``: the
  rules the delivery meets ('; '-separated) — the case's content rules and forced-labour
  exclusions for that destination, and "mined in B" / "processed in B" for every bloc B;
* ``passport_summary`` — per destination region, commodity, year and rule, the ``share`` of
  deliveries that comply, the ``required`` share (content rules; 1 for exclusions; empty for
  the bloc indicators) and the rule's ``cost`` (dual of the content rule, M$ per unit of that
  year);
* ``tariff_revenue`` — tariff paid (M$/yr) per origin country (the country the tariff is
  levied on: shipper, mined-in or processed-in, per ``basis``), importing country, commodity
  and year, with the quantity it was levied on (unit/yr), for all flows.

It also puts the flows' tariffs of tracked commodities into ``flows`` and their prices (the
largest dual of the region's tagged balances) into ``prices``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import xarray as xr

from northam_plan.model.components.passport import origin_in, places
from northam_plan.model.components.security import bloc_members, spans
from northam_plan.plan.labelled import labelled
from northam_plan.plan.units import ZERO_TOLERANCE

TINY = ZERO_TOLERANCE  # the one tolerance of every table (plan/units.py)
PASSPORT_COLUMNS = ["region", "country", "commodity", "year", "mined_in", "processed_in",
                    "quantity", "share", "satisfies"]
SUMMARY_COLUMNS = ["region", "country", "commodity", "year", "rule", "share", "required",
                   "cost"]


#: the tables :func:`passport_tables` makes (``tariff_revenue`` is :func:`tariff_tables`')
PASSPORT_TABLES = ("passport", "passport_summary")


def tariff_tables(m, case, tables, probability: float = 1.0) -> dict[str, pd.DataFrame]:
    """``tariff_revenue`` of the model or scenario block ``m``; completes ``tables`` (the plan's
    tables so far) for tracked commodities: their flows' tariffs (paid per origin) into
    ``flows``, their prices into ``prices``. Whether or not the passport tables are made."""
    revenue = _revenue(m, tables["flows"], case.countries_of_regions)
    if hasattr(m, "deliver_tag"):
        top = m.model()
        duals = top.dual if hasattr(top, "dual") else {}
        discount = {t: w * probability for t, w in case.discount_weights.items()}
        tables["prices"] = _prices(m, tables["prices"], duals, discount)
    return {"tariff_revenue": revenue}


def passport_tables(m, case, probability: float = 1.0) -> dict[str, pd.DataFrame]:
    """:data:`PASSPORT_TABLES` of the model or scenario block ``m`` (the module docstring)."""
    if not hasattr(m, "deliver_tag"):
        return {"passport": pd.DataFrame(columns=PASSPORT_COLUMNS),
                "passport_summary": pd.DataFrame(columns=SUMMARY_COLUMNS)}
    top = m.model()
    duals = top.dual if hasattr(top, "dual") else {}
    discount = {t: w * probability for t, w in case.discount_weights.items()}
    country_of = case.countries_of_regions
    rules = _rules(case)
    rows = []
    totals: dict = defaultdict(float)
    for (r, c, mr, pr, t), var in m.deliver_tag.items():
        q = var.value or 0.0
        if q > TINY:
            rows.append((r, c, t, (mr, pr), q))
            totals[r, c, t] += q
    content = dict(m.content_share_min.items())
    passport = []
    summary: dict[tuple, list[float]] = defaultdict(lambda: [0.0, np.nan, np.nan])
    for r, c, t, o, q in rows:
        met = []
        for name, (dests, rc, names, basis, years, required, key) in rules.items():
            if (rc and rc != c) or t not in years or not (country_of[r] in dests or r in dests):
                continue
            ok = origin_in(o, names, basis, country_of)
            ok = not ok if name.startswith("excluded") else ok
            cell = summary[r, c, t, name]
            cell[0] += q * ok / totals[r, c, t]
            cell[1] = required.get(t, np.nan) if isinstance(required, dict) else required
            if key is not None and (*key, t) in content:
                cell[2] = duals.get(content[(*key, t)], np.nan) / discount[t]
            if ok:
                met.append(name)
        passport.append((r, country_of[r], c, t, country_of[o[0]],  # mined_in
                         country_of[o[1]] if o[1] else "", q, "; ".join(met)))
    frame = pd.DataFrame(passport, columns=[c for c in PASSPORT_COLUMNS if c != "share"])
    keys = ["region", "country", "commodity", "year", "mined_in", "processed_in"]
    frame = frame.groupby(keys, as_index=False).agg(
        quantity=("quantity", "sum"), satisfies=("satisfies", "first"))
    frame["share"] = frame["quantity"] / frame.groupby(["region", "commodity", "year"])[
        "quantity"].transform("sum")
    summary_frame = pd.DataFrame(
        [(r, country_of[r], c, t, name, v[0], v[1], v[2])
         for (r, c, t, name), v in sorted(summary.items())], columns=SUMMARY_COLUMNS)
    return {"passport": frame[PASSPORT_COLUMNS], "passport_summary": summary_frame}


def _rules(case) -> dict[str, tuple]:
    """name -> (destination places, commodity or '', origin places, basis, years, required
    share (per year) or None, content-rule key or None)."""
    named = places(case)
    every = set(named)
    out: dict[str, tuple] = {}
    for bloc, ks in sorted(bloc_members(case).items()):
        for basis in ("mined", "processed"):
            out[f"{basis} in {bloc}"] = (every, "", set(ks), basis, set(case.years),
                                         np.nan, None)
    shares = spans(case, "content_rules", ["destination", "commodity", "origin", "basis"],
                   "share")
    by_rule: dict[tuple, dict[int, float]] = defaultdict(dict)
    for (dest, c, origin, basis, t), share in shares.items():
        by_rule[dest, c, origin, basis][t] = share
    for (dest, c, origin, basis), required in by_rule.items():
        out[f"content {origin} ({basis}) to {dest}"] = (
            named[dest] | {dest}, c, named[origin], basis, set(required), required,
            (dest, c, origin, basis))
    flagged = spans(case, "forced_labour", ["origin", "destination", "commodity", "basis"],
                    "origin")
    years = defaultdict(set)
    for (origin, dest, c, basis, t) in flagged:
        years[origin, dest, c, basis].add(t)
    for (origin, dest, c, basis), ts in years.items():
        out[f"excluded {origin} ({basis}) to {dest}" + (f" [{c}]" if c else "")] = (
            named[dest] | {dest}, c, {origin}, basis if basis != "both" else "either", ts,
            1.0, None)
    return out


def _revenue(m, flows: pd.DataFrame, country_of) -> pd.DataFrame:
    """Tariff revenue per (origin country, importing country, commodity, year, basis)."""
    # rows in the order of the columns: from, to, commodity, year, basis, quantity, revenue
    rows = [(country_of[a], country_of[b], c, t, "shipper", q, cost)
            for a, b, c, t, q, cost in flows[["from", "to", "commodity", "year", "quantity",
                                              "tariff_cost"]].itertuples(index=False)
            if cost > 0]
    extra: dict[tuple, float] = defaultdict(float)
    for key, paid in m.book.passport_tariffs.items():
        a, b, c, (mr, pr), t = key
        q = m.flow_tag[a, b, c, mr, pr, t].value or 0.0
        if q <= TINY:
            continue
        for basis, k, unit in paid:
            rows.append((k, country_of[b], c, t, basis, q, q * unit))
            extra[a, b, c, t] += q * unit
    if extra:  # tracked flows pay per origin: complete the allocation plan
        keys = list(flows[["from", "to", "commodity", "year"]].itertuples(index=False,
                                                                          name=None))
        flows["tariff_cost"] = flows["tariff_cost"] + [extra.get(k, 0.0) for k in keys]
    columns = ["from", "to", "commodity", "year", "basis", "quantity", "revenue"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.groupby(columns[:5], as_index=False)[["quantity", "revenue"]].sum()


def _prices(m, prices: pd.DataFrame, duals, discount) -> pd.DataFrame:
    """Prices of tracked commodities: the largest tagged-balance dual of the region."""
    best: dict = {}
    for (r, c, _, _, t), con in m.tagged_balance.items():
        value = duals.get(con, np.nan) / discount[t]
        if not np.isnan(value):
            best[r, c, t] = max(value, best.get((r, c, t), -np.inf))
    extra = pd.DataFrame([{"region": r, "commodity": c, "year": t, "price": v}
                          for (r, c, t), v in sorted(best.items())])
    return pd.concat([prices, extra], ignore_index=True) if len(extra) else prices


def passport_arrays(tables) -> dict[str, xr.DataArray]:
    """``passport`` (quantity, unit/yr) and ``passport_share`` on (region, commodity, year,
    mined_in, processed_in) for plan.nc; nothing when no commodity is tracked."""
    frame = tables.get("passport")
    if frame is None or frame.empty:
        return {}
    index = frame.set_index(["region", "commodity", "year", "mined_in", "processed_in"])
    out = {}
    for name, column, unit in (("passport", "quantity", "unit/yr"),
                               ("passport_share", "share", "1")):
        out[name] = labelled(index[column])
        out[name].attrs["unit"] = unit
    return out
