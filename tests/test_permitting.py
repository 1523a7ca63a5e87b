"""Permitting: regimes, agency throughput, the project pipeline — tiny cases solved by hand.

All cases: one region (US), discount rate 0, cost of capital 0, unserved demand at 100 M$/kt.
"""

from __future__ import annotations

import pandas as pd
import pytest

from casekit import mine, solve_tiny, write_case
from northam_plan import CaseError, load_case

run = solve_tiny


def demand(quantities: dict[int, float], commodity="ore"):
    return [{"region": "US", "commodity": commodity, "sector": "all", "year": y, "quantity": q}
            for y, q in quantities.items()]


RESERVES = [{"region": "US", "commodity": "ore", "reserves": 1e6}]


def regimes(**years_by_regime):
    return [{"country": "US", "family": "mine", "regime": g, "permitting_years": y}
            for g, y in years_by_regime.items()]


def test_shorter_lead_time_moves_first_build_earlier_and_saves_the_computed_amount(tmp_path):
    """Demand 10/yr in 2025–2030, construction 1 year. Standard permitting 3 years: online 2029,
    4 years unserved (4000) + 2 years mined at 1 M$/kt (20) = 4020. A streamlined regime of
    1 year: online 2027, 2 years unserved (2000) + 4 mined (40) = 2040 — 1980 M$ less."""
    common = {"processes": [mine(var_om=1.0, construction_years=1)], "reserves": RESERVES,
              "demand": demand({2025: 10})}
    slow = write_case(tmp_path / "slow", {**common, "regimes": regimes(standard=3)}, end=2030)
    fast = write_case(tmp_path / "fast", {**common, "regimes": regimes(standard=3,
                                                                        streamlined=1)},
                      end=2030)
    _, _, slow_result, slow_plan = run(slow)
    _, _, fast_result, fast_plan = run(fast)
    assert slow_result.objective == pytest.approx(4020.0)
    assert fast_result.objective == pytest.approx(2040.0)
    assert slow_result.objective - fast_result.objective == pytest.approx(1980.0)
    first = fast_plan.tables["permits"].iloc[0]
    assert (first["regime"], first["permit_start_year"], first["online_year"]) == \
        ("streamlined", 2025, 2027)
    assert slow_plan.tables["investments"]["online_year"].min() == 2029


def test_binding_throughput_spreads_permits_and_prices_the_agency(tmp_path):
    """A refinery (no reserves needed), permitting 1 year, construction 0, capex 3 over 30 years
    (0.1 M$ per kt/yr a year); demand 0 in 2025 then 10/yr. The agency may start 6 kt/yr of
    permits a year (weight 1 per kt/yr): 6 start in 2025 (online 2026), 4 in 2026. 2026 has 4
    unserved (400); 6 + 10 + 10 refined at 1 M$/kt (26); capital 6 · 0.1 · 3 years + 4 · 0.1 ·
    2 years (2.6): 428.6 M$. One more unit of 2025 throughput serves 1 kt more in 2026 a year
    earlier: −100 + 1 + 0.1 = −98.9."""
    path = write_case(tmp_path, {
        "commodities": [{"commodity": "metal", "kind": "material", "unit": "kt"}],
        "processes": [{"process": "refinery", "family": "refinery", "main_output": "metal",
                       "capex": 3.0, "var_om": 1.0, "lifetime": 30, "construction_years": 0,
                       "permit_weight": 1.0}],
        "regimes": [{"country": "US", "family": "refinery", "regime": "standard",
                     "permitting_years": 1}],
        "throughput": [{"country": "US", "regime": "standard", "limit": 6.0}],
        "demand": demand({2025: 0, 2026: 10}, commodity="metal")}, end=2028)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(428.6)
    permits = plan.tables["permits"].set_index("permit_start_year")["capacity"]
    assert permits.to_dict() == pytest.approx({2025: 6.0, 2026: 4.0})
    assert m.dual[m.permit_throughput_max["US", "standard", 2025]] == pytest.approx(-98.9)
    throughput = plan.tables["throughput"].set_index("year")
    assert throughput.at[2025, "used"] == pytest.approx(6.0)
    assert throughput.at[2025, "value"] == pytest.approx(-98.9)
    assert throughput.at[2026, "value"] == pytest.approx(0.0)


PIPELINE_CASE = {
    "processes": [mine(capex=30.0, var_om=1.0, construction_years=2)],
    "regimes": regimes(standard=3),
    "reserves": RESERVES,
    "demand": demand({2025: 10}),
}


