"""Offtake contracts — a purchase into a stockpile and a price floor — solved by hand.

Regions US and CN. Ore costs 5 M$/kt to mine in the US and 2 + 1 transport = 3 M$/kt
delivered from China; demand 10 kt/yr in the US; discount rate 0; one year unless said.
"""

from __future__ import annotations

import pandas as pd
import pytest

from casekit import mine, write_case
from northam_plan import CaseError, build_model, extract_plan, load_case, solve

BASE = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "CN", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "CN", "country": "CN"}],
    "processes": [mine("mine_us", var_om=5.0), mine("mine_cn", var_om=2.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0}],
    "stockpiles": [{"region": "US", "commodity": "ore"}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def run(tmp_path, end=2025, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}, end=end))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def test_purchase_fills_the_stockpile_and_costs_its_budget(tmp_path):
    """2 kt/yr bought at 7 M$/kt: 12 kt imported at 3 = 36 M$; budget 2 × 7 = 14 M$/yr,
    outside the objective (a payment from the government to the sellers)."""
    m, result, plan = run(tmp_path, offtakes=[
        {"contract": "buy", "kind": "purchase", "region": "US", "commodity": "ore",
         "quantity": 2, "price": 7}])
    assert result.objective == pytest.approx(36.0)
    assert m.stock_fill["US", "ore", 2025].value == pytest.approx(2.0)
    [row] = plan.tables["offtakes"].to_dict("records")
    assert (row["kind"], row["quantity"], row["budget_cost"]) == ("purchase", 2.0, 14.0)


def test_price_floor_pays_the_top_up_on_covered_output(tmp_path):
    """Floor 6, market 3.5: the US mine earns 2.5 M$/kt more on up to 4 kt/yr, so it costs
    5 − 2.5 = 2.5 < 3 delivered from China: 4 mined (20 − 10 subsidy) + 6 imported (18) =
    28 M$; budget 4 × 2.5 = 10 M$/yr."""
    m, result, plan = run(tmp_path, offtakes=[
        {"contract": "floor", "kind": "floor", "region": "US", "commodity": "ore",
         "quantity": 4, "price": 6, "market_price": 3.5}])
    assert result.objective == pytest.approx(28.0)
    assert m.act["US", "mine_us", 2025].value == pytest.approx(4.0)
    [row] = plan.tables["offtakes"].to_dict("records")
    assert row["quantity"] == pytest.approx(4.0)
    assert row["budget_cost"] == pytest.approx(10.0)
    costs = plan.tables["costs"].set_index(["country", "category"])["undiscounted"]
    assert costs["US", "offtake_subsidy"] == pytest.approx(-10.0)


def test_a_floor_too_low_to_matter_costs_nothing(tmp_path):
    """Floor 5, market 3.5: 5 − 1.5 = 3.5 > 3, the mine stays idle, nothing is covered."""
    m, result, plan = run(tmp_path, offtakes=[
        {"contract": "floor", "kind": "floor", "region": "US", "commodity": "ore",
         "quantity": 4, "price": 5, "market_price": 3.5}])
    assert result.objective == pytest.approx(30.0)
    assert plan.tables["offtakes"]["budget_cost"].sum() == pytest.approx(0.0)


def test_contracts_run_only_in_their_years(tmp_path):
    """A purchase of 1 kt/yr at 7 in 2026 only: budget 7 in 2026, none in 2025."""
    _, result, plan = run(tmp_path, end=2026, offtakes=[
        {"contract": "buy", "kind": "purchase", "region": "US", "commodity": "ore",
         "start_year": 2026, "end_year": 2026, "quantity": 1, "price": 7}])
    assert result.objective == pytest.approx(30.0 + 33.0)
    budget = plan.tables["offtakes"].set_index("year")["budget_cost"]
    assert budget.to_dict() == {2026: pytest.approx(7.0)}


