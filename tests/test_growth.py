"""Growth limits (growth_limits.csv, ``growth_max``) and reserves that grow (reserves.csv
``growth`` and ``resources``, ``extraction_max``) — tiny cases solved by hand.

Unless said otherwise: one region US, discount rate 0, cost of capital 0, unserved demand at
100 M$/kt, no permitting years. The plant makes metal at 1 M$/kt, costs nothing to build, and
its typical project is 10 kt/yr (permit_weight 0.1), so a limit of 2 projects is 20 kt/yr.
"""

from __future__ import annotations

import pytest

from casekit import mine, write_case
from generated import random_tables, with_security
from northam_plan import CaseError, build_model, extract_plan, load_case, solve
from test_backends import assert_same_lp, assert_same_optimum

METAL = [{"commodity": "metal", "kind": "material", "unit": "kt"}]
PLANT = {"process": "plant", "family": "refinery", "main_output": "metal", "capex": 0.0,
         "var_om": 1.0, "lifetime": 30, "construction_years": 0, "permit_weight": 0.1}


def demand(quantities: dict[int, float], region="US"):
    return [{"region": region, "commodity": "metal", "sector": "all", "year": y,
             "quantity": q} for y, q in quantities.items()]


def limit(absolute, relative=0.0, country="US", family="refinery"):
    return {"country": country, "family": family, "absolute": absolute, "relative": relative}


def solved(path, backend):
    case = load_case(path)
    model = build_model(case, backend=backend)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return case, model, result, extract_plan(model, case)


def dual(plan, *index):
    return float(plan.dataset["dual_growth_max"].sel(
        country=index[0], family=index[1], year=index[2]))


def built(plan, year=None):
    builds = plan.dataset["build"].to_series().dropna()
    if year is not None:
        builds = builds[builds.index.get_level_values("year") == year]
    return float(builds.sum())


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_absolute_limit_moves_the_third_project_a_year_later(tmp_path, backend):
    """Demand 30 kt/yr (3 projects) from 2025; 2 projects a year may come online. Here the
    plant costs 3 M$ per kt/yr over 30 years: 0.1 M$/yr per kt/yr. 2025: 20 made, 10 unserved
    (20 + 1000 + capital 2); 2026: the third project, 30 made (30 + capital 3): 1055 M$. One
    more project in 2025 serves 10 kt more that year and pays one more year of its capital:
    dual −(100 − 1) · 10 + 10 · 0.1 = −989; in 2026 the limit does not bind (one of two)."""
    path = write_case(tmp_path, {"commodities": METAL, "processes": [{**PLANT, "capex": 3.0}],
                                 "growth_limits": [limit(2)], "demand": demand({2025: 30})},
                      end=2026)
    _, _, result, plan = solved(path, backend)
    assert result.objective == pytest.approx(1055.0)
    assert built(plan, 2025) == pytest.approx(20.0)
    assert built(plan, 2026) == pytest.approx(10.0)
    assert dual(plan, "US", "refinery", 2025) == pytest.approx(-989.0)
    assert dual(plan, "US", "refinery", 2026) == pytest.approx(0.0)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_relative_limit_grows_with_the_capacity_of_the_year_before(tmp_path, backend):
    """50 kt/yr existing (5 projects), no absolute part, 20 % a year. 2025: at most 1 project
    (0.2 · 5), capacity 60 meets demand 60 (60). 2026: the limit counts 2025's capacity, 6
    projects → 1.2 = 12 kt/yr; capacity 72 for demand 75: 3 unserved (72 + 300). 432 M$ —
    counting only existing capacity would allow 10 kt/yr and leave 5 unserved (570).
    Duals: one more project in 2026 = −990; one more in 2025 is 10 kt/yr more capacity in
    2026 and raises 2026's limit by 0.2 projects = 2 kt/yr: 12 kt less unserved → −1188."""
    path = write_case(tmp_path, {
        "commodities": METAL, "processes": [PLANT],
        "existing_capacity": [{"region": "US", "process": "plant", "capacity": 50}],
        "growth_limits": [limit(0.0, 0.2)], "demand": demand({2025: 60, 2026: 75})},
        end=2026)
    _, _, result, plan = solved(path, backend)
    assert result.objective == pytest.approx(432.0)
    assert built(plan, 2025) == pytest.approx(10.0)
    assert built(plan, 2026) == pytest.approx(12.0)
    assert dual(plan, "US", "refinery", 2026) == pytest.approx(-990.0)
    assert dual(plan, "US", "refinery", 2025) == pytest.approx(-1188.0)


