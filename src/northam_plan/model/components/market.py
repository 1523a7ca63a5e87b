r"""The world market: what outside suppliers sell to North America, and what the world buys
from it, at world prices.

North America is mostly a price-taker on the world's mineral markets: what it pays for an
import is the world price plus freight and tariffs, what it earns on an export the world price
less freight — not the running cost of a mine or refinery whose capital is sunk.
world_market.csv gives, per region r, commodity c, side and tier k, a price path
:math:`P_{r,c,k,t}` (M$/unit at r, FOB) and the most that can be traded a year
:math:`Q_{r,c,k,t}` (none = no limit):

* an **offer** (side ``offer``, the default) at an outside supplier r: tiers are the steps of
  an import supply curve (more is to be had at a higher price);
* a **bid** (side ``bid``) at a region r that exports: the world buys c at r's port at
  :math:`P` — the world price less the freight to the buyers (export parity).

With an unlimited offer at r' and an unlimited bid at r, the price of c in r (the dual of its
balance) lies between export parity and import parity, :math:`P^{bid}_r \le \pi_r \le
P^{offer}_{r'} + freight + tariff`, even where r's own plants run exactly at capacity and
nothing is traded at the margin. A price shock is a case that raises the paths.

Variables
    ``purchase[r, c, k, t]`` ≥ 0, ≤ :math:`Q_{r,c,k,t}` (unit/yr) — bought at an offer;
    ``sale[r, c, k, t]`` ≥ 0, ≤ :math:`Q_{r,c,k,t}` (unit/yr) — sold at a bid.

Balance terms
    ``purchase`` as supply of c in r (for tracked commodities, in the passport's balance with the
    tag mined in r — and processed there unless c is a mineral); ``sale`` as use of c in r (for
    tracked commodities, drawn from r's tags by the passport).

Costs (annual, M$/yr, country of the region)
    ``purchases``: :math:`P_{r,c,k,t} \cdot purchase_{r,c,k,t}`;
    ``sales``: :math:`- P_{r,c,k,t} \cdot sale_{r,c,k,t}` (revenue, a negative cost).
"""

from __future__ import annotations

import numpy as np

from northam_plan.model.algebra import columns, variables

NAME = "market"
REQUIRES: tuple[str, ...] = ()
SIDES = {"offer": ("purchase", 1.0, "purchases"), "bid": ("sale", -1.0, "sales")}


def trades(case, side: str) -> dict[tuple[str, str, str, int], tuple[float, float]]:
    """(price M$/unit, quantity unit/yr or inf) per (region, commodity, tier, model year) of
    one side of the market (``offer`` or ``bid``)."""
    market = case.tables["world_market"]
    if market.empty or not (market["side"] == side).any():
        return {}
    table = case.interpolated("world_market", ["region", "commodity", "side", "tier"],
                              ["price", "quantity"])
    table = table[table["side"] == side]
    return {(r, c, k, int(t)): (float(p), float(np.inf if np.isnan(q) else q))
            for r, c, k, t, p, q in table[["region", "commodity", "tier", "year", "price",
                                           "quantity"]].itertuples(index=False)}


def add(m, case, book) -> None:
    country_of = case.countries_of_regions
    for side, (name, sign, category) in SIDES.items():
        traded = trades(case, side)
        keys = list(traded)
        variables(m, name, keys, upper={key: q for key, (_, q) in traded.items()})  # inf: none
        book.declare(name, ("region", "commodity", "tier", "year"), "unit/yr",
                     output="operation")
        book.traded[name] = traded  # (price, quantity) per key, handed on (Book.traded)
        if not keys:
            continue
        quantity = columns(getattr(m, name))
        untracked = [i for i, (_, c, _, _) in enumerate(keys) if c not in case.tracked]
        if untracked:  # tracked ones enter the passport's balance per tag
            book.supply_many([keys[i][0] for i in untracked], [keys[i][1] for i in untracked],
                             [keys[i][3] for i in untracked], sign,
                             quantity[np.array(untracked, dtype=np.int64)])
        book.cost_many(category, [country_of[r] for r, _, _, _ in keys],
                       [t for *_, t in keys], [sign * traded[key][0] for key in keys],
                       quantity)
