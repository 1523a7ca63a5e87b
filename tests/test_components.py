"""Tiny cases with optima computed by hand, one or more per constraint family.

Every case uses discount rate 0 and cost of capital 0 unless it tests those, so that the
objective is a plain sum that the docstring works out.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from casekit import mine, solve_tiny, write_case

from northam_plan import load_case

run = solve_tiny


def demand(quantity, years, region="US", commodity="ore"):
    return [{"region": region, "commodity": commodity, "sector": "all", "year": y,
             "quantity": quantity} for y in years]


def test_activity_cost_and_price(tmp_path):
    """10 kt/yr of capacity at 2 M$/kt serves 8 kt/yr for 3 years: 3 · 8 · 2 = 48 M$;
    the price of ore is the marginal cost, 2 M$/kt."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=2.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": demand(8, [2025])}, end=2027)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(48.0)
    assert m.act["US", "mine", 2026].value == pytest.approx(8.0)
    assert plan.tables["prices"]["price"].tolist() == pytest.approx([2.0, 2.0, 2.0])


def test_lead_time_delays_first_build(tmp_path):
    """Lead time 3 from 2025: new capacity first in 2028. Demand 10/yr in 2025–2030 is unserved
    for three years at 100 M$/kt (3000) and then mined at 1 M$/kt (30): 3030 M$."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0, construction_years=3)],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
        "demand": demand(10, [2025])}, end=2030)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(3030.0)
    assert ("US", "mine", 2027) not in m.build  # nothing can come online before the lead time
    assert pyo.value(m.build["US", "mine", 2028]) == pytest.approx(10.0)
    investments = plan.tables["investments"]
    assert investments[["online_year", "permit_start_year"]].values.tolist() == [[2028, 2025]]
    unserved = plan.tables["unserved"].set_index("year")["unserved"]
    assert unserved[2027] == pytest.approx(10.0) and unserved[2028] == pytest.approx(0.0)


def test_country_construction_years_override_default(tmp_path):
    """Default construction 0 years, but 2 years in the US: first build 2027; 2 years unserved
    (2000) plus 2 years mined at 1 M$/kt (20)."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0, construction_years=0)],
        "construction_times": [{"process": "mine", "country": "US", "construction_years": 2}],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
        "demand": demand(10, [2025])}, end=2028)
    _, _, result, _ = run(path)
    assert result.objective == pytest.approx(2020.0)


def test_lifetime_retires_capacity_and_capital_counts_inside_horizon(tmp_path):
    """capex 10 M$ per kt/yr, life 2, cost of capital 0 → 5 M$ per kt/yr per year of life.
    Demand 10 in 2025–2027: build 10 in 2025 (alive 2025–26) and 10 in 2027 (alive 2027–28,
    but only 2027 lies in the horizon): capital 3 · 5 · 10 = 150 M$."""
    path = write_case(tmp_path, {
        "processes": [mine(capex=10.0, lifetime=2)],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
        "demand": demand(10, [2025])}, end=2027)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(150.0)
    assert pyo.value(m.build["US", "mine", 2025]) == pytest.approx(10.0)
    assert pyo.value(m.build["US", "mine", 2027]) == pytest.approx(10.0)
    assert m.cap["US", "mine", 2027]() == pytest.approx(10.0)  # the 2025 vintage is gone
    assert plan.costs["capital"] == pytest.approx(150.0)


def test_existing_capacity_retires(tmp_path):
    """Existing 10 kt/yr retiring in 2027 serves 2025–26 at 1 M$/kt; 2027 is unserved (1000)."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10,
                               "retirement_year": 2027}],
        "demand": demand(10, [2025])}, end=2027)
    _, _, result, _ = run(path)
    assert result.objective == pytest.approx(2 * 10 + 1000.0)


def test_capital_annualised_with_country_cost_of_capital(tmp_path):
    """capex 100, life 10, cost of capital 10 %: CRF = 0.1 / (1 − 1.1⁻¹⁰) = 0.16274539…;
    one year, 5 kt/yr built: 5 · 100 · CRF = 81.3727 M$."""
    path = write_case(tmp_path, {
        "countries": [{"country": "US", "cost_of_capital": 0.10}],
        "processes": [mine(capex=100.0, lifetime=10)],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
        "demand": demand(5, [2025])})
    _, _, result, _ = run(path)
    assert result.objective == pytest.approx(5 * 100 * 0.1 / (1 - 1.1 ** -10))


def test_discounting_and_year_step(tmp_path):
    """Years 2025 and 2030 (step 5), 1 M$/kt, 10 kt/yr, discount 10 %:
    W_2025 = Σ_{y=0..4} 1.1^-y, W_2030 = Σ_{y=5..9} 1.1^-y; objective = 10 · Σ_{y=0..9} 1.1^-y."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": demand(10, [2025])}, end=2034, step=5, discount_rate=0.1)
    case, _, result, plan = run(path)
    assert case.years == (2025, 2030)
    assert result.objective == pytest.approx(10 * sum(1.1 ** -y for y in range(10)))
    costs = plan.tables["costs"].set_index("category")
    assert costs.at["variable_om", "undiscounted"] == pytest.approx(100.0)


