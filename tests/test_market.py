"""The world market (market component): import supply tiers at world prices, solved by hand.

Regions US and ROW. Ore: a US mine at 5 M$/kt (6 kt/yr, nothing more may be built); on the
world market at ROW, tier 1 is 3 kt/yr at 3 M$/kt and tier 2 unlimited at 4.5; freight ROW → US
1 M$/kt, no tariff; 10 kt/yr wanted in the US; discount rate 0.
"""

from __future__ import annotations

import pytest

from casekit import mine, solve_tiny, write_case
from northam_plan import CaseError, load_case

CASE = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "ROW", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US", "can_build": False},
                {"region": "ROW", "country": "ROW", "can_build": False}],
    "processes": [mine("mine_us", var_om=5.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 6}],
    "links": [{"from": "ROW", "to": "US", "commodity": "ore", "transport_cost": 1.0}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def offer(tier, price, quantity=None, year=2025):
    row = {"region": "ROW", "commodity": "ore", "tier": tier, "year": year, "price": price}
    return row if quantity is None else {**row, "quantity": quantity}


TIERS = [offer("1", 3.0, 3.0), offer("2", 4.5)]


def test_imports_up_the_supply_curve_set_the_price(tmp_path):
    """Tier 1 (3 delivered at 4) first, then the US mine (6 at 5), then 1 kt of tier 2 at
    4.5 + 1 = 5.5: 12 + 30 + 5.5 = 47.5 M$. The US price is the marginal import's delivered
    price, 5.5 M$/kt — the world price plus freight, not a sunk mine's running cost — and
    the price at ROW is tier 2's 4.5."""
    _, m, result, plan = solve_tiny(write_case(tmp_path, {**CASE, "world_market": TIERS}))
    assert result.objective == pytest.approx(47.5)
    prices = plan.tables["prices"].set_index(["region", "commodity"])["price"]
    assert prices[("US", "ore")] == pytest.approx(5.5)
    assert prices[("ROW", "ore")] == pytest.approx(4.5)
    bought = plan.tables["purchases"].set_index("tier")
    assert bought["quantity"].to_dict() == pytest.approx({"1": 3.0, "2": 1.0})
    assert bought.at["1", "cost"] == pytest.approx(9.0)
    assert plan.costs["purchases"] == pytest.approx(9.0 + 4.5)


def test_price_path_is_interpolated_between_given_years(tmp_path):
    """Tier 2 at 4.5 in 2025 and 6.5 in 2027: 5.5 in 2026. The US price follows it while the
    tier is marginal: 5.5, 6.5, 7.5; the objective 47.5 + 48.5 + 49.5 = 145.5 M$."""
    path = write_case(tmp_path, {**CASE, "world_market": [
        offer("1", 3.0, 3.0), offer("2", 4.5), offer("2", 6.5, year=2027)]}, end=2027)
    _, _, result, plan = solve_tiny(path)
    assert result.objective == pytest.approx(145.5)
    prices = plan.tables["prices"]
    us = prices[(prices["region"] == "US") & (prices["commodity"] == "ore")]
    assert us.set_index("year")["price"].to_dict() == pytest.approx(
        {2025: 5.5, 2026: 6.5, 2027: 7.5})


def test_tracked_purchases_carry_their_origin_and_can_be_excluded(tmp_path):
    """Tracked ore bought at ROW is mined in ROW: same plan (47.5) with the passport; with
    ROW-mined ore excluded from the US, 6 kt from the US mine (30) and 4 kt unserved at 100
    (400): 430 M$."""
    tracked = {**CASE, "world_market": TIERS, "tracked": [{"commodity": "ore"}]}
    _, _, result, plan = solve_tiny(write_case(tmp_path / "a", tracked))
    assert result.objective == pytest.approx(47.5)
    _, _, result, _ = solve_tiny(write_case(tmp_path / "b", {**tracked, "forced_labour": [
        {"origin": "ROW", "destination": "US", "basis": "mined"}]}))
    assert result.objective == pytest.approx(430.0)


def test_a_tier_with_a_quantity_in_some_years_only_is_refused(tmp_path):
    path = write_case(tmp_path, {**CASE, "world_market": [
        offer("1", 3.0, 3.0), offer("1", 3.0, year=2030)]}, end=2030)
    with pytest.raises(CaseError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert str(problem.file).endswith("world_market.csv") and problem.line == 3
    assert problem.column == "quantity" and "in every year of the tier" in problem.message


# --- bids: the world buys at a region's port -----------------------------------------------

#: a US mine at 2 M$/kt with 12 kt/yr, 10 kt/yr wanted in the US, ROW sells unlimited at 4.5
#: (+1 freight); the world buys ore at the US port at 4 (export parity)
EXPORTER = {**CASE, "processes": [mine("mine_us", var_om=2.0)],
            "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 12}],
            "world_market": [offer("1", 4.5)]}


def bid(price, quantity=None):
    row = {"region": "US", "commodity": "ore", "side": "bid", "tier": "1", "year": 2025,
           "price": price}
    return row if quantity is None else {**row, "quantity": quantity}


def test_a_bid_sells_the_surplus_at_export_parity_which_sets_the_price(tmp_path):
    """The mine runs full: 10 for the US, 2 sold at 4: 24 − 8 = 16 M$. The sale is at the
    margin, so the US price is the bid's 4, not the mine's running cost 2."""
    _, _, result, plan = solve_tiny(write_case(tmp_path, {
        **EXPORTER, "world_market": [offer("1", 4.5), bid(4.0)]}))
    assert result.objective == pytest.approx(16.0)
    sold = plan.tables["sales"]
    assert sold[["quantity", "price", "revenue"]].iloc[0].tolist() == pytest.approx(
        [2.0, 4.0, 8.0])
    assert plan.costs["sales"] == pytest.approx(-8.0)
    prices = plan.tables["prices"].set_index(["region", "commodity"])["price"]
    assert prices[("US", "ore")] == pytest.approx(4.0)


def test_a_bid_that_binds_leaves_the_mine_at_the_margin(tmp_path):
    """At most 1 kt bought at 4: the mine makes 11 of 12 (22 − 4 = 18 M$) and sets the price."""
    _, _, result, plan = solve_tiny(write_case(tmp_path, {
        **EXPORTER, "world_market": [offer("1", 4.5), bid(4.0, 1.0)]}))
    assert result.objective == pytest.approx(18.0)
    prices = plan.tables["prices"].set_index(["region", "commodity"])["price"]
    assert prices[("US", "ore")] == pytest.approx(2.0)


def test_with_bid_and_offer_a_mine_at_capacity_is_priced_between_the_parities(tmp_path):
    """Capacity 10 = demand: nothing is traded and the dual is not unique, but it lies between
    export parity (4) and import parity (4.5 + 1 = 5.5), not at the mine's running cost 2."""
    case = {**EXPORTER, "world_market": [offer("1", 4.5), bid(4.0)],
            "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 10}]}
    _, _, result, plan = solve_tiny(write_case(tmp_path, case))
    assert result.objective == pytest.approx(20.0)
    assert plan.tables["sales"].empty
    price = plan.tables["prices"].set_index(["region", "commodity"]).at[("US", "ore"), "price"]
    assert 4.0 - 1e-9 <= price <= 5.5 + 1e-9


def test_a_tracked_sale_takes_the_sellers_tags(tmp_path):
    """Tracking alone changes nothing (16 M$); the 2 kt sold carry the US mine's tag."""
    _, m, result, _ = solve_tiny(write_case(tmp_path, {
        **EXPORTER, "world_market": [offer("1", 4.5), bid(4.0)],
        "tracked": [{"commodity": "ore"}]}))
    assert result.objective == pytest.approx(16.0)
    assert m.sale_tag["US", "ore", ("US", ""), 2025].value == pytest.approx(2.0)


def test_an_unknown_side_is_refused(tmp_path):
    path = write_case(tmp_path, {**EXPORTER, "world_market": [
        {**bid(4.0), "side": "buy"}]})
    with pytest.raises(CaseError) as error:
        load_case(path)
    [problem] = error.value.problems
    assert problem.column == "side" and "offer" in problem.message