def test_pipeline_project_comes_before_greenfield_when_cheaper(tmp_path):
    """Greenfield: lead 3 + 2 = 5 years → online 2030, capex 30 over 30 years = 1 M$ per kt/yr
    per year. Project Alpha (permitted, 6 kt/yr, capex 15 → 0.5) can produce from 2027.
    2025–26 unserved (2000); 2027–29 Alpha + 4 unserved (1200); Alpha's capital 6 · 0.5 · 6
    years (18) and output 6 · 6 (36); from 2030 greenfield 4 kt/yr: capital 12, output 12.
    Total 3278 M$."""
    path = write_case(tmp_path, {**PIPELINE_CASE, "projects": [
        {"project": "Alpha", "region": "US", "process": "mine", "capacity": 6.0,
         "stage": "permitted", "earliest_online_year": 2027, "capex": 15.0}]}, end=2032)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(3278.0)
    projects = plan.tables["projects"]
    assert projects[["project", "online_year", "capacity"]].values.tolist() == \
        [["Alpha", 2027, 6.0]]
    investments = plan.tables["investments"].set_index("source")
    assert investments.at["project: Alpha", "capex"] == pytest.approx(90.0)
    assert investments.at["standard", "online_year"] == 2030
    assert investments.at["standard", "capacity"] == pytest.approx(4.0)
    assert pd.isna(investments.at["project: Alpha", "permit_start_year"])


def test_project_in_exploration_still_needs_its_permits(tmp_path):
    """At stage exploration Alpha needs the full standard lead time (5 years): 2030, not 2027."""
    path = write_case(tmp_path, {**PIPELINE_CASE, "projects": [
        {"project": "Alpha", "region": "US", "process": "mine", "capacity": 6.0,
         "stage": "exploration", "earliest_online_year": 2027}]}, end=2032)
    _, m, _, _ = run(path)
    assert m.book.project_first_online["Alpha"] == 2030


@pytest.mark.parametrize("committed, objective", [(True, 72.0), (False, 60.0)])
def test_committed_project_is_built_in_full_on_schedule_and_its_cost_reported(
        tmp_path, committed, objective):
    """An existing mine (20 kt/yr) meets demand of 10/yr at 1 M$/kt (60 over 2025–2030), so the
    plan would not build project Alpha (permitted, 6 kt/yr, online 2027, capex 15 → 0.5 M$ per
    kt/yr a year over 30 years). Committed, it is built in 2027 in full: 6 · 0.5 · 4 years =
    12 M$ more, and one more kt/yr of commitment costs 0.5 · 4 = 2 M$ (the dual)."""
    path = write_case(tmp_path, {**PIPELINE_CASE, "projects": [
        {"project": "Alpha", "region": "US", "process": "mine", "capacity": 6.0,
         "stage": "permitted", "earliest_online_year": 2027, "capex": 15.0,
         "committed": committed}],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 20.0}]},
        end=2030)
    _, m, result, plan = run(path)
    assert result.objective == pytest.approx(objective)
    built = plan.tables["projects"]
    if committed:
        assert built[["project", "online_year", "capacity"]].values.tolist() == \
            [["Alpha", 2027, 6.0]]
        assert m.dual[m.project_commit_min["Alpha"]] == pytest.approx(2.0)
    else:
        assert built.empty
        assert len(m.project_commit_min) == 0


@pytest.mark.parametrize("premium, used, objective", [
    (100.0, True, 10 * 100.0 + 6 * 10 * 1.0),   # premium 1000 < the 2970 it saves
    (400.0, False, 3 * 10 * 100.0 + 3 * 10 * 1.0),  # premium 4000 > 2970: wait for standard
])
def test_fast_track_is_used_only_when_its_premium_is_worth_it(tmp_path, premium, used,
                                                              objective):
    """Demand 10/yr in 2025–2030. Standard permitting takes 3 years (online 2028); fast track
    0 years at a premium per kt/yr. Fast-tracking 10 kt/yr saves 3 years of unserved demand
    (3000) less their output cost (30) = 2970 M$; worth it below 297 M$ per kt/yr."""
    path = write_case(tmp_path, {
        "processes": [mine(var_om=1.0)], "reserves": RESERVES, "demand": demand({2025: 10}),
        "regimes": regimes(standard=3) + [{"country": "US", "family": "mine",
                                           "regime": "fast_track", "permitting_years": 0,
                                           "premium": premium}]}, end=2030)
    _, _, result, plan = run(path)
    assert result.objective == pytest.approx(objective)
    regimes_used = set(plan.tables["permits"]["regime"])
    assert ("fast_track" in regimes_used) is used
    if used:
        assert plan.costs["permitting"] == pytest.approx(10 * premium)