def test_max_build_per_year(tmp_path):
    """At most 4 kt/yr may be added per year; demand 10 in 2025–2026: build 4 + 4, so 6 then 2
    unserved (800 M$) and 4 + 8 mined at 1 M$/kt (12 M$)."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0, max_build=4.0)],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
        "demand": demand(10, [2025])}, end=2026)
    _, _, result, _ = run(path)
    assert result.objective == pytest.approx(800.0 + 12.0)


def test_unserved_demand_priced(tmp_path):
    """Demand 12 against 10 kt/yr of capacity: 2 unserved at 100 M$/kt, price 100 M$/kt."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": demand(12, [2025])})
    _, _, result, plan = run(path)
    assert result.objective == pytest.approx(10 + 200.0)
    assert plan.tables["unserved"]["unserved"].tolist() == pytest.approx([2.0])
    assert plan.tables["prices"]["price"].tolist() == pytest.approx([100.0])


def test_availability_limits_activity(tmp_path):
    """availability 0.8 of 10 kt/yr: 8 served, 2 unserved → 8 + 200 = 208 M$."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0, availability=0.8)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": demand(10, [2025])})
    _, _, result, _ = run(path)
    assert result.objective == pytest.approx(208.0)


def test_process_inputs_and_byproducts(tmp_path):
    """A refinery makes 1 kt metal from 2 kt ore (+0.5 kt slag by-product); ore costs 1 M$/kt
    to mine, refining 3 M$/kt. Demand 5 kt metal: 10 kt ore → 10 + 15 = 25 M$; the price of
    metal is 3 + 2 · 1 = 5 M$/kt."""
    path = write_case(tmp_path, {
        "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt"},
                        {"commodity": "metal", "kind": "material", "unit": "kt"},
                        {"commodity": "slag", "kind": "material", "unit": "kt"}],
        "processes": [mine(var_om=1.0),
                      {"process": "refinery", "family": "refinery", "main_output": "metal",
                       "capex": 0, "var_om": 3.0, "lifetime": 30, "construction_years": 0}],
        "process_io": [{"process": "refinery", "commodity": "ore", "side": "input", "ratio": 2},
                       {"process": "refinery", "commodity": "slag", "side": "output",
                        "ratio": 0.5}],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 100},
                              {"region": "US", "process": "refinery", "capacity": 100}],
        "demand": demand(5, [2025], commodity="metal")})
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(25.0)
    assert m.act["US", "mine", 2025].value == pytest.approx(10.0)
    prices = plan.tables["prices"].set_index("commodity")["price"]
    assert prices["metal"] == pytest.approx(5.0)


TRADE = {
    "countries": [{"country": c, "cost_of_capital": 0.0} for c in ("US", "CA", "CN")],
    "regions": [{"region": c, "country": c} for c in ("US", "CA", "CN")],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt",
                     "reference_price": 20.0}],
    "processes": [mine("mine_ca", var_om=5.0), mine("mine_cn", var_om=3.0)],
    "existing_capacity": [{"region": "CA", "process": "mine_ca", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CA", "to": "US", "commodity": "ore", "transport_cost": 1.0},
              {"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 2.0}],
    "demand": demand(10, [2025]),
}


@pytest.mark.parametrize("rate, objective, supplier", [
    (0.0, 50.0, "CN"),   # CN delivered 3 + 2 = 5 < CA 5 + 1 = 6
    (0.04, 58.0, "CN"),  # tariff 0.04 · 20 = 0.8: CN 5.8 < 6, CN still ships, paying 8 M$
    (0.10, 60.0, "CA"),  # tariff 0.10 · 20 = 2: CN 7 > 6, sourcing shifts to Canada
])
def test_tariff_shifts_sourcing_beyond_transport_difference(tmp_path, rate, objective,
                                                             supplier):
    path = write_case(tmp_path, {**TRADE, "tariffs": [
        {"from": "CN", "to": "US", "commodity": "ore", "rate": rate}]})
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(objective)
    assert m.flow[supplier, "US", "ore", 2025].value == pytest.approx(10.0)
    flows = plan.tables["flows"]
    assert flows["tariff_cost"].sum() == pytest.approx(8.0 if rate == 0.04 else 0.0)


def test_tariff_applies_only_in_its_years(tmp_path):
    """Tariff of 0.10 on CN ore from 2026 only: 2025 from CN (50), 2026 from CA (60)."""
    path = write_case(tmp_path, {**TRADE, "tariffs": [
        {"from": "CN", "to": "US", "commodity": "ore", "start_year": 2026, "rate": 0.10}]},
        end=2026)
    _, m, result, _ = run(path)
    assert result.objective == pytest.approx(110.0)
    assert m.flow["CA", "US", "ore", 2026].value == pytest.approx(10.0)


def test_link_loss_and_capacity(tmp_path):
    """CN→US costs 3 + 1 per kt shipped, loses 20 % and carries at most 5 kt/yr: each kt
    delivered costs 4 / 0.8 = 5 < Canada's 6, so the link is full: 5 shipped (20 M$), 4
    delivered, and the other 6 come from Canada (36 M$): 56 M$. One more kt of link capacity
    saves 0.8 · 6 − 4 = 0.8 M$, so its dual is −0.8 (≤ 0 for a ≤ limit)."""
    links = [{"from": "CA", "to": "US", "commodity": "ore", "transport_cost": 1.0},
             {"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0,
              "loss": 0.2, "capacity": 5.0}]
    path = write_case(tmp_path, {**TRADE, "links": links})
    _, m, result, _ = run(path)
    assert result.objective == pytest.approx(56.0)
    assert m.flow["CN", "US", "ore", 2025].value == pytest.approx(5.0)
    assert m.dual[m.flow_max["CN", "US", "ore", 2025]] == pytest.approx(-0.8)


def test_mines_are_built_only_on_known_reserves(tmp_path):
    """Without a reserves row the mine cannot be built: all demand is unserved (100 M$)."""
    path = write_case(tmp_path, {"processes": [mine(var_om=1.0)],
                                 "demand": demand(1, [2025])})
    _, m, result, _ = run(path)
    assert len(m.build) == 0
    assert result.objective == pytest.approx(100.0)


def test_demand_interpolates_between_given_years(tmp_path):
    """Demand 10 in 2025 and 20 in 2027 → 15 in 2026; unserved at 100 M$/kt: 4500 M$."""
    path = write_case(tmp_path, {"processes": [mine()],
                                 "demand": demand(10, [2025]) + demand(20, [2027])},
                      end=2027)
    case, _, result, _ = run(path)
    assert case.demand_by_year["quantity"].tolist() == [10.0, 15.0, 20.0]
    assert result.objective == pytest.approx(4500.0)


def test_interpolated_per_key_unsorted_rows_and_empty_cells(tmp_path):
    """Rows given out of order: US ore 10 (2025) → 30 (2029) gives 20 in 2027; CA's one year
    holds throughout. Keys come sorted (CA before US), with every model year each. A value
    empty on every row of its key stays empty; an empty table gives no rows."""
    path = write_case(tmp_path, {
        "countries": [{"country": "US", "cost_of_capital": 0.0},
                      {"country": "CA", "cost_of_capital": 0.0}],
        "regions": [{"region": "US", "country": "US"}, {"region": "CA", "country": "CA"}],
        "processes": [mine()],
        "demand": demand(30, [2029]) + demand(5, [2026], region="CA") + demand(10, [2025])},
        end=2029, step=2)
    case = load_case(path)
    frame = case.demand_by_year
    assert frame["region"].tolist() == ["CA"] * 3 + ["US"] * 3
    assert frame["year"].tolist() == [2025, 2027, 2029] * 2
    assert frame["quantity"].tolist() == [5.0, 5.0, 5.0, 10.0, 20.0, 30.0]
    missing = case.tables["demand"].assign(year=[2029, 2026, 2025],
                                           quantity=[float("nan"), 5.0, float("nan")])
    object.__setattr__(case, "tables", {**case.tables, "demand": missing})
    again = case.interpolated("demand", ["region", "commodity", "sector"], ["quantity"])
    assert again["quantity"].iloc[:3].tolist() == [5.0, 5.0, 5.0]
    assert again["quantity"].iloc[3:].isna().all()
    empty = case.tables["demand"].iloc[:0]
    object.__setattr__(case, "tables", {**case.tables, "demand": empty})
    assert case.interpolated("demand", ["region", "commodity", "sector"], ["quantity"]).empty
