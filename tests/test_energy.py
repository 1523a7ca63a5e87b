"""Energy co-planning: electricity per time slice, interties, reserve margin, emissions.

Electricity (elec) in TWh, power capacity in GW (8.76 TWh per GW-year), money in M$,
discount rate 0, cost of capital 0, one year (2025) unless stated.
"""

from __future__ import annotations

import pandas as pd
import pytest

from casekit import write_case
from northam_plan import build_model, extract_plan, load_case, solve
from northam_plan.plan.energy import ENERGY_TABLES
from northam_plan.plan.write import write_plan

ELEC = {"commodity": "elec", "kind": "energy", "unit": "TWh", "timesliced": True}
METAL = {"commodity": "metal", "kind": "material", "unit": "kt"}
CO2 = {"commodity": "co2", "kind": "emission", "unit": "Mt"}
TWO = {"countries": [{"country": "US", "cost_of_capital": 0.0},
                     {"country": "CA", "cost_of_capital": 0.0}],
       "regions": [{"region": "A", "country": "US", "can_build": False},
                   {"region": "B", "country": "CA", "can_build": False}]}


def plant(name, var_om, capex=0.0, lifetime=30, credit=1.0, output="elec"):
    return {"process": name, "family": "power", "main_output": output, "capex": capex,
            "var_om": var_om, "lifetime": lifetime, "construction_years": 0,
            "activity_per_capacity": 8.76, "capacity_credit": credit}


def existing(region, process, capacity=100.0):
    return {"region": region, "process": process, "capacity": capacity}


def demand(region, commodity, quantity):
    return {"region": region, "commodity": commodity, "sector": "all", "year": 2025,
            "quantity": quantity}


def run(tmp_path, tables, **options):
    case = load_case(write_case(tmp_path, tables, **options))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


@pytest.mark.parametrize("transport, objective, site", [(1.0, 40.0, "B"), (10.0, 110.0, "A")])
def test_refinery_goes_where_electricity_is_cheap_if_transport_allows(tmp_path, transport,
                                                                      objective, site):
    """A refinery makes 1 kt of metal from 2 TWh (1 M$/kt besides). Power costs 5 M$/TWh in
    A (gas), 1 in B (hydro); metal is used in A. Refining in B: 1 + 2 + transport; in A:
    1 + 10 = 11. Transport 1 → B (4 · 10 = 40); transport 10 → A (110)."""
    refinery = {"process": "refinery", "family": "refinery", "main_output": "metal",
                "capex": 0.0, "var_om": 1.0, "lifetime": 30, "construction_years": 0}
    m, result, _ = run(tmp_path, {
        **TWO, "commodities": [ELEC, METAL],
        "processes": [refinery, plant("gas", 5.0), plant("hydro", 1.0)],
        "process_io": [{"process": "refinery", "commodity": "elec", "side": "input",
                        "ratio": 2.0}],
        "existing_capacity": [existing("A", "refinery"), existing("B", "refinery"),
                              existing("A", "gas", 10), existing("B", "hydro", 10)],
        "links": [{"from": "B", "to": "A", "commodity": "metal",
                   "transport_cost": transport}],
        "demand": [demand("A", "metal", 10)]})
    assert result.objective == pytest.approx(objective)
    assert m.act[site, "refinery", 2025].value == pytest.approx(10.0)


def test_binding_reserve_margin_and_its_dual(tmp_path):
    """Demand 8.76 TWh (1 GW on average, one slice) met by 1 GW of gas at 5 M$/TWh (43.8).
    A 20 % margin needs 1.2 GW firm: 0.2 GW more at 100 M$/GW (20): 63.8 M$. One more TWh/yr
    of firm requirement costs 100 / 8.76 = 11.4155 M$: the dual."""
    m, result, _ = run(tmp_path, {
        "commodities": [ELEC], "processes": [plant("gas", 5.0, capex=100.0, lifetime=1)],
        "existing_capacity": [existing("US", "gas", 1.0)],
        "reserve_margins": [{"region": "US", "commodity": "elec", "margin": 0.2}],
        "demand": [demand("US", "elec", 8.76)]})
    assert result.objective == pytest.approx(63.8)
    assert m.dual[m.reserve_margin_min["US", "elec", 2025]] == pytest.approx(100 / 8.76)


