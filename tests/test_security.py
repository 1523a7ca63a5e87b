"""Supply security: sourcing floors, supplier caps, export bans, stockpiles — solved by hand.

Regions US (bloc NA = {US}) and CN. Ore costs 5 M$/kt to mine in the US and 2 + 1 transport
= 3 M$/kt delivered from China; demand 10 kt/yr in the US; discount rate 0.
"""

from __future__ import annotations

import pyomo.environ as pyo
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
    "blocs": [{"bloc": "NA", "country": "US"}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def run(tmp_path, end=2025, **tables):
    case = load_case(write_case(tmp_path, {**BASE, **tables}, end=end))
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return model, result, extract_plan(model, case)


def test_without_security_all_ore_comes_from_china(tmp_path):
    _, result, _ = run(tmp_path)
    assert result.objective == pytest.approx(30.0)


def test_regional_share_floor_and_its_cost(tmp_path):
    """At least 60 % from the bloc: 6 mined at 5 + 4 imported at 3 = 42 M$. One more kt of
    required bloc output costs 5 − 3 = 2 M$: the floor's dual."""
    m, result, plan = run(tmp_path, regional_shares=[
        {"bloc": "NA", "commodity": "ore", "share": 0.6}])
    assert result.objective == pytest.approx(42.0)
    assert m.dual[m.regional_share_min["NA", "ore", 2025]] == pytest.approx(2.0)
    security = plan.tables["security"].set_index(["bloc", "commodity", "year"])
    row = security.loc[("NA", "ore", 2025)]
    assert row["self_sufficiency"] == pytest.approx(0.6)
    assert row["cost_of_security"] == pytest.approx(2.0)


def test_supplier_cap(tmp_path):
    """At most 30 % from any one outside country: 3 from China (9) + 7 mined (35) = 44 M$."""
    m, result, plan = run(tmp_path, supplier_caps=[
        {"bloc": "NA", "commodity": "ore", "cap": 0.3}])
    assert result.objective == pytest.approx(44.0)
    assert m.dual[m.supplier_share_max["NA", "ore", "CN", 2025]] == pytest.approx(-2.0)
    imports = plan.tables["security_imports"]
    assert imports.set_index("supplier").at["CN", "share"] == pytest.approx(0.3)


def test_export_ban(tmp_path):
    """China bans ore exports in 2026: 2025 from China (30), 2026 mined at home (50).

    A ban (limit 0) is degenerate: the flow's bound and the limit meet at 0, and so does the
    idle Chinese mine's output, so any dual ≤ −2 is optimal (one more kt would save 2; the
    solver may also report the Chinese price as 0 and the dual as −4). The quota test below
    pins the dual where it is unique."""
    m, result, _ = run(tmp_path, end=2026, disruptions=[
        {"exporter": "CN", "commodity": "ore", "start_year": 2026, "limit": 0}])
    assert result.objective == pytest.approx(80.0)
    assert m.flow["CN", "US", "ore", 2026].value == pytest.approx(0.0)
    assert m.dual[m.export_max["CN", "ore", 2026]] <= -2.0 + 1e-9


def test_export_quota_lets_exactly_the_quota_through_when_region_and_country_share_a_code(
        tmp_path):
    """China (region CN in country CN) may export 4 kt in 2026: 4 from China (12) and 6 mined
    at home (30), plus 2025 all from China (30): 72 M$. One more kt of quota saves 5 − 3 = 2
    (dual −2). Counting each flow once for the region and once for the country let only 2
    through (76 M$, dual −1)."""
    m, result, plan = run(tmp_path, end=2026, disruptions=[
        {"exporter": "CN", "commodity": "ore", "start_year": 2026, "limit": 4}])
    assert result.objective == pytest.approx(72.0)
    assert m.flow["CN", "US", "ore", 2026].value == pytest.approx(4.0)
    assert m.dual[m.export_max["CN", "ore", 2026]] == pytest.approx(-2.0)


def test_export_quota_of_a_region_and_of_its_country_bind_alike(tmp_path):
    """The same quota named by a region (CN-E) of country CN binds the same way."""
    tables = {**BASE,
              "regions": [{"region": "US", "country": "US"},
                          {"region": "CN-E", "country": "CN"}],
              "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                                    {"region": "CN-E", "process": "mine_cn", "capacity": 100}],
              "links": [{"from": "CN-E", "to": "US", "commodity": "ore",
                         "transport_cost": 1.0}]}
    for exporter in ("CN", "CN-E"):
        case = load_case(write_case(tmp_path / exporter, {**tables, "disruptions": [
            {"exporter": exporter, "commodity": "ore", "start_year": 2026, "limit": 4}]},
            end=2026))
        model = build_model(case)
        assert solve(model, quiet=True).objective == pytest.approx(72.0), exporter


def test_stockpile_fills_before_a_known_ban_and_draws_during_it(tmp_path):
    """No US mine; China bans exports in 2027. Holding costs 0.5 M$/kt a year. Filling 10 kt in
    2026 (30 + 5 holding) beats both filling in 2025 (two years' holding) and 1000 M$ of
    unserved demand: 30 + 60 + 5 = 95 M$."""
    m, result, plan = run(
        tmp_path, end=2027,
        existing_capacity=[{"region": "CN", "process": "mine_cn", "capacity": 100}],
        disruptions=[{"exporter": "CN", "commodity": "ore", "start_year": 2027, "limit": 0}],
        stockpiles=[{"region": "US", "commodity": "ore", "holding_cost": 0.5}])
    assert result.objective == pytest.approx(95.0)
    assert m.stock_fill["US", "ore", 2026].value == pytest.approx(10.0)
    assert m.stock_draw["US", "ore", 2027].value == pytest.approx(10.0)
    assert m.stock["US", "ore", 2025].value == pytest.approx(0.0)
    assert plan.tables["unserved"]["unserved"].sum() == pytest.approx(0.0)


def test_stockpile_minimum_cover(tmp_path):
    """73 days of cover (0.2 yr) of 10 kt/yr: 2 kt bought in 2025 (6) and held two years at
    0.5 M$/kt (2): 30 + 30 + 6 + 2 = 68 M$."""
    m, result, _ = run(tmp_path, end=2026, stockpiles=[
        {"region": "US", "commodity": "ore", "holding_cost": 0.5, "min_cover_days": 73}])
    assert result.objective == pytest.approx(68.0)
    assert m.stock["US", "ore", 2026].value == pytest.approx(2.0)


@pytest.mark.parametrize("tables, file, column, fragment", [
    ({"regional_shares": [{"bloc": "EU", "commodity": "ore", "share": 0.5}]},
     "regional_shares.csv", "bloc", "unknown bloc 'EU'"),
    ({"regional_shares": [{"bloc": "NA", "commodity": "ore", "share": 1.5}]},
     "regional_shares.csv", "share", "expected a number with 0 ≤ value ≤ 1"),
    ({"scenarios": [{"scenario": "a", "probability": 0.5},
                    {"scenario": "b", "probability": 0.3}]},
     "scenarios.csv", "probability", "the probabilities sum to 0.8; they must sum to 1"),
    ({"disruptions": [{"exporter": "CN", "commodity": "ore", "start_year": 2031,
                       "limit": 0}]},
     "disruptions.csv", "start_year", "lie outside the horizon"),
    ({"disruptions": [{"exporter": "RU", "commodity": "ore", "limit": 0}]},
     "disruptions.csv", "exporter", "unknown country or region 'RU'"),
])
def test_security_tables_are_validated(tmp_path, tables, file, column, fragment):
    with pytest.raises(CaseError) as caught:
        load_case(write_case(tmp_path, {**BASE, **tables}, end=2030))
    [problem] = caught.value.problems
    assert str(problem.file).endswith(file) and problem.column == column
    assert fragment in problem.message


TWO_STAGE = {
    **BASE,
    "processes": [mine("new_mine", capex=2.0, lifetime=1, var_om=2.0),
                  mine("old_mine", var_om=8.0, capex=1000.0),
                  mine("mine_cn", var_om=2.0, capex=1000.0)],
    "existing_capacity": [{"region": "US", "process": "old_mine", "capacity": 5},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "reserves": [{"region": "US", "commodity": "ore", "reserves": 1e6}],
}
BAN = [{"exporter": "CN", "commodity": "ore", "limit": 0}]


def test_two_stage_build_hedges_between_scenarios(tmp_path):
    """One year. A new US mine costs 2 M$ per kt/yr of capital and 2 M$/kt to run; the old
    mine (5 kt/yr) 8 M$/kt; Chinese ore 3 M$/kt delivered. Calm (p = 0.9): every built kt saves
    only 1 M$ of imports — build nothing. Ban (p = 0.1): the first 5 kt save 96 M$ each of
    unserved demand, the next 5 kt 4 M$ each of old-mine output — build 10. Together the
    expected slope is 0.1 · (−96) + 0.9 · 1 < 0 up to 5 kt and 0.1 · (−4) + 0.9 · 1 > 0
    beyond: build 5, unlike either single scenario. Expected cost: capital 10 + 0.9 · (5 · 2 +
    5 · 3) + 0.1 · (5 · 2 + 5 · 8) = 37.5 M$; wait-and-see 0.9 · 30 + 0.1 · 40 = 31 ≤ 37.5."""
    alone = {}
    for name, disruptions in (("calm", []), ("ban", BAN)):
        model, result, _ = run(tmp_path / name, **{**TWO_STAGE, "disruptions": disruptions})
        alone[name] = (result.objective, pyo.value(model.build["US", "new_mine", 2025]))
    assert alone == {"calm": pytest.approx((30.0, 0.0)), "ban": pytest.approx((40.0, 10.0))}

    m, result, plan = run(tmp_path / "both", **{
        **TWO_STAGE,
        "scenarios": [{"scenario": "calm", "probability": 0.9},
                      {"scenario": "ban", "probability": 0.1}],
        "disruptions": [{**row, "scenario": "ban"} for row in BAN]})
    assert result.objective == pytest.approx(37.5)
    assert pyo.value(m.build["US", "new_mine", 2025]) == pytest.approx(5.0)
    assert result.objective >= 0.9 * alone["calm"][0] + 0.1 * alone["ban"][0]
    unserved = plan.tables["unserved"].set_index("scenario")["unserved"]
    assert unserved.to_dict() == pytest.approx({"calm": 0.0, "ban": 0.0})
    assert list(plan.dataset["act"].coords["scenario"].values) == ["calm", "ban"]
    assert "scenario" not in plan.dataset["build"].dims
    assert sum(plan.costs.values()) == pytest.approx(37.5)


def test_a_scenario_adds_a_ban_with_an_add_block(tmp_path):
    """[[add]] appends rows: the scenario bans Chinese ore in 2026 (as test_export_ban)."""
    base = write_case(tmp_path, BASE, end=2026)
    scenario = tmp_path / "ban.toml"
    scenario.write_text('extends = "case.toml"\nname = "ban"\n[[add]]\ntable = "disruptions"\n'
                        'rows = [{ exporter = "CN", commodity = "ore", start_year = 2026, '
                        'limit = 0 }]\n')
    case = load_case(scenario)
    assert len(load_case(base).tables["disruptions"]) == 0
    assert len(case.tables["disruptions"]) == 1
    result = solve(build_model(case), quiet=True)
    assert result.objective == pytest.approx(80.0)


def test_a_bad_added_row_names_the_case_file(tmp_path):
    write_case(tmp_path, BASE, end=2026)
    scenario = tmp_path / "ban.toml"
    scenario.write_text('extends = "case.toml"\n[[add]]\ntable = "disruptions"\n'
                        'rows = [{ exporter = "RU", commodity = "ore", limit = -1 }]\n')
    with pytest.raises(CaseError) as caught:
        load_case(scenario)
    [problem] = caught.value.problems
    assert problem.file == scenario.resolve() and problem.column == "rows.limit"
    assert "[[add]] #1" in problem.message and "expected a number ≥ 0" in problem.message