@pytest.mark.parametrize("rows, column, fragment", [
    ([{"contract": "x", "kind": "swap", "region": "US", "commodity": "ore", "price": 1}],
     "kind", "one of"),
    ([{"contract": "x", "kind": "purchase", "region": "US", "commodity": "ore", "price": 1}],
     "quantity", "a purchase needs the quantity"),
    ([{"contract": "x", "kind": "purchase", "region": "CN", "commodity": "ore",
       "quantity": 1, "price": 1}], "commodity", "stockpiles.csv has none"),
    ([{"contract": "x", "kind": "purchase", "region": "US", "commodity": "ore",
       "quantity": 3, "price": 1, "start_year": 2029}], "quantity",
     "over 2029–2030 (6 in all) exceed the stockpile's capacity 5"),
    ([{"contract": "x", "kind": "floor", "region": "US", "commodity": "ore", "price": -1}],
     "price", "expected a number"),
    ([{"contract": "x", "kind": "floor", "region": "US", "commodity": "ore", "price": 1,
       "start_year": 2031}], "start_year", "outside the horizon"),
])
def test_offtakes_are_validated(tmp_path, rows, column, fragment):
    stockpiles = [{"region": "US", "commodity": "ore", "capacity": 5}]  # holds at most 5
    with pytest.raises(CaseError) as caught:
        load_case(write_case(tmp_path, {**BASE, "offtakes": rows, "stockpiles": stockpiles},
                             end=2030))
    [problem] = caught.value.problems
    assert str(problem.file).endswith("offtakes.csv") and problem.column == column
    assert problem.line == 2
    assert fragment in problem.message


def test_compare_reports_the_budget_cost_and_plan_nc_the_covered_output(tmp_path):
    """The floor case against the same case without it: the comparison lists the contract's
    budget cost (10 M$/yr, nothing in the base) and plan.nc holds the covered output (4)."""
    import xarray as xr

    from northam_plan.pipeline import run_case
    from northam_plan.report import comparison_of
    from northam_plan.scenarios.compare import resolve_all
    from northam_plan.solve import SolveOptions

    floor = [{"contract": "floor", "kind": "floor", "region": "US", "commodity": "ore",
              "quantity": 4, "price": 6, "market_price": 3.5}]
    runs = [run_case(write_case(tmp_path / name, {**BASE, "offtakes": rows}, name=name),
                     tmp_path / name / "out", SolveOptions(quiet=True))
            for name, rows in (("base", []), ("floor", floor))]
    comparison = comparison_of(resolve_all(runs))
    table = comparison.table
    [row] = table[table["metric"] == "offtakes: budget_cost"].to_dict("records")
    base, scenario = comparison.scenarios
    assert row[scenario] == pytest.approx(10.0) and pd.isna(row[base])
    with xr.open_dataset(tmp_path / "floor" / "out" / "plan.nc") as ds:
        assert float(ds["offtake_covered"].sel(contract="floor", year=2025)) == \
            pytest.approx(4.0)


def test_both_backends_give_the_same_lp_with_contracts_in_two_scenarios(tmp_path):
    """A purchase and a floor over two years and two disruption scenarios: the Pyomo and the
    matrix backends build the same LP, row by row, and reach the same optimum."""
    from test_backends import assert_same_lp, assert_same_optimum

    tables = {**BASE, "offtakes": [
        {"contract": "buy", "kind": "purchase", "region": "US", "commodity": "ore",
         "quantity": 1, "price": 7},
        {"contract": "floor", "kind": "floor", "region": "US", "commodity": "ore",
         "quantity": 4, "price": 6, "market_price": 3.5}],
        "scenarios": [{"scenario": "calm", "probability": 0.7},
                      {"scenario": "ban", "probability": 0.3}],
        "disruptions": [{"exporter": "CN", "commodity": "ore", "start_year": 2026,
                         "limit": 0, "scenario": "ban"}]}
    case = load_case(write_case(tmp_path, tables, end=2026))
    assert_same_lp(case)
    assert_same_optimum(case)