def test_emission_cap_switches_technology_at_the_computed_cost(tmp_path):
    """10 TWh from coal (2 M$/TWh, 1 Mt/TWh) or gas (4 M$/TWh, 0.4 Mt/TWh). Free: coal, 20 M$.
    Cap 7 Mt: x + 0.4 (10 − x) ≤ 7 → 5 TWh of coal, 5 of gas: 30 M$. One more Mt saves
    2 / 0.6 = 3.333 M$ (dual −3.333)."""
    tables = {
        "commodities": [ELEC, CO2], "processes": [plant("coal", 2.0), plant("gas", 4.0)],
        "process_io": [{"process": "coal", "commodity": "co2", "side": "output", "ratio": 1.0},
                       {"process": "gas", "commodity": "co2", "side": "output", "ratio": 0.4}],
        "existing_capacity": [existing("US", "coal"), existing("US", "gas")],
        "demand": [demand("US", "elec", 10)]}
    _, free, _ = run(tmp_path / "free", tables)
    assert free.objective == pytest.approx(20.0)
    m, capped, plan = run(tmp_path / "cap", {**tables, "emission_caps": [
        {"scope": "US", "commodity": "co2", "cap": 7.0}]})
    assert capped.objective == pytest.approx(30.0)
    assert m.act["US", "coal", 2025].value == pytest.approx(5.0)
    assert m.dual[m.emission_max["US", "co2", 2025]] == pytest.approx(-2 / 0.6)


def test_emission_price_is_a_cost_per_unit_emitted(tmp_path):
    """At 10 M$/Mt coal costs 12 M$/TWh and gas 8: gas, 10 · 8 = 80 M$."""
    _, result, plan = run(tmp_path, {
        "commodities": [ELEC, CO2], "processes": [plant("coal", 2.0), plant("gas", 4.0)],
        "process_io": [{"process": "coal", "commodity": "co2", "side": "output", "ratio": 1.0},
                       {"process": "gas", "commodity": "co2", "side": "output", "ratio": 0.4}],
        "existing_capacity": [existing("US", "coal"), existing("US", "gas")],
        "emission_prices": [{"commodity": "co2", "price": 10.0}],
        "demand": [demand("US", "elec", 10)]})
    assert result.objective == pytest.approx(80.0)
    assert plan.costs["emissions"] == pytest.approx(40.0)


INTERTIE = {
    **TWO, "commodities": [ELEC],
    "processes": [plant("gas", 5.0), plant("hydro", 1.0)],
    "existing_capacity": [existing("A", "gas", 10), existing("B", "hydro", 10)],
    "demand": [demand("A", "elec", 10)],
}


def test_intertie_carries_cheap_power_up_to_its_capacity(tmp_path):
    """10 TWh used in A; hydro in B at 1, gas in A at 5; the intertie carries 4 TWh/yr:
    4 · 1 + 6 · 5 = 34 M$; one more TWh/yr of intertie saves 4 (dual −4)."""
    m, result, _ = run(tmp_path, {**INTERTIE, "links": [
        {"from": "B", "to": "A", "commodity": "elec", "capacity": 4.0}]})
    assert result.objective == pytest.approx(34.0)
    assert m.flow_slice["B", "A", "elec", 2025, "year"].value == pytest.approx(4.0)
    assert m.dual[m.intertie_max["B", "A", "elec", 2025, "year"]] == pytest.approx(-4.0)


def test_intertie_expansion_is_built_when_it_pays(tmp_path):
    """Expansion at 10 M$ per TWh/yr over 40 years (0.25 M$ a year at 0 % cost of capital)
    beats gas: 6 TWh/yr added, all power from B: 10 · 1 + 6 · 0.25 = 11.5 M$."""
    m, result, _ = run(tmp_path, {**INTERTIE, "links": [
        {"from": "B", "to": "A", "commodity": "elec", "capacity": 4.0,
         "expansion_cost": 10.0}]})
    assert result.objective == pytest.approx(11.5)
    assert m.link_build["B", "A", "elec", 2025].value == pytest.approx(6.0)


def test_time_slices_solar_by_day_gas_by_night(tmp_path):
    """Day and night, half the hours each; demand 10 TWh split evenly; solar (free) runs only
    by day: 5 TWh of solar, 5 of gas at 5 M$/TWh = 25 M$. The night price is 5, the day 0."""
    m, result, plan = run(tmp_path, {
        "commodities": [ELEC], "processes": [plant("solar", 0.0), plant("gas", 5.0)],
        "timeslices": [{"slice": "day", "weight": 0.5}, {"slice": "night", "weight": 0.5}],
        "capacity_factors": [{"process": "solar", "slice": "day", "factor": 1.0},
                             {"process": "solar", "slice": "night", "factor": 0.0}],
        "existing_capacity": [existing("US", "solar"), existing("US", "gas")],
        "demand": [demand("US", "elec", 10)]})
    assert result.objective == pytest.approx(25.0)
    assert m.act_slice["US", "gas", 2025, "night"].value == pytest.approx(5.0)
    assert m.dual[m.energy_balance["US", "elec", 2025, "night"]] == pytest.approx(5.0)
    assert m.dual[m.energy_balance["US", "elec", 2025, "day"]] == pytest.approx(0.0)


