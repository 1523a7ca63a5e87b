"""Energy-limited (reservoir) hydro: energy_limits.csv, solved by hand, on both model backends.

Two regions, A (country US) and B (country CA), two slices of one season ``all``: day and
night, half the hours each (h = 0.5); 60 % of demand falls by day. Electricity in TWh,
capacity in GW (8.76 TWh/yr per GW-year), money in M$ (1 M$/TWh = 1 $/MWh), discount 0,
cost of capital 0, one year; slice prices are the balance duals (probability 1, discount
weight 1), i.e. $/MWh.

* A: coal 1 GW at 20 $/MWh (4.38 TWh in a slice), gas turbines 10 GW at 80; demand 10 TWh
  (6 by day, 4 by night).
* B: hydro 1 GW at 0 $/MWh; demand 4 TWh (2.4 by day, 1.6 by night).
* Interties A→B and B→A, 6 TWh/yr each (3 TWh in a slice), 1 $/MWh, no loss.
"""

from __future__ import annotations

import pytest

from casekit import write_case
from northam_plan import build_model, extract_plan, load_case, solve
from northam_plan.case import CaseError

ELEC = {"commodity": "elec", "kind": "energy", "unit": "TWh", "timesliced": True}
BACKENDS = ("pyomo", "matrix")


def plant(name, var_om):
    return {"process": name, "family": "power", "main_output": "elec", "capex": 0.0,
            "var_om": var_om, "lifetime": 30, "construction_years": 0,
            "activity_per_capacity": 8.76, "capacity_credit": 1.0}


def tables(hydro=1.0, **extra):
    return {
        "countries": [{"country": "US", "cost_of_capital": 0.0},
                      {"country": "CA", "cost_of_capital": 0.0}],
        "regions": [{"region": "A", "country": "US", "can_build": False},
                    {"region": "B", "country": "CA", "can_build": False}],
        "commodities": [ELEC],
        "processes": [plant("coal", 20.0), plant("gas_ct", 80.0), plant("hydro", 0.0)],
        "timeslices": [{"slice": "day", "weight": 0.5, "demand_share": 0.6, "season": "all"},
                       {"slice": "night", "weight": 0.5, "demand_share": 0.4,
                        "season": "all"}],
        "existing_capacity": [{"region": "A", "process": "coal", "capacity": 1.0},
                              {"region": "A", "process": "gas_ct", "capacity": 10.0},
                              {"region": "B", "process": "hydro", "capacity": hydro}],
        "links": [{"from": a, "to": b, "commodity": "elec", "transport_cost": 1.0,
                   "capacity": 6.0} for a, b in (("A", "B"), ("B", "A"))],
        "demand": [{"region": r, "commodity": "elec", "sector": "all", "year": 2025,
                    "quantity": q} for r, q in (("A", 10.0), ("B", 4.0))],
        **extra}


def reservoir(factor=0.5, max_output=1.0, region="B", season="all"):
    return [{"process": "hydro", "region": region, "season": season, "factor": factor,
             "max_output": max_output, "source": "test"}]


def run(tmp_path, data, backend):
    case = load_case(write_case(tmp_path, data))
    model = build_model(case, backend=backend)
    result = solve(model, quiet=True)
    assert result.optimal, result
    plan = extract_plan(model, case)
    flows = plan.tables["interties"].set_index(["from", "to", "slice"])["quantity"]
    prices = plan.tables["energy_prices"].set_index(["region", "slice"])["price"]
    output = plan.tables["generation"].set_index(["region", "process", "slice"])["output"]
    return result, flows, prices, output, model


