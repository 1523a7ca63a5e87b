"""Country cost factors (cost_factors.csv): capex_factor on the capex of new capacity,
om_factor on fixed and variable O&M — tiny cases solved by hand.

Unless said otherwise: regions US and CA (countries of the same name), cost of capital 0 in
both, discount rate 0, one model year (2025), no permitting years. A plant (family refinery)
makes metal, costs 10 M$ per kt/yr to build and lives 10 years, so its capital is
10 · CRF(0, 10) = 1 M$/yr per kt/yr. 10 kt of metal are wanted in the US; Canada ships it at
no cost. Without factors both countries are equally cheap.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit import write_case
from northam_plan import CaseError, Resolver, build_model, extract_plan, load_case, solve
from test_backends import assert_same_lp, assert_same_optimum
from test_resolve import check_update

METAL = [{"commodity": "metal", "kind": "material", "unit": "kt"}]
PLANT = {"process": "plant", "family": "refinery", "main_output": "metal", "capex": 10.0,
         "lifetime": 10, "construction_years": 0}
TWO = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "CA", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "CA", "country": "CA"}],
    "commodities": METAL,
    "processes": [PLANT],
    "links": [{"from": "CA", "to": "US", "commodity": "metal", "transport_cost": 0.0}],
    "demand": [{"region": "US", "commodity": "metal", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def factor(country="CA", family="refinery", capex=None, om=None) -> dict:
    row = {"country": country, "family": family, "source": "test"}
    if capex is not None:
        row["capex_factor"] = capex
    if om is not None:
        row["om_factor"] = om
    return row


def solved(path, backend):
    case = load_case(path)
    model = build_model(case, backend=backend)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return case, result, extract_plan(model, case)


def built(plan, region) -> float:
    builds = plan.dataset["build"].to_series().dropna()
    return float(builds[builds.index.get_level_values("region") == region].sum())


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
@pytest.mark.parametrize("capex_factor, region, objective", [
    (0.8, "CA", 8.0),  # 10 kt/yr × 10 · 0.8 M$ per kt/yr × CRF 1/10
    (1.2, "US", 10.0),  # Canada dearer (12): the US builds at 10 × 10 / 10
])
def test_a_capex_factor_moves_the_build_to_the_cheaper_country(tmp_path, backend, capex_factor,
                                                                region, objective):
    path = write_case(tmp_path, {**TWO, "cost_factors": [factor(capex=capex_factor)]})
    case, result, plan = solved(path, backend)
    assert result.objective == pytest.approx(objective)
    assert built(plan, region) == pytest.approx(10.0)
    assert plan.costs["capital"] == pytest.approx(objective)
    investments = plan.tables["investments"]
    assert list(investments["region"]) == [region]
    # the investment plan reports the local overnight capex: 10 kt/yr × 10 × factor
    assert investments["capex"].sum() == pytest.approx(
        100.0 * (capex_factor if region == "CA" else 1.0))
    assert_same_lp(case)
    assert_same_optimum(case)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_an_om_factor_scales_variable_om(tmp_path, backend):
    """Plants in place in both countries (100 kt/yr each, nothing to build), var_om 5 M$/kt;
    Canada's O&M factor 0.7: 10 kt made in Canada at 3.5 → 35 M$ (at 1.3 the US makes it at
    5 → 50)."""
    tables = {**TWO, "processes": [{**PLANT, "capex": 0.0, "var_om": 5.0}],
              "existing_capacity": [{"region": "US", "process": "plant", "capacity": 100},
                                    {"region": "CA", "process": "plant", "capacity": 100}]}
    path = write_case(tmp_path / "cheap", {**tables, "cost_factors": [factor(om=0.7)]})
    case, result, plan = solved(path, backend)
    assert result.objective == pytest.approx(35.0)
    assert plan.costs["variable_om"] == pytest.approx(35.0)
    activity = plan.tables["activity"].set_index("region")["activity"]
    assert activity.get("CA", 0.0) == pytest.approx(10.0)
    assert_same_lp(case)
    dear = write_case(tmp_path / "dear", {**tables, "cost_factors": [factor(om=1.3)]})
    assert solved(dear, backend)[1].objective == pytest.approx(50.0)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_an_om_factor_scales_fixed_om(tmp_path, backend):
    """A plant free to build with fixed O&M of 2 M$ per kt/yr a year: 20 M$ in the US, 10 in
    Canada with an O&M factor of 0.5 (its capex factor 3 does not matter: capex is 0)."""
    tables = {**TWO, "processes": [{**PLANT, "capex": 0.0, "fixed_om": 2.0}],
              "cost_factors": [factor(capex=3.0, om=0.5)]}
    case, result, plan = solved(write_case(tmp_path, tables), backend)
    assert result.objective == pytest.approx(10.0)
    assert plan.costs["fixed_om"] == pytest.approx(10.0)
    assert built(plan, "CA") == pytest.approx(10.0)
    assert_same_lp(case)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
@pytest.mark.parametrize("own_capex, objective", [
    (8.0, 8.0),  # its own capex, already local: 10 kt/yr × 8 / 10, not × 0.5
    (None, 5.0),  # no capex of its own: the process's, scaled: 10 × 10 · 0.5 / 10
])
def test_a_project_keeps_its_own_capex(tmp_path, backend, own_capex, objective):
    """Nothing may be permitted (can_build false); one committed project in Canada of
    10 kt/yr, online in 2025; Canada's capex factor 0.5."""
    project = {"project": "P", "region": "CA", "process": "plant", "capacity": 10,
               "stage": "permitted", "earliest_online_year": 2025, "committed": True}
    if own_capex is not None:
        project["capex"] = own_capex
    tables = {**TWO, "regions": [{**row, "can_build": False} for row in TWO["regions"]],
              "projects": [project], "cost_factors": [factor(capex=0.5)]}
    case, result, plan = solved(write_case(tmp_path, tables), backend)
    assert result.objective == pytest.approx(objective)
    assert plan.tables["investments"]["capex"].sum() == pytest.approx(10 * objective)
    assert_same_lp(case)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_a_missing_row_is_factor_one(tmp_path, backend):
    """The US refinery factor is 1.1 (11 per kt/yr); Canada has a row for mines only (0.5),
    so its refinery keeps factor 1: Canada builds at 10 — not at 5, not the US at 11."""
    tables = {**TWO, "cost_factors": [factor("US", capex=1.1), factor(family="mine", capex=0.5,
                                                                      om=0.5)]}
    case, result, plan = solved(write_case(tmp_path / "some", tables), backend)
    assert result.objective == pytest.approx(10.0)
    assert built(plan, "CA") == pytest.approx(10.0)
    # a row of factors 1 (given or defaulted) changes nothing
    ones = write_case(tmp_path / "ones", {**TWO, "cost_factors": [
        factor("US", capex=1.0, om=1.0), {"country": "CA", "family": "refinery"}]})
    none = write_case(tmp_path / "none", TWO)
    assert solved(ones, backend)[1].objective == pytest.approx(10.0)
    assert solved(none, backend)[1].objective == pytest.approx(10.0)
    assert load_case(ones).cost_factors["CA", "refinery"] == (1.0, 1.0)


