"""The command line end to end on a tiny case: outputs, exit codes, safe replacement."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import xarray as xr
from typer.testing import CliRunner

import northam_plan
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
    with xr.open_dataset(out / "plan.nc") as plan:
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


COMMANDS = ("solve", "validate", "explain", "calibrate", "compare", "report", "sweep",
            "explore")


def test_help_on_every_command():
    for command in ([], *([c] for c in COMMANDS)):
        result = runner.invoke(app, [*command, "--help"], prog_name="northam-plan")
        assert result.exit_code == 0 and "Usage" in result.output
        # flags as flags, repeatable options by the type of one item, no Python types
        assert "<bool>" not in result.output and "list[" not in result.output


def test_help_shows_flags_as_flags_and_list_arguments_as_names_with_dots():
    solve = runner.invoke(app, ["solve", "--help"], prog_name="northam-plan").output
    assert "Usage: northam-plan solve [OPTIONS] [CASE]" in solve
    assert re.search(r"--quiet\s+-q\s+only warnings", solve)  # no type between flag and help
    assert re.search(r"--verbose\s+-v\s+more detail", solve)
    assert re.search(r"--data-root\s+<path>\s", solve)
    compare = runner.invoke(app, ["compare", "--help"], prog_name="northam-plan").output
    assert "Usage: northam-plan compare [OPTIONS] PLANS..." in compare
    assert re.search(r"\*\s+PLANS\.\.\.\s+solved plan folders", compare)
    assert "Usage: northam-plan sweep [OPTIONS] CASE" in \
        runner.invoke(app, ["sweep", "--help"], prog_name="northam-plan").output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"northam-plan {version('northam-plan')}\n"


def test_python_dash_m_runs_the_command_line():
    """``python -m northam_plan`` and ``python -m northam_plan.cli`` both work."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(northam_plan.__file__).parent.parent), os.environ.get("PYTHONPATH", "")])}
    for module in ("northam_plan", "northam_plan.cli"):
        helped = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                                text=True, env=env, timeout=120)
        assert helped.returncode == 0, helped.stderr
        assert "Usage: northam-plan [OPTIONS] COMMAND" in helped.stdout
        assert "explain" in helped.stdout
    versioned = subprocess.run([sys.executable, "-m", "northam_plan", "--version"],
                               capture_output=True, text=True, env=env, timeout=120)
    assert versioned.stdout.strip() == f"northam-plan {version('northam-plan')}"
