"""The command line end to end on a tiny case: outputs, exit codes, safe replacement."""

from __future__ import annotations

import json

import pandas as pd
import xarray as xr
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan.cli import app

runner = CliRunner()
TABLES = ("investments", "activity", "flows", "prices", "unserved", "costs")


def tiny(tmp_path):
    return write_case(tmp_path / "case", {
        "processes": [mine(var_om=1.0, capex=10.0, construction_years=1)],
        "reserves": [{"region": "US", "commodity": "ore", "reserves": 1000}],
        "existing_capacity": [{"region": "US", "process": "mine", "capacity": 5}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                    "quantity": 5}, {"region": "US", "commodity": "ore", "sector": "all",
                                     "year": 2030, "quantity": 10}]}, end=2030)


def test_solve_writes_summary_plan_and_tables(tmp_path):
    out = tmp_path / "result"
    result = runner.invoke(app, ["solve", str(tiny(tmp_path)), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["case"] == "tiny" and len(summary["case_hash"]) == 64
    assert summary["unserved_total"] == 0
    assert set(summary["versions"]) >= {"northam_plan", "pyomo", "highspy"}
    assert set(summary["timings"]) >= {"load", "build", "handover", "solve", "extract"}
    for name in TABLES:
        assert (out / "tables" / f"{name}.csv").is_file()
    investments = pd.read_csv(out / "tables" / "investments.csv")
    assert investments["capacity"].sum() > 0
    with xr.open_dataset(out / "plan.nc", engine="h5netcdf") as plan:
        assert plan["act"].dims == ("region", "process", "year")
        assert plan.attrs["case_hash"] == summary["case_hash"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_solve_keeps_the_earlier_result(tmp_path):
    """A time limit of 0 s ends without an optimal plan: exit 1, earlier result untouched."""
    case, out = tiny(tmp_path), tmp_path / "result"
    assert runner.invoke(app, ["solve", str(case), "--out", str(out), "-q"]).exit_code == 0
    before = (out / "summary.json").read_bytes()
    result = runner.invoke(app, ["solve", str(case), "--out", str(out), "-q",
                                 "--time-limit", "0"])
    assert result.exit_code == 1
    assert "time_limit" in result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "0 simplex, 0 interior-point iterations), before any feasible plan; nothing was " \
        "written" in said
    assert (out / "summary.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "result"]


def test_second_solve_replaces_the_result_whole(tmp_path):
    case, out = tiny(tmp_path), tmp_path / "result"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "stale.csv").write_text("old\n")
    assert runner.invoke(app, ["solve", str(case), "--out", str(out), "-q"]).exit_code == 0
    assert not (out / "tables" / "stale.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "result"]


def test_validate_accepts_a_good_case(tmp_path):
    result = runner.invoke(app, ["validate", str(tiny(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_help_on_every_command():
    for command in ([], ["solve"], ["validate"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