def test_zero_limit_builds_nothing(tmp_path):
    """Limit 0: nothing is built, the 10 kt of demand go unserved (1000 M$); a project would
    serve all of it (−990). Without the limit the plant is built (10 M$)."""
    tables = {"commodities": METAL, "processes": [PLANT], "demand": demand({2025: 10})}
    free = write_case(tmp_path / "free", tables)
    zero = write_case(tmp_path / "zero", {**tables, "growth_limits": [limit(0.0)]})
    _, _, free_result, _ = solved(free, "pyomo")
    _, _, result, plan = solved(zero, "pyomo")
    assert free_result.objective == pytest.approx(10.0)
    assert result.objective == pytest.approx(1000.0)
    assert built(plan) == pytest.approx(0.0)
    assert dual(plan, "US", "refinery", 2025) == pytest.approx(-990.0)


def test_limit_sums_over_the_regions_of_a_country(tmp_path):
    """Region US is in country US (limit 3, needs 2: slack); regions CN-E and CN-W are in
    country CN, whose one project a year is shared: 10 kt of the 20 wanted are made in CN
    (10), 10 go unserved (1000), US makes its 20 (20): 1030 M$. Rows are per country, never
    per region."""
    path = write_case(tmp_path, {
        "countries": [{"country": "US", "cost_of_capital": 0.0},
                      {"country": "CN", "cost_of_capital": 0.0}],
        "regions": [{"region": "US", "country": "US"}, {"region": "CN-E", "country": "CN"},
                    {"region": "CN-W", "country": "CN"}],
        "commodities": METAL, "processes": [PLANT],
        "growth_limits": [limit(3), limit(1, country="CN")],
        "demand": demand({2025: 20}) + demand({2025: 10}, "CN-E") + demand({2025: 10}, "CN-W")})
    case, m, result, plan = solved(path, "pyomo")
    assert result.objective == pytest.approx(1030.0)
    assert set(m.growth_max) == {("US", "refinery", 2025), ("CN", "refinery", 2025)}
    builds = plan.dataset["build"].to_series().dropna()
    in_cn = builds[[case.countries_of_regions[r] == "CN"
                    for r in builds.index.get_level_values("region")]]
    assert float(in_cn.sum()) == pytest.approx(10.0)
    assert dual(plan, "CN", "refinery", 2025) == pytest.approx(-990.0)
    assert dual(plan, "US", "refinery", 2025) == pytest.approx(0.0)


def test_pipeline_projects_and_weightless_processes(tmp_path):
    """A pipeline project counts against the limit like a permit: with 1 project a year, the
    15 kt/yr project (1.5 typical projects) can only be built in part (10 kt) in 2025. A
    process without permit_weight is not counted: 'other' (weight 0, 3 M$/kt) makes the rest.
    10 · 1 + 5 · 3 = 25 M$."""
    other = {**PLANT, "process": "other", "var_om": 3.0, "permit_weight": 0.0}
    path = write_case(tmp_path, {
        "commodities": METAL, "processes": [PLANT, other],
        "regions": [{"region": "US", "country": "US", "can_build": False}],
        "projects": [{"project": "Alpha", "region": "US", "process": "plant", "capacity": 15,
                      "stage": "construction", "earliest_online_year": 2025},
                     {"project": "Beta", "region": "US", "process": "other", "capacity": 15,
                      "stage": "construction", "earliest_online_year": 2025}],
        "growth_limits": [limit(1)], "demand": demand({2025: 15})})
    _, m, result, _ = solved(path, "pyomo")
    assert result.objective == pytest.approx(25.0)
    assert m.project_build["Alpha", 2025].value == pytest.approx(10.0)


