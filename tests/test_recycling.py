"""Recycling — end-of-life supply from the stock in use, recycling plants, recycled content
toward a sourcing floor — solved by hand.

Regions US (bloc NA = {US}) and CN. A material costs 5 M$/kt to make in the US and 2 + 1
transport = 3 M$/kt delivered from China; demand 10 kt/yr in the US; discount rate 0. A US
recycler turns 1 kt of scrap into 1 kt of material at 1 M$/kt.
"""

from __future__ import annotations

import pytest

from casekit import mine, write_case
from northam_plan import CaseError, build_model, extract_plan, load_case, solve

RECYCLER = {"process": "recycler", "family": "recycling", "main_output": "ore", "capex": 0.0,
            "lifetime": 30, "construction_years": 0, "var_om": 1.0}
BASE = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "CN", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "CN", "country": "CN"}],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt"},
                    {"commodity": "scrap", "kind": "material", "unit": "kt"}],
    "processes": [mine("mine_us", var_om=5.0), mine("mine_cn", var_om=2.0), RECYCLER],
    "process_io": [{"process": "recycler", "commodity": "scrap", "side": "input",
                    "ratio": 1.0}],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100},
                          {"region": "US", "process": "recycler", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0}],
    "blocs": [{"bloc": "NA", "country": "US"}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
    # 8 kt put in use in 2023, lifetime 2, half collected: 4 kt of scrap in 2025
    "stock_in_use": [{"region": "US", "product": "ore", "year": 2023, "quantity": 8}],
}


def stream(**more) -> list[dict]:
    return [{"region": "US", "product": "ore", "scrap": "scrap", "lifetime": 2,
             "collection_rate": 0.5, **more}]


def run(tmp_path, end=2025, step=1, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}, end=end, step=step))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def test_recycling_displaces_an_import_when_scrap_is_cheaper(tmp_path):
    """Scrap collected at 1 + recycled at 1 = 2 < 3 delivered from China: the 4 kt of scrap
    are recycled and 6 kt imported: 4 × 2 + 6 × 3 = 26 M$."""
    m, result, plan = run(tmp_path, end_of_life=stream(collection_cost=1.0))
    assert result.objective == pytest.approx(26.0)
    assert m.act["US", "recycler", 2025].value == pytest.approx(4.0)
    assert m.flow["CN", "US", "ore", 2025].value == pytest.approx(6.0)
    [row] = plan.tables["recycled_supply"].to_dict("records")
    assert (row["process"], row["commodity"], row["quantity"], row["unit"]) == (
        "recycler", "ore", 4.0, "kt")


def test_recycling_does_not_when_scrap_is_dearer(tmp_path):
    """Collected at 3 + recycled at 1 = 4 > 3: nothing recycled, 10 kt imported: 30 M$."""
    m, result, plan = run(tmp_path, end_of_life=stream(collection_cost=3.0))
    assert result.objective == pytest.approx(30.0)
    assert m.act["US", "recycler", 2025].value == pytest.approx(0.0)
    eol = plan.tables["end_of_life"].iloc[0]
    assert (eol["available"], eol["collected"]) == (pytest.approx(4.0), 0.0)


def test_end_of_life_supply_from_a_stock_with_a_lifetime(tmp_path):
    """Put in use: 8 kt in 2023 and 10 in 2024 (stock_in_use.csv), then the demand, 10 a year
    from 2025. Lifetime 2, collection 0.5, content 0.8:
    2025 ← 2023: 0.4 × 8 = 3.2; 2026 ← 2024: 0.4 × 10 = 4; 2027 ← 2025: 0.4 × 10 = 4."""
    history = [{"region": "US", "product": "ore", "year": 2023, "quantity": 8},
               {"region": "US", "product": "ore", "year": 2024, "quantity": 10}]
    _, _, plan = run(tmp_path, end=2027, stock_in_use=history,
                     end_of_life=stream(content=0.8))
    available = plan.tables["end_of_life"].set_index("year")["available"]
    assert available.to_dict() == {2025: pytest.approx(3.2), 2026: pytest.approx(4.0),
                                   2027: pytest.approx(4.0)}


