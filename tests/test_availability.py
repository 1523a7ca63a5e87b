"""Availability by region, process and year (availability.csv): a plant ramping up to its
design rate — tiny cases solved by hand.

One region US (unless said otherwise), discount rate 0, cost of capital 0, unserved demand at
100 M$/kt. The plant makes metal at 1 M$/kt from 10 kt/yr of existing capacity with
availability 0.9 (processes.csv); new capacity costs 10,000 M$ per kt/yr over 30 years
(333 M$/yr per kt/yr, more than unserved demand), so none is built.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from casekit import write_case
from northam_plan import build_model, extract_plan, load_case, solve
from northam_plan.cli import app
from northam_plan.plan.extract import dual_values
from northam_plan.scenarios.resolve import Resolver

METAL = [{"commodity": "metal", "kind": "material", "unit": "kt"}]
PLANT = {"process": "plant", "family": "refinery", "main_output": "metal", "capex": 10_000.0,
         "var_om": 1.0, "lifetime": 30, "construction_years": 0, "availability": 0.9}
EXISTING = [{"region": "US", "process": "plant", "capacity": 10.0}]


def demand(quantities: dict[int, float], region="US"):
    return [{"region": region, "commodity": "metal", "sector": "all", "year": y,
             "quantity": q} for y, q in quantities.items()]


def ramp(availability, start=2025, end=2025, region="US", process="plant"):
    return {"region": region, "process": process, "start_year": start, "end_year": end,
            "availability": availability}


def solved(path, backend):
    case = load_case(path)
    model = build_model(case, backend=backend)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return result, extract_plan(model, case), model


def made(plan, year, region="US"):
    return float(plan.dataset["act"].sel(region=region, process="plant", year=year))


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_a_ramp_year_caps_output_at_its_availability(tmp_path, backend):
    """Demand 8 kt in 2025 and 2026. 2025 at availability 0.4: 4 made, 4 unserved
    (4 + 400); 2026 at the process's 0.9: 9 ≥ 8, all made (8). 412 M$. One more kt/yr of
    usable output in 2025 replaces 1 unserved kt: the activity_max dual is −(100 − 1) = −99
    in 2025 and 0 in 2026, where the limit does not bind."""
    path = write_case(tmp_path, {"commodities": METAL, "processes": [PLANT],
                                 "existing_capacity": EXISTING,
                                 "availability": [ramp(0.4)],
                                 "demand": demand({2025: 8, 2026: 8})}, end=2026)
    result, plan, model = solved(path, backend)
    assert result.objective == pytest.approx(412.0)
    assert made(plan, 2025) == pytest.approx(4.0)
    assert made(plan, 2026) == pytest.approx(8.0)
    duals = dual_values(model, "activity_max")
    assert float(duals["US", "plant", 2025]) == pytest.approx(-99.0)
    assert float(duals["US", "plant", 2026]) == pytest.approx(0.0)


@pytest.mark.parametrize("backend", ["pyomo", "matrix"])
def test_open_ended_span_and_zero_availability(tmp_path, backend):
    """2025 at availability 0 (the plant runs other campaigns): 8 unserved (800); from 2026 an
    open-ended row at 0.5 (5 made, 3 unserved: 5 + 300) in 2026 and 2027: 1410 M$."""
    path = write_case(tmp_path, {"commodities": METAL, "processes": [PLANT],
                                 "existing_capacity": EXISTING,
                                 "availability": [ramp(0.0), ramp(0.5, start=2026, end=None)],
                                 "demand": demand({2025: 8})}, end=2027)
    result, plan, model = solved(path, backend)
    assert result.objective == pytest.approx(800 + 2 * 305)
    assert made(plan, 2025) == pytest.approx(0.0)
    assert made(plan, 2027) == pytest.approx(5.0)


def test_a_row_of_another_region_leaves_this_one_at_the_process_availability(tmp_path):
    """A ramp row for CA (region code = country code) does not touch US: 9 made of 10 wanted,
    1 unserved: 9 + 100 = 109 M$."""
    path = write_case(tmp_path, {
        "countries": [{"country": "US", "cost_of_capital": 0.0},
                      {"country": "CA", "cost_of_capital": 0.0}],
        "regions": [{"region": "US", "country": "US"}, {"region": "CA", "country": "CA"}],
        "commodities": METAL, "processes": [PLANT], "existing_capacity": EXISTING,
        "availability": [ramp(0.1, region="CA")], "demand": demand({2025: 10})})
    result, plan, _ = solved(path, "matrix")
    assert result.objective == pytest.approx(109.0)
    assert made(plan, 2025) == pytest.approx(9.0)


def _validate(path):
    run = CliRunner().invoke(app, ["validate", str(path)])
    return run.exit_code, run.output


def test_overlapping_rows_are_refused_with_file_line_and_column(tmp_path):
    path = write_case(tmp_path, {"commodities": METAL, "processes": [PLANT],
                                 "existing_capacity": EXISTING,
                                 "availability": [ramp(0.4, end=2026), ramp(0.5, start=2026)],
                                 "demand": demand({2025: 8})}, end=2026)
    code, out = _validate(path)
    assert code == 2, out
    assert "availability.csv" in out and "overlap" in out and "start_year" in out
    assert "Traceback" not in out


def test_a_power_process_is_refused(tmp_path):
    path = write_case(tmp_path, {
        "commodities": [{"commodity": "elec", "kind": "energy", "unit": "TWh",
                         "timesliced": True}],
        "processes": [{"process": "gas", "family": "power", "main_output": "elec",
                       "capex": 1.0, "lifetime": 30, "construction_years": 0,
                       "activity_per_capacity": 8.76}],
        "availability": [ramp(0.5, process="gas")]})
    code, out = _validate(path)
    assert code == 2, out
    assert "availability.csv" in out and "power process" in out and "capacity_factors" in out


def test_a_changed_availability_re_solves_like_a_cold_solve(tmp_path):
    """The Resolver has no direct handler for availability.csv: it rebuilds, and the answer
    is the cold one. Availability 0.4 → 0.7 in 2025: 7 made, 1 unserved (7 + 100) + 8 in
    2026 = 115 M$ (was 412)."""
    case = load_case(write_case(tmp_path, {"commodities": METAL, "processes": [PLANT],
                                           "existing_capacity": EXISTING,
                                           "availability": [ramp(0.4)],
                                           "demand": demand({2025: 8, 2026: 8})}, end=2026))
    resolver = Resolver(build_model(case), case, quiet=True)
    assert resolver.solve().objective == pytest.approx(412.0)
    changed = case.with_overrides({"table": "availability", "set": {"availability": 0.7}})
    result = resolver.update(changed)
    cold = solve(build_model(changed), quiet=True)
    assert result.objective == pytest.approx(115.0)
    assert cold.objective == pytest.approx(115.0)
