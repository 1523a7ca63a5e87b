"""Warm sweeps (scenarios/sweep_warm.py): every scenario re-solved in a kept HiGHS instance
equals a cold solve of the same case; a change of structure is solved cold and kept beside the
other structures; the plan is written in full, as a cold run writes it."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from northam_plan import load_case
from northam_plan.cli import app
from northam_plan.research import solve_case
from northam_plan.scenarios.sweep import run_sweep
from northam_plan.scenarios.sweep_vary import parse_variations, scenarios
from test_sweep import trade_case  # the same tiny trade case as the cold sweep's tests

runner = CliRunner()
#: numbers only (the tariff) and structure (construction years: which builds can come online
#: inside the horizon), the structure varying fastest
VARY = ["tariffs[from=CN].rate=0,1", "processes[process=mine].construction_years=1,0"]


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The same 4 scenarios swept warm (in process) and cold (the command, ``--cold``: every
    scenario loaded, built and solved from nothing by pipeline.run, as ``solve`` does)."""
    folder = tmp_path_factory.mktemp("warm")
    path = trade_case(folder / "case")
    done = run_sweep(path, VARY, folder / "warm", sequential=True)
    result = runner.invoke(app, ["sweep", str(path), *sum((["--vary", v] for v in VARY), []),
                                 "--sequential", "--cold", "--out", str(folder / "cold")])
    return {"path": path, "done": done, "warm": folder / "warm", "cold": folder / "cold",
            "result": result}


def test_every_warm_scenario_equals_a_cold_solve_of_its_case(sweeps):
    done, warm, cold = sweeps["done"], sweeps["warm"], sweeps["cold"]
    assert sweeps["result"].exit_code == 0, sweeps["result"].output
    assert done.counts["solved"] == 4
    # cold for the first structure (construction 1), the second (construction 0) from the
    # first's basis carried over, warm for every later scenario: the two structures are kept
    # side by side
    assert [r["start"] for r in done.rows] == ["cold", "carried", "warm", "warm"]
    case = load_case(sweeps["path"])
    planned = scenarios(parse_variations(VARY, case))
    # the cold sweep is the one runner's cold solve of each case (as `solve` or solve_case)
    first = solve_case(case.with_overrides(*planned[-1].overrides), quiet=True)
    cold_index = pd.read_csv(cold / "sweep.csv")
    assert cold_index["objective"].iloc[-1] == pytest.approx(first.result.objective, rel=1e-12)
    assert list(cold_index["start"]) == ["cold"] * 4
    for scenario, row, cold_objective in zip(planned, done.rows, cold_index["objective"]):
        assert row["objective"] == pytest.approx(cold_objective, rel=1e-6)
        # the plan is written in full, by the same writer: the same files, sizes, ranges …
        folder, twin = warm / scenario.name, cold / scenario.name
        summary = json.loads((folder / "summary.json").read_text())
        reference = json.loads((twin / "summary.json").read_text())
        assert summary["status"] == "optimal" and summary["case_hash"] == reference["case_hash"]
        assert summary["case_hash"] == row["case_hash"]
        for key in ("sizes", "numerics", "options", "overrides", "years", "sweep"):
            assert summary[key] == reference[key], key
        assert summary["costs"] == pytest.approx(reference["costs"], rel=1e-6, abs=1e-6)
        assert set(summary) == set(reference)
        assert (folder / "plan.nc").is_file() and "HiGHS" in (folder / "highs.log").read_text()
        assert sorted(p.name for p in (folder / "tables").iterdir()) == \
            sorted(p.name for p in (twin / "tables").iterdir())
        # … and the same plan: what to build and ship, where and when
        for name in ("investments", "flows"):
            warm_table = pd.read_csv(folder / "tables" / f"{name}.csv")
            cold_table = pd.read_csv(twin / "tables" / f"{name}.csv")
            assert list(warm_table.columns) == list(cold_table.columns)
            numeric = warm_table.select_dtypes("number").columns
            assert warm_table[numeric].to_numpy() == pytest.approx(
                cold_table[numeric].to_numpy(dtype=float), rel=1e-6, abs=1e-6)
    # the variations matter: the tariff on Chinese ore raises every cost (rate varies slowest)
    objectives = [r["objective"] for r in done.rows]
    assert all(dear > cheap for cheap, dear in zip(objectives[:2], objectives[2:]))


def test_the_index_and_the_summary_say_warm_or_cold(sweeps):
    output = sweeps["result"].output
    assert "re-solved warm" in output and "none (--cold)" in output
    assert json.loads((sweeps["cold"] / "sweep.json").read_text())["warm"] is False
    assert json.loads((sweeps["warm"] / "sweep.json").read_text())["warm"] is True
    warm = pd.read_csv(sweeps["warm"] / "sweep.csv")
    assert list(warm["start"]) == ["cold", "carried", "warm", "warm"]


def test_a_failed_scenario_leaves_the_kept_instances_usable(tmp_path):
    """An invalid variation between two warm ones: the later one is still re-solved warm and
    right (the broken case never reaches HiGHS)."""
    path = trade_case(tmp_path / "case")
    done = run_sweep(path, ["tariffs[from=CN].rate=0,1",
                            "processes[process=mine].main_output=ore,nope"], tmp_path / "out",
                     sequential=True)
    assert [r["status"] for r in done.rows] == ["solved", "failed", "solved", "failed"]
    assert [r["start"] for r in done.rows] == ["cold", "", "warm", ""]
    case = load_case(path).with_overrides({"table": "tariffs", "where": {}, "set": {"rate": 1}})
    assert done.rows[2]["objective"] == pytest.approx(
        solve_case(case, quiet=True).result.objective, rel=1e-6)