def test_a_model_year_of_several_calendar_years_takes_their_mean(tmp_path):
    """Step 2 from 2025: model year 2025 stands for 2025–2026, whose scrap comes from 2023
    (8) and 2024 (8, the nearest given value): 0.5 × 8 = 4; model year 2027 for 2027–2028,
    from 2025–2026, the demand 10: 0.5 × 10 = 5."""
    _, _, plan = run(tmp_path, end=2028, step=2, end_of_life=stream())
    available = plan.tables["end_of_life"].set_index("year")["available"]
    assert available.to_dict() == {2025: pytest.approx(4.0), 2027: pytest.approx(5.0)}


FLOOR = [{"bloc": "NA", "commodity": "ore", "share": 0.6}]


def test_recycled_output_counts_toward_a_floor_only_when_the_case_says_so(tmp_path):
    """Floor: 60 % of the bloc's use from the bloc. Without a credit, recycled output is not
    the bloc's production: 6 mined at 5 (30) + 4 recycled at 2 (8) = 38 M$. With the credit
    (recycled_content.csv) the 4 recycled count: 4 + 2 mined (10) + 4 imported (12) + 8 =
    30 M$."""
    _, result, _ = run(tmp_path / "a", regional_shares=FLOOR,
                       end_of_life=stream(collection_cost=1.0))
    assert result.objective == pytest.approx(38.0)
    m, result, _ = run(tmp_path / "b", regional_shares=FLOOR,
                       end_of_life=stream(collection_cost=1.0),
                       recycled_content=[{"bloc": "NA", "commodity": "ore"}])
    assert result.objective == pytest.approx(30.0)
    assert m.act["US", "mine_us", 2025].value == pytest.approx(2.0)


@pytest.mark.parametrize("tables, file, column, fragment", [
    ({"end_of_life": stream(collection_rate=1.5)}, "end_of_life.csv", "collection_rate",
     "expected a number with 0 ≤ value ≤ 1"),
    ({"end_of_life": stream(lifetime=0)}, "end_of_life.csv", "lifetime", "expected"),
    ({"end_of_life": stream(scrap="scarp")}, "end_of_life.csv", "scrap", "unknown commodity"),
    ({"end_of_life": stream(), "stock_in_use": [
        {"region": "US", "product": "ore", "year": 2025, "quantity": 1}]},
     "stock_in_use.csv", "year", "not before the first model year"),
    ({"end_of_life": stream(), "stock_in_use": [
        {"region": "CN", "product": "ore", "year": 2020, "quantity": 1}]},
     "stock_in_use.csv", "product", "no end-of-life stream"),
    ({"recycled_content": [{"bloc": "EU", "commodity": "ore"}], "stock_in_use": []},
     "recycled_content.csv",
     "bloc", "unknown bloc 'EU'"),
    ({"end_of_life": stream(), "tracked": [{"commodity": "scrap"}]}, "end_of_life.csv",
     "scrap", "may not be tracked"),
])
def test_recycling_tables_are_validated(tmp_path, tables, file, column, fragment):
    with pytest.raises(CaseError) as caught:
        load_case(write_case(tmp_path, {**BASE, **tables}))
    [problem] = caught.value.problems
    assert str(problem.file).endswith(file) and problem.column == column
    assert problem.line == 2
    assert fragment in problem.message


def test_both_backends_give_the_same_lp_with_recycling_and_a_credited_floor(tmp_path):
    """End-of-life supply, a recycler and a floor that credits it: the Pyomo and the matrix
    backends build the same LP, row by row, and reach the same optimum."""
    from test_backends import assert_same_lp, assert_same_optimum

    case = load_case(write_case(tmp_path, {
        **BASE, "end_of_life": stream(collection_cost=1.0), "regional_shares": FLOOR,
        "recycled_content": [{"bloc": "NA", "commodity": "ore", "start_year": 2026}]},
        end=2026))
    assert_same_lp(case)
    assert_same_optimum(case)