def test_lead_times_round_up_to_the_next_model_year_with_a_warning(tmp_path):
    """Step 5 (2025, 2030, 2035); lead 3 years: a permit of 2025 yields capacity in 2030."""
    path = write_case(tmp_path, {"processes": [mine(var_om=1.0, construction_years=3)],
                                 "reserves": RESERVES, "demand": demand({2025: 10})},
                      end=2039, step=5)
    case, m, _, plan = run(path)
    assert m.book.permit_online["US", "mine", "standard", 2025] == 2030
    assert any("rounded" in w or "later, at the next model year" in w for w in case.warnings)
    assert plan.tables["investments"]["online_year"].min() == 2030


@pytest.mark.parametrize("tables, file, line, column, fragment", [
    ({"throughput": [{"country": "US", "regime": "fast", "limit": 1}]},
     "throughput.csv", 2, "regime", "unknown regime 'fast' for US"),
    ({"regimes": [{"country": "US", "family": "mine", "regime": "standard",
                   "permitting_years": -1}]},
     "regimes.csv", 2, "permitting_years", "expected a whole number with 0 ≤ value ≤ 100"),
    ({"regimes": [{"country": "XX", "family": "mine", "regime": "standard",
                   "permitting_years": 1}]},
     "regimes.csv", 2, "country", "unknown country 'XX'"),
    ({"projects": [{"project": "A", "region": "MX-N", "process": "mine", "capacity": 1,
                    "stage": "permitted", "earliest_online_year": 2026}]},
     "projects.csv", 2, "region", "unknown region 'MX-N'"),
    ({"projects": [{"project": "A", "region": "US", "process": "mine", "capacity": 1,
                    "stage": "permitted", "earliest_online_year": 2020}]},
     "projects.csv", 2, "earliest_online_year", "is before the first model year 2025"),
    ({"projects": [{"project": "A", "region": "US", "process": "mine", "capacity": 1,
                    "stage": "dreaming", "earliest_online_year": 2026}]},
     "projects.csv", 2, "stage", "expected one of exploration, permitting, permitted"),
    ({"throughput": [{"country": "US", "regime": "standard", "start_year": 2027,
                      "end_year": 2026, "limit": 1}]},
     "throughput.csv", 2, "end_year", "end_year 2026 is before start_year 2027"),
])
def test_permitting_tables_are_validated(tmp_path, tables, file, line, column, fragment):
    path = write_case(tmp_path, {"processes": [mine()], "demand": demand({2025: 1}), **tables},
                      end=2030)
    with pytest.raises(CaseError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert (str(problem.file).endswith(file), problem.line, problem.column) == \
        (True, line, column)
    assert fragment in problem.message


def test_permits_of_a_limited_agency_may_be_held_until_needed(tmp_path):
    """Throughput 6 kt/yr a year; demand 0 until 2027, then 12 kt/yr from 2028; permitting 1
    year. Permits started in 2025–2027 (6 a year at most) are held and used in 2028, so nothing
    is unserved: 12 · 2 years refined at 1 M$/kt (24) + capital 12 · 0.1 · 2 years (2.4)."""
    path = write_case(tmp_path, {
        "commodities": [{"commodity": "metal", "kind": "material", "unit": "kt"}],
        "processes": [{"process": "refinery", "family": "refinery", "main_output": "metal",
                       "capex": 3.0, "var_om": 1.0, "lifetime": 30, "construction_years": 0,
                       "permit_weight": 1.0}],
        "regimes": [{"country": "US", "family": "refinery", "regime": "standard",
                     "permitting_years": 1}],
        "throughput": [{"country": "US", "regime": "standard", "limit": 6.0}],
        "demand": demand({2027: 0, 2028: 12}, commodity="metal")}, end=2029)
    _, _, result, plan = run(path)
    assert result.objective == pytest.approx(26.4)
    permits = plan.tables["permits"]
    assert permits["capacity"].sum() == pytest.approx(12.0)
    assert set(permits["online_year"]) == {2028}
    assert permits["permit_start_year"].max() <= 2027
    assert permits.groupby("permit_start_year")["capacity"].sum().max() <= 6.0 + 1e-9