@pytest.mark.parametrize("row, column, message", [
    (factor("XX", capex=0.8), "country", "unknown country 'XX'"),
    (factor(capex=0.0), "capex_factor", "> 0"),
    (factor(capex=-0.5), "capex_factor", "> 0"),
    (factor(om=0.0), "om_factor", "> 0"),
    (factor(om=-1.0), "om_factor", "> 0"),
    (factor(family="smelter", capex=0.8), "family", "smelter"),
])
def test_bad_rows_are_refused_with_file_line_and_column(tmp_path, row, column, message):
    path = write_case(tmp_path, {**TWO, "cost_factors": [factor("US", capex=1.0), row]})
    with pytest.raises(CaseError) as caught:
        load_case(path)
    found = [p for p in caught.value.problems if Path(p.file).name == "cost_factors.csv"]
    assert [(p.line, p.column) for p in found] == [(3, column)]
    assert message in found[0].message


def test_a_duplicate_row_is_refused(tmp_path):
    path = write_case(tmp_path, {**TWO, "cost_factors": [factor(capex=0.8), factor(capex=0.9)]})
    with pytest.raises(CaseError, match="cost_factors.csv"):
        load_case(path)


# --- warm re-solves (northam_plan.scenarios.resolve) ---------------------------------------------------
@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_re_solves_apply_the_factors_like_cold_solves(tmp_path, backend):
    """Canada builds at factor 0.8 (8 M$); at 1.2 the US builds (10); a new O&M row; a new
    process capex with the factors in place: each equal to a cold solve (the Pyomo backend
    rebuilds, the matrix backend diffs the arrays)."""
    tables = {**TWO, "processes": [{**PLANT, "fixed_om": 1.0, "var_om": 0.5}],
              "cost_factors": [factor(capex=0.8)]}
    case = load_case(write_case(tmp_path, tables))
    resolver = Resolver(build_model(case, backend=backend), case, quiet=True)
    # capital 8 + fixed O&M 10 + variable O&M 5
    assert resolver.solve().objective == pytest.approx(8.0 + 10.0 + 5.0)
    dearer = case.with_overrides({"table": "cost_factors", "where": {"country": "CA"},
                                  "set": {"capex_factor": 1.2}})
    check_update(resolver, dearer, "rebuild")
    assert resolver.highs.getInfo().objective_function_value == pytest.approx(10.0 + 15.0)
    om = dearer.with_overrides(add=[{"table": "cost_factors", "rows": [
        factor("US", om=2.0)]}])  # US O&M doubles: 10 + 30 = 40 > Canada 12 + 15 = 27
    check_update(resolver, om, "rebuild")
    assert resolver.highs.getInfo().objective_function_value == pytest.approx(27.0)
    capex = om.with_overrides({"table": "processes", "set": {"capex": 20.0, "var_om": 1.0}})
    check_update(resolver, capex, "rebuild")  # Canada: 24 + 10 + 10 = 44 < US 20 + 20 + 20
    assert resolver.highs.getInfo().objective_function_value == pytest.approx(44.0)
    back = resolver.update(case)
    assert resolver.route == ("diff" if backend == "matrix" else "rebuild")
    assert back.objective == pytest.approx(23.0)