def test_a_committed_project_over_its_limit_is_refused_naming_project_and_limit(tmp_path):
    """A committed 30 kt/yr project (3 typical projects) where 2 a year may come online: the
    case cannot hold; loading refuses it with the project, the limit and both table lines. At
    exactly the limit (2 projects) it loads and is built."""
    project = {"project": "Alpha", "region": "US", "process": "plant", "capacity": 30,
               "stage": "construction", "earliest_online_year": 2026, "committed": True}
    tables = {"commodities": METAL, "processes": [PLANT], "projects": [project],
              "growth_limits": [limit(2)], "demand": demand({2025: 30})}
    with pytest.raises(CaseError) as error:
        load_case(write_case(tmp_path / "over", tables, end=2027))
    [problem] = error.value.problems
    assert str(problem.file).endswith("projects.csv")
    assert (problem.line, problem.column) == (2, "committed")
    assert "'Alpha'" in problem.message and "2026" in problem.message
    assert "growth_limits.csv, line 2" in problem.message and "exceed" in problem.message
    assert "3 typical projects" in problem.message and ", 2 (" in problem.message
    fits = write_case(tmp_path / "fits", {**tables, "projects": [{**project, "capacity": 20}]},
                      end=2027)
    _, m, _, _ = solved(fits, "pyomo")
    assert m.project_build["Alpha", 2026].value == pytest.approx(20.0)


def test_a_committed_project_within_a_relative_limit_loads(tmp_path):
    """40 kt/yr existing (4 projects) and 50 % a year: the year before 2026 may hold 4 + 2 = 6
    projects, so 2026 allows up to 3 — the committed 30 kt/yr project fits, and the plan builds
    the 2 projects of 2025 (free) that make room for it. 40 + 70 M$ of running cost."""
    tables = {"commodities": METAL, "processes": [PLANT],
              "existing_capacity": [{"region": "US", "process": "plant", "capacity": 40}],
              "projects": [{"project": "Alpha", "region": "US", "process": "plant",
                            "capacity": 30, "stage": "construction",
                            "earliest_online_year": 2026, "committed": True}],
              "growth_limits": [limit(0.0, 0.5)], "demand": demand({2025: 40, 2026: 70})}
    _, m, result, _ = solved(write_case(tmp_path, tables, end=2026), "pyomo")
    assert m.project_build["Alpha", 2026].value == pytest.approx(30.0)
    assert m.build["US", "plant", 2025].expr() == pytest.approx(20.0)
    assert result.objective == pytest.approx(40.0 + 70.0)


@pytest.mark.parametrize("row, column, message", [
    (limit(2, country="XX"), "country", "unknown country 'XX'"),
    (limit(2, family="mines"), "family", "mines"),
    (limit(-1), "absolute", "≥ 0"),
    (limit(1, relative=-0.1), "relative", "≥ 0"),
])
def test_bad_growth_limits_name_file_line_and_column(tmp_path, row, column, message):
    path = write_case(tmp_path, {"commodities": METAL, "processes": [PLANT],
                                 "growth_limits": [row]})
    with pytest.raises(CaseError) as error:
        load_case(path)
    [problem] = error.value.problems
    assert str(problem.file).endswith("growth_limits.csv")
    assert (problem.line, problem.column) == (2, column)
    assert message in problem.message


# --- reserves that grow -------------------------------------------------------------------

