r"""The world market: what outside suppliers sell to North America at world prices.

North America is mostly a price-taker on the world's mineral markets: what it pays for an
import is the world price plus freight and tariffs, not the running cost of a mine or refinery
abroad whose capital is sunk. world_market.csv gives, per supplier region r, commodity c and
tier k, a price path :math:`P_{r,c,k,t}` (M$/unit at r, FOB) and the most that can be bought a
year :math:`Q_{r,c,k,t}` (none = no limit); tiers are the steps of an import supply curve (more
is to be had at a higher price). Where an import is the marginal supply, the price of c in a
North American region is then :math:`P + freight + tariff` — the market's price — and a price
shock is a case that raises the path.

Variables
    ``purchase[r, c, k, t]`` ≥ 0, ≤ :math:`Q_{r,c,k,t}` (unit/yr) — bought on the world market
    at r.

Balance terms
    ``purchase`` as supply of c in r (for tracked commodities, in the passport's balance with the
    tag mined in r — and processed there unless c is a mineral).

Costs (annual, M$/yr, country of the supplier region)
    ``purchases``: :math:`P_{r,c,k,t} \cdot purchase_{r,c,k,t}`.
"""

from __future__ import annotations

import numpy as np

from northam_plan.model.algebra import columns, variables

NAME = "market"
REQUIRES: tuple[str, ...] = ()


def offers(case) -> dict[tuple[str, str, str, int], tuple[float, float]]:
    """(price M$/unit, quantity unit/yr or inf) per (region, commodity, tier, model year)."""
    if case.tables["world_market"].empty:
        return {}
    table = case.interpolated("world_market", ["region", "commodity", "tier"],
                              ["price", "quantity"])
    return {(r, c, k, int(t)): (float(p), float(np.inf if np.isnan(q) else q))
            for r, c, k, t, p, q in table[["region", "commodity", "tier", "year", "price",
                                           "quantity"]].itertuples(index=False)}


def add(m, case, book) -> None:
    offered = offers(case)
    keys = list(offered)
    variables(m, "purchase", keys, bounds=lambda b, r, c, k, t: (
        0.0, None if np.isinf(offered[r, c, k, t][1]) else offered[r, c, k, t][1]))
    book.declare("purchase", ("region", "commodity", "tier", "year"), "unit/yr")
    m.purchase_keys, m.purchase_offers = keys, offered  # read back by the extraction
    if not keys:
        return
    bought = columns(m.purchase)
    untracked = [i for i, (_, c, _, _) in enumerate(keys) if c not in case.tracked]
    if untracked:
        book.supply_many([keys[i][0] for i in untracked], [keys[i][1] for i in untracked],
                         [keys[i][3] for i in untracked], 1.0,
                         bought[np.array(untracked, dtype=np.int64)])
    country_of = case.countries_of_regions
    book.cost_many("purchases", [country_of[r] for r, _, _, _ in keys],
                   [t for *_, t in keys], [offered[key][0] for key in keys], bought)