@pytest.mark.parametrize("backend", BACKENDS)
def test_fixed_capacity_factor_exports_at_night(tmp_path, backend):
    """Without energy_limits, hydro at a capacity factor of 0.5 gives 2.19 TWh in each slice:
    B lacks 0.21 by day (imports A's gas, 80 + 1) and has 0.59 to spare by night (exports,
    saving A's coal at 20). Objective: A's gas 1.62 + 0.21 = 1.83 · 80 = 146.4; coal 4.38 +
    (4 − 0.59) = 7.79 · 20 = 155.8; transport 0.8: 303.0 M$."""
    result, flows, *_ = run(tmp_path, tables(capacity_factors=[
        {"process": "hydro", "slice": s, "factor": 0.5} for s in ("day", "night")]), backend)
    assert result.objective == pytest.approx(303.0)
    assert flows["A", "B", "day"] == pytest.approx(0.21)
    assert flows["B", "A", "night"] == pytest.approx(0.59)


@pytest.mark.parametrize("backend", BACKENDS)
def test_energy_limit_with_max_output_equal_to_factor_is_the_capacity_factor(tmp_path, backend):
    """max_output = factor = 0.5: no room to shift, the same LP optimum as above (303.0)."""
    result, *_ = run(tmp_path, tables(energy_limits=reservoir(0.5, 0.5)), backend)
    assert result.objective == pytest.approx(303.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reservoir_exports_by_day_and_imports_by_night(tmp_path, backend):
    """Budget 0.5 · 8.76 = 4.38 TWh over the season, up to 4.38 in a slice. B exports e by
    day (saves A's gas: 80 − 1) and imports i by night from A's spare coal (0.38 at 20 + 1);
    water: 2.4 + e + 1.6 − i ≤ 4.38, so e = 0.38 + i with i = 0.38: e = 0.76, hydro 3.16 by
    day and 1.22 by night. Objective: gas (1.62 − 0.76) · 80 = 68.8, coal 8.76 · 20 = 175.2,
    transport 1.14: 245.14 M$. Prices: A day 80 (gas); water is worth 80 − 1 = 79 in B by
    day and night; A night 79 − 1 = 78 (its coal is better sent to B to free water)."""
    result, flows, prices, output, m = run(tmp_path, tables(energy_limits=reservoir()), backend)
    assert result.objective == pytest.approx(245.14)
    assert flows["B", "A", "day"] == pytest.approx(0.76)
    assert flows["A", "B", "night"] == pytest.approx(0.38)
    assert flows.get(("A", "B", "day"), 0.0) == pytest.approx(0.0, abs=1e-9)
    assert flows.get(("B", "A", "night"), 0.0) == pytest.approx(0.0, abs=1e-9)
    assert output["B", "hydro", "day"] == pytest.approx(3.16)
    assert output["B", "hydro", "night"] == pytest.approx(1.22)
    assert prices.to_dict() == pytest.approx({("A", "day"): 80.0, ("A", "night"): 78.0,
                                              ("B", "day"): 79.0, ("B", "night"): 79.0})
    # the value of water: one more TWh in the season's budget saves 79 M$
    assert m.dual[m.generation_season_max["B", "hydro", 2025, "all"]] == pytest.approx(-79.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_turbines_full_by_day_the_rest_of_the_water_goes_by_night(tmp_path, backend):
    """max_output 0.6: at most 0.6 · 8.76 · 0.5 = 2.628 TWh in a slice, so B exports only
    0.228 by day; the water left, 4.38 − 2.628 − 1.6 = 0.152, goes to A by night (saves coal,
    20 − 1). Objective: gas (1.62 − 0.228) · 80 = 111.36, coal 4.38 + (4 − 0.152) = 8.228 · 20
    = 164.56, transport 0.38: 276.3 M$. Prices: A day 80, B day 79 (turbines full), water worth
    20 − 1 = 19 in B by night, A night 20 (coal)."""
    result, flows, prices, output, m = run(
        tmp_path, tables(energy_limits=reservoir(0.5, 0.6)), backend)
    assert result.objective == pytest.approx(276.3)
    assert flows["B", "A", "day"] == pytest.approx(0.228)
    assert flows["B", "A", "night"] == pytest.approx(0.152)
    assert flows.get(("A", "B", "night"), 0.0) == pytest.approx(0.0, abs=1e-9)
    assert output["B", "hydro", "day"] == pytest.approx(2.628)
    assert output["B", "hydro", "night"] == pytest.approx(1.752)
    assert prices.to_dict() == pytest.approx({("A", "day"): 80.0, ("A", "night"): 20.0,
                                              ("B", "day"): 79.0, ("B", "night"): 19.0})
    # water is worth 19; one more TWh of turbine output by day another 79 − 19 = 60
    assert m.dual[m.generation_season_max["B", "hydro", 2025, "all"]] == pytest.approx(-19.0)
    assert m.dual[m.generation_max["B", "hydro", 2025, "day"]] == pytest.approx(-60.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_reservoir_without_capacity_gives_nothing(tmp_path, backend):
    """No hydro in B: B imports all 4 TWh (3 by day is the intertie's slice limit ≥ 2.4).
    A + B: day 8.4 = coal 4.38 + gas 4.02, night 5.6 = coal 4.38 + gas 1.22. Objective
    (4.02 + 1.22) · 80 + 8.76 · 20 + 4 · 1 = 598.4 M$."""
    result, flows, *_ = run(tmp_path, tables(hydro=0.0, energy_limits=reservoir()), backend)
    assert result.objective == pytest.approx(598.4)
    assert flows["A", "B", "day"] == pytest.approx(2.4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_table_and_rows_for_other_regions_change_nothing(tmp_path, backend):
    """A header-only energy_limits.csv, or a row for a region without hydro: hydro runs at its
    availability (1.0) in each slice, 4.38 per slice, so B exports 1.98 by day (saves gas) and
    2.78 by night (saves coal). Objective: gas (1.62 − 1.98 → 0) — A by day needs only
    6 − 1.98 = 4.02 of coal; night coal 4 − 2.78 = 1.22: (4.02 + 1.22) · 20 + 4.76 = 109.56."""
    for folder, limits in (("empty", []), ("other", reservoir(region="A"))):
        result, flows, *_ = run(tmp_path / folder, tables(energy_limits=limits), backend)
        assert result.objective == pytest.approx(109.56)
        assert flows["B", "A", "day"] == pytest.approx(1.98)


BAD = [
    (reservoir(factor=-0.1), "line 2, column 'factor'", "0 ≤ value ≤ 1, got -0.1"),
    (reservoir(max_output=1.5), "line 2, column 'max_output'", "got 1.5"),
    ([{**reservoir()[0], "process": "dam"}], "line 2, column 'process'", "unknown process 'dam'"),
    (reservoir(region="ZZ"), "line 2, column 'region'", "unknown region 'ZZ'"),
    (reservoir(season="winter"), "line 2, column 'season'", "unknown season 'winter'"),
]


@pytest.mark.parametrize("limits, where, what", BAD)
def test_bad_energy_limits_name_file_line_and_column(tmp_path, limits, where, what):
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path, tables(energy_limits=limits)))
    message = str(error.value)
    assert f"energy_limits.csv, {where}" in message, message
    assert what in message, message


def test_energy_limit_and_capacity_factor_for_the_same_season_is_an_error(tmp_path):
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path, tables(energy_limits=reservoir(), capacity_factors=[
            {"process": "hydro", "region": "B", "slice": "night", "factor": 0.5}])))
    message = str(error.value)
    assert "energy_limits.csv, line 2, column 'season'" in message, message
    assert "capacity_factors.csv line 2" in message, message


def test_energy_limit_on_a_process_that_makes_no_power_is_an_error(tmp_path):
    data = tables(energy_limits=[{**reservoir()[0], "process": "smelter"}])
    data["commodities"] = [ELEC, {"commodity": "metal", "kind": "material", "unit": "kt"}]
    data["processes"] = data["processes"] + [
        {"process": "smelter", "family": "refinery", "main_output": "metal", "capex": 0.0,
         "lifetime": 30, "construction_years": 0}]
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path, data))
    assert "energy_limits.csv, line 2, column 'process'" in str(error.value)
    assert "not a power process" in str(error.value)