#: ore mined in the US at 1 M$/kt or imported from ROW at 4, 10 kt/yr wanted 2025–2027
MINES = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "ROW", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "ROW", "country": "ROW"}],
    "processes": [mine("mine_us", var_om=1.0), mine("mine_row", var_om=4.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "ROW", "process": "mine_row", "capacity": 100}],
    "links": [{"from": "ROW", "to": "US", "commodity": "ore"}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def test_reserves_without_growth_are_a_lifetime_cap(tmp_path):
    """25 kt of reserves over 3 years at 1 M$/kt, imports at 4 M$/kt, demand 10/yr:
    25 mined + 5 imported = 25 + 20 = 45 M$. One more kt of reserves saves 3 M$ (dual −3)."""
    path = write_case(tmp_path, {**MINES, "reserves": [
        {"region": "US", "commodity": "ore", "reserves": 25}]}, end=2027)
    _, m, result, plan = solved(path, "pyomo")
    assert result.objective == pytest.approx(45.0)
    # cumulative extraction to the end of each year: only the horizon's last year binds
    assert m.dual[m.extraction_max["US", "ore", 2027]] == pytest.approx(-3.0)
    assert m.dual[m.extraction_max["US", "ore", 2026]] == pytest.approx(0.0)
    assert float(plan.dataset["dual_extraction_max"].sel(region="US", commodity="ore",
                                                         year=2027)) == pytest.approx(-3.0)


def test_growing_reserves_let_a_mine_run_longer_than_the_lifetime_cap(tmp_path):
    """Discount 10 %. Reserves 5 kt as a lifetime cap: mined in 2025 (earliest saves most), then
    imports: 2025 5 + 5·4 = 25, 2026 and 2027 40 each → 25 + 40/1.1 + 40/1.21. Growing by
    100 % of 5 a year, at most 10 by the end of 2025, 15 by 2026, 20 by 2027: the mine runs
    every year, 10, 5, 5 → 10 + 25/1.1 + 25/1.21. A ceiling of resources 12 stops it at 12:
    10 in 2025, 2 in 2026 → 10 + 34/1.1 + 40/1.21."""
    def case(folder, **reserve):
        return write_case(tmp_path / folder, {**MINES, "reserves": [
            {"region": "US", "commodity": "ore", "reserves": 5, **reserve}]},
            end=2027, discount_rate=0.1)

    _, _, fixed, fixed_plan = solved(case("cap"), "pyomo")
    _, m, grown, plan = solved(case("grow", growth=1.0), "matrix")
    _, _, ceiling, _ = solved(case("ceiling", growth=1.0, resources=12), "pyomo")
    assert fixed.objective == pytest.approx(25 + 40 / 1.1 + 40 / 1.21)
    assert grown.objective == pytest.approx(10 + 25 / 1.1 + 25 / 1.21)
    assert ceiling.objective == pytest.approx(10 + 34 / 1.1 + 40 / 1.21)

    def mined(p):
        act = p.tables["activity"]
        return act[act["process"] == "mine_us"].set_index("year")["activity"].round(9).to_dict()

    assert mined(fixed_plan) == {2025: 5.0, 2026: 0.0, 2027: 0.0}
    assert mined(plan) == {2025: 10.0, 2026: 5.0, 2027: 5.0}
    # every year's cumulative limit binds; one more kt by the end of 2027 saves 3 in 2027
    assert float(plan.dataset["dual_extraction_max"].sel(
        region="US", commodity="ore", year=2027)) == pytest.approx(-3 / 1.21)


def test_resources_below_reserves_are_refused(tmp_path):
    path = write_case(tmp_path, {**MINES, "reserves": [
        {"region": "US", "commodity": "ore", "reserves": 5, "resources": 4}]})
    with pytest.raises(CaseError) as error:
        load_case(path)
    [problem] = error.value.problems
    assert (problem.line, problem.column) == (2, "resources")
    assert "less than the reserves 5" in problem.message


def test_both_routes_agree_with_growth_limits_and_growing_reserves(tmp_path):
    tables = with_security(random_tables(7), 7)
    tables["growth_limits"] = [limit(0.5, 0.1, country=k, family=f)
                               for k in ("US", "CA", "MX") for f in ("mine", "refinery")]
    for row in tables["reserves"]:
        row["growth"] = 0.05
    case = load_case(write_case(tmp_path, tables, end=2029, discount_rate=0.04))
    assert len(build_model(case, backend="matrix").growth_max) > 0
    assert_same_lp(case)
    assert_same_optimum(case)
