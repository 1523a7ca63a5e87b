"""Coefficient ranges after build, and warnings that name the rows at fault.

The tiny case: a US mine (10 kt/yr, 2 M$/kt) serves 8 kt/yr of ore for one year, discount rate
0, unserved demand at 100 M$/kt. Its LP: act + unserved ≥ 8 (coefficients 1, 1; rhs 8);
act ≤ 10 (coefficient 1, rhs 10); costs 2 (act) and 100 (unserved); unserved ≤ 8.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import build_model, load_case, solve
from northam_plan.cli import app
from northam_plan.solve.numerics import health_warnings

ORE_AND_DUST = [{"commodity": "ore", "kind": "mineral", "unit": "kt"},
                {"commodity": "dust", "kind": "material", "unit": "kt"}]


def tiny(tmp_path, var_om=2.0, dust=None):
    tables = {"processes": [mine(var_om=var_om)],
              "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
              "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                          "quantity": 8}]}
    if dust is not None:  # a by-product in a badly chosen unit, with a little demand for it
        tables |= {"commodities": ORE_AND_DUST, "process_io": [
            {"process": "mine", "commodity": "dust", "side": "output", "ratio": dust}]}
        tables["demand"] = tables["demand"] + [{"region": "US", "commodity": "dust",
                                                "sector": "all", "year": 2025,
                                                "quantity": 8 * dust}]
    case = load_case(write_case(tmp_path, tables))
    result = solve(build_model(case), quiet=True)
    assert result.optimal
    return case, result


def test_ranges_of_a_tiny_case_are_those_worked_out_by_hand(tmp_path):
    case, result = tiny(tmp_path)
    ranges = {kind: (low.value, high.value) for kind, (low, high) in result.ranges.ranges.items()}
    assert ranges == {"matrix": (1.0, 1.0), "cost": (2.0, 100.0), "rhs": (8.0, 10.0),
                      "bounds": (8.0, 8.0)}
    assert result.ranges.ranges["cost"][1].where == "unserved[US,ore,2025]"
    assert health_warnings(result.ranges, case) == []


def test_a_tiny_by_product_ratio_is_named_with_its_process_io_row(tmp_path):
    case, result = tiny(tmp_path, dust=1e-12)
    low, _ = result.ranges.ranges["matrix"]
    assert low.value == pytest.approx(1e-12)
    [warning] = [w for w in health_warnings(result.ranges, case) if "matrix" in w]
    assert "spans 12 orders of magnitude" in warning and "below 1e-09" in warning
    assert "commodity_balance[US,dust,2025] × act[US,mine,2025]" in warning
    assert "process_io.csv, line 2" in warning


def test_a_cost_in_the_wrong_unit_is_named_with_its_process_row(tmp_path):
    """var_om given in $/t instead of M$/kt… times a million: 2e9 M$/kt."""
    case, result = tiny(tmp_path, var_om=2e9)
    [warning] = health_warnings(result.ranges, case)
    assert warning.startswith("numerics: the cost coefficients holds 2e+09, above 1e+09")
    assert "largest 2e+09 at act[US,mine,2025] (from " in warning
    assert "processes.csv, line 2" in warning


def test_solve_prints_ranges_and_warnings_and_records_them(tmp_path):
    path = write_case(tmp_path / "case", {
        "processes": [mine(var_om=2e9)],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 10}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 8}]}, unserved_penalty=1e10)
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    assert "warning: numerics: the cost coefficients" in result.output
    assert "coefficients" in result.output and "matrix [1.0e+00, 1.0e+00]" in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["numerics"]["cost"]["max"] == pytest.approx(1e10)
    assert summary["numerics"]["cost"]["max_at"] == "unserved[US,ore,2025]"
    assert any(w.startswith("numerics: the cost") for w in summary["warnings"])