def test_battery_shifts_solar_from_day_to_night(tmp_path):
    """As above, plus 1 GW of battery taking 1.25 TWh per TWh given back: it may charge 4.38
    TWh by day (1 GW × 8.76 × 0.5) and so give 3.504 TWh at night; gas makes the other 1.496:
    7.48 M$."""
    battery = {**plant("battery", 0.0), "capacity_credit": 0.5}
    m, result, _ = run(tmp_path, {
        "commodities": [ELEC],
        "processes": [plant("solar", 0.0), plant("gas", 5.0, capex=1e4), battery],
        "process_io": [{"process": "battery", "commodity": "elec", "side": "input",
                        "ratio": 1.25}],
        "timeslices": [{"slice": "day", "weight": 0.5}, {"slice": "night", "weight": 0.5}],
        "capacity_factors": [{"process": "solar", "slice": "day", "factor": 1.0},
                             {"process": "solar", "slice": "night", "factor": 0.0}],
        "regions": [{"region": "US", "country": "US", "can_build": False}],
        "existing_capacity": [existing("US", "solar"), existing("US", "gas"),
                              existing("US", "battery", 1.0)],
        "demand": [demand("US", "elec", 10)]})
    assert result.objective == pytest.approx(7.48)
    assert m.act_slice["US", "battery", 2025, "night"].value == pytest.approx(3.504)
    assert m.charge_slice["US", "battery", 2025, "day"].value == pytest.approx(4.38)


def test_energy_results_are_tabled_and_unserved_energy_is_reported(tmp_path):
    """Solar by day only and no other plant: the night's 5 TWh are unserved (500 M$), and
    unserved.csv says so; generation, prices and emissions tables exist."""
    m, result, plan = run(tmp_path, {
        "commodities": [ELEC, CO2], "processes": [plant("solar", 0.0, capex=1e4)],
        "timeslices": [{"slice": "day", "weight": 0.5}, {"slice": "night", "weight": 0.5}],
        "capacity_factors": [{"process": "solar", "slice": "day", "factor": 1.0},
                             {"process": "solar", "slice": "night", "factor": 0.0}],
        "regions": [{"region": "US", "country": "US", "can_build": False}],
        "existing_capacity": [existing("US", "solar")],
        "demand": [demand("US", "elec", 10)]}, unserved_penalty=100.0)
    assert result.objective == pytest.approx(500.0)
    unserved = plan.tables["unserved"].set_index("commodity")
    assert unserved.at["elec", "unserved"] == pytest.approx(5.0)
    generation = plan.tables["generation"].set_index("slice")
    assert generation.at["day", "output"] >= 5.0 - 1e-9  # surplus by day may go to waste
    prices = plan.tables["energy_prices"].set_index("slice")["price"]
    assert prices["night"] == pytest.approx(100.0)  # the penalty, M$ per TWh unserved
    assert plan.tables["emissions"].empty
    # without the energy group: only its tables are missing (no intertie here), and every
    # table it can make is named as left out
    case = load_case(tmp_path / "case.toml")
    part = extract_plan(m, case, without=("energy",))
    assert set(plan.tables) - set(part.tables) == {"generation", "energy_prices", "emissions"}
    assert part.left_out == set(ENERGY_TABLES)
    for name, frame in part.tables.items():
        pd.testing.assert_frame_equal(frame, plan.tables[name])
    assert not {"generation", "energy_price"} & set(part.dataset.data_vars)
    with pytest.raises(ValueError, match="no group of tables"):
        extract_plan(m, case, without=("energy", "power"))
    with pytest.raises(ValueError, match="extracted without the tables"):  # never half-written
        write_plan(part, {}, tmp_path / "part")
    assert not (tmp_path / "part").exists()


def test_slice_prices_are_the_cost_of_one_more_mwh_in_that_slice(tmp_path):
    """Two slices: peak (a quarter of the hours, 40 % of the 10 TWh) and off-peak. 1 GW of
    coal at 20 M$/TWh (= 20 $/MWh) can give 8.76 × 0.25 = 2.19 TWh in the peak and 6.57 off it;
    a gas turbine at 80 $/MWh covers the rest. Off-peak: 6 TWh of coal, price 20 $/MWh. Peak:
    2.19 of coal and 1.81 of gas, price 80 $/MWh — the gas turbine's cost of one more MWh, not
    divided by the slice's share of the hours (that gave 320). Objective 8.19 · 20 + 1.81 · 80
    = 308.6 M$."""
    m, result, plan = run(tmp_path, {
        "commodities": [ELEC], "processes": [plant("coal", 20.0), plant("gas_ct", 80.0)],
        "timeslices": [{"slice": "peak", "weight": 0.25, "demand_share": 0.4},
                       {"slice": "offpeak", "weight": 0.75, "demand_share": 0.6}],
        "regions": [{"region": "US", "country": "US", "can_build": False}],
        "existing_capacity": [existing("US", "coal", 1.0), existing("US", "gas_ct", 10.0)],
        "demand": [demand("US", "elec", 10)]})
    assert result.objective == pytest.approx(8.19 * 20 + 1.81 * 80)
    assert m.act_slice["US", "gas_ct", 2025, "peak"].value == pytest.approx(1.81)
    prices = plan.tables["energy_prices"].set_index("slice")["price"]
    assert prices.to_dict() == pytest.approx({"peak": 80.0, "offpeak": 20.0})
