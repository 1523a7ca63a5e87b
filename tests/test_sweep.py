"""Sweeps: --vary parsing, the cartesian product, a real 2-worker Dask LocalCluster, failed
scenarios, skip-by-hash on a re-run, bad --vary arguments and compare on the sweep's folders."""

from __future__ import annotations

import json
import time

import dask
import pandas as pd
import psutil
import pytest
from typer.testing import CliRunner

from casekit import mine, write_case
from northam_plan import compare, load_case
from northam_plan.cli import app
from northam_plan.model.backends import DEFAULT_BACKEND
from northam_plan.research import solve_case
from northam_plan.scenarios.sweep import run_sweep
from northam_plan.scenarios.sweep_vary import SweepError, parse_variations, scenarios

runner = CliRunner()
RATES = "tariffs[from=CN].rate=0,0.5,1"
CAPEX = "processes[process=mine].capex=*1,*3"
OUTPUT = "processes[process=mine].main_output=ore,nope"


def trade_case(folder):
    """The US needs 10 → 16 kt of ore: import it from China (mine 1 M$/kt + transport 0.5
    + tariff rate × 4 M$/kt) or build US mines (capex 20 M$ per kt/yr, 1 year to build)."""
    return write_case(folder, {
        "countries": [{"country": c, "cost_of_capital": 0.05} for c in ("US", "CN")],
        "regions": [{"region": "US", "country": "US"},
                    {"region": "CN", "country": "CN", "can_build": False}],
        "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt",
                         "reference_price": 4.0}],
        "processes": [mine(capex=20.0, var_om=1.0, lifetime=20, construction_years=1)],
        "existing_capacity": [{"region": "CN", "process": "mine", "capacity": 100}],
        "reserves": [{"region": r, "commodity": "ore", "reserves": 1000} for r in ("US", "CN")],
        "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 0.5}],
        "tariffs": [{"from": "CN", "to": "US", "commodity": "ore", "rate": 0.0}],
        "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": y,
                    "quantity": q} for y, q in ((2025, 10), (2027, 16))]},
        start=2025, end=2027, discount_rate=0.05, name="trade")


@pytest.fixture(scope="module")
def case_path(tmp_path_factory):
    return trade_case(tmp_path_factory.mktemp("trade"))


@pytest.fixture(scope="module")
def dask_sweep(case_path, tmp_path_factory):
    """Six scenarios on a real 2-worker LocalCluster: 3 tariff rates × the mine's output, the
    case's 'ore' or 'nope', which is no commodity: a CaseError inside the worker."""
    before = _children()
    out = tmp_path_factory.mktemp("sweep") / "out"
    done = run_sweep(case_path, [RATES, OUTPUT], out, workers=2)
    return {"done": done, "out": out, "before": before}


# --- parsing ------------------------------------------------------------------------------

def test_variations_become_override_dicts_and_a_product(case_path):
    case = load_case(case_path)
    rates, capex = parse_variations([RATES, CAPEX], case)
    assert rates.label == "rate" and [c.text for c in rates.choices] == ["0", "0.5", "1"]
    assert rates.choices[1].overrides == ({"table": "tariffs", "where": {"from": "CN"},
                                           "set": {"rate": 0.5}},)
    # a scale: one override per matching row, keyed on the table's key, value × factor
    assert capex.choices[1].text == "*3"
    assert capex.choices[1].overrides == ({"table": "processes", "where": {"process": "mine"},
                                           "set": {"capex": 60.0}},)
    planned = scenarios([rates, capex])
    assert [s.name for s in planned] == [
        "rate=0__capex=x1", "rate=0__capex=x3", "rate=0.5__capex=x1", "rate=0.5__capex=x3",
        "rate=1__capex=x1", "rate=1__capex=x3"]
    assert planned[3].values == {"rate": "0.5", "capex": "*3"}
    # same column names in two tables: table.column; a LABEL: prefix wins
    a, b = parse_variations(["tariffs.rate=0.1", "cn:tariffs[from=CN|US,to=US].rate=0,0.2"],
                            case)
    assert (a.label, b.label) == ("rate", "cn")
    a, b = parse_variations(["links.transport_cost=1", "processes.capex=*2"], case)
    assert scenarios([a, b])[0].name == "transport_cost=1__capex=x2"
    with pytest.raises(SweepError, match="both labelled 'tariffs.rate'"):
        parse_variations(["tariffs.rate=0.1", "tariffs[from=CN].rate=0.2"], case)


def test_bad_variations_are_all_reported_before_anything_runs(case_path):
    case = load_case(case_path)
    bad = ["tarifs.rate=1", "tariffs.rat=1", "tariffs[from=XX].rate=1", "tariffs.rate=-1,abc",
           "demand.year=*2", "regions.country=*2", "tariffs.rate=0.5,0.50", "tariffs.rate",
           "processes.lifetime=*1.03", "tariffs.rate=0,,1", "disruptions.limit=0"]
    with pytest.raises(SweepError) as caught:
        parse_variations(bad, case)
    text = "\n".join(caught.value.problems)
    for expected in ("--vary 'tarifs.rate=1': unknown table 'tarifs'",
                     "--vary 'tariffs.rat=1': unknown column 'rat' of tariffs",
                     "[from=XX] matches no row of tariffs.csv", "from is one of CN",
                     "value '-1': expected a number ≥ 0", "value 'abc': expected a number",
                     "year is a key column of demand", "needs a numeric column",
                     "value '0.50' is the same as '0.5'", "expected [LABEL:]TABLE.COLUMN=",
                     "value '*1.03': expected a whole number", "empty value",
                     "disruptions.csv in"):
        assert expected in text, expected
    assert len(caught.value.problems) == len(bad) + 1  # 'tariffs.rate=-1,abc' has two


def test_bad_vary_gives_exit_2_and_solves_nothing(case_path, tmp_path):
    out = tmp_path / "never"
    result = runner.invoke(app, ["sweep", str(case_path), "--vary", "tariffs[from=CN].rate=x",
                                 "--vary", "tariffs.rate=0", "--out", str(out), "--sequential"])
    assert result.exit_code == 2, result.output
    assert "Invalid --vary" in result.output
    assert "--vary 'tariffs[from=CN].rate=x': value 'x': expected a number" in result.output
    assert "Traceback" not in result.output and not out.exists()
    result = runner.invoke(app, ["sweep", str(case_path), "--vary", RATES, "--sequential",
                                 "--scheduler", "tcp://127.0.0.1:8786", "--out", str(out)])
    assert result.exit_code == 2 and "exclude each other" in result.output
    result = runner.invoke(app, ["sweep", str(tmp_path / "missing.toml"), "--vary", RATES,
                                 "--sequential", "--out", str(out)])
    assert result.exit_code == 2 and "Invalid input" in result.output and not out.exists()


# --- a real 2-worker LocalCluster -----------------------------------------------------------

def test_sweep_on_a_local_cluster_matches_solves_in_process(dask_sweep, case_path):
    done, out = dask_sweep["done"], dask_sweep["out"]
    assert done.counts == {"solved": 3, "skipped": 0, "failed": 3, "not run": 0}
    index = pd.read_csv(out / "sweep.csv", keep_default_na=False)
    assert list(index.columns[:3]) == ["scenario", "rate", "main_output"]
    case = load_case(case_path)
    planned = scenarios(parse_variations([RATES, OUTPUT], case))
    assert list(index["scenario"]) == [s.name for s in planned]
    assert list(index["status"]) == ["solved", "failed"] * 3
    for scenario, row in zip(planned[::2], index[::2].itertuples()):
        here = solve_case(case.with_overrides(*scenario.overrides), quiet=True)
        assert here.result.optimal
        assert float(row.objective) == pytest.approx(here.result.objective, rel=1e-9, abs=1e-9)
        assert row.case_hash == here.case.hash and row.folder == scenario.name
        summary = json.loads((out / scenario.name / "summary.json").read_text())
        assert summary["case_hash"] == row.case_hash and summary["status"] == "optimal"
        assert summary["sweep"]["values"] == scenario.values
        # one runner (pipeline.run): the sweep's LP is the CLI's and the notebooks' — the same
        # route (it drifted to the slow Pyomo route once), sizes and coefficient ranges
        assert summary["options"]["backend"] == here.summary["options"]["backend"] == DEFAULT_BACKEND
        assert summary["sizes"] == here.summary["sizes"]
        assert summary["numerics"] == here.summary["numerics"]
        assert (out / scenario.name / "highs.log").is_file()
    # the variation matters: a tariff on Chinese ore raises the cost
    objective = dict(zip(index["scenario"], pd.to_numeric(index["objective"])))
    assert objective["rate=0__main_output=ore"] < objective["rate=1__main_output=ore"]
    assert json.loads((out / "sweep.json").read_text())["variations"][1]["argument"] == OUTPUT
    # the local cluster's settings are undone: Dask's defaults are whole again
    assert dask.config.get("distributed.worker.profile.enabled") is True


def test_a_broken_variation_fails_alone_on_the_cluster(dask_sweep):
    out = dask_sweep["out"]
    index = pd.read_csv(out / "sweep.csv", keep_default_na=False).set_index("scenario")
    for rate in ("0", "0.5", "1"):
        broken = index.loc[f"rate={rate}__main_output=nope"]
        assert broken["status"] == "failed" and broken["objective"] == ""
        assert broken["error"].startswith("invalid input: ")
        assert "processes.csv" in broken["error"]
        assert "unknown commodity 'nope'" in broken["error"]
        assert broken["folder"] == "" and not (out / f"rate={rate}__main_output=nope").exists()
        assert (out / f"rate={rate}__main_output=ore" / "summary.json").is_file()
    assert [r["scenario"] for r in dask_sweep["done"].failed] == [
        f"rate={r}__main_output=nope" for r in ("0", "0.5", "1")]


def _children() -> set[int]:
    """Live child processes, but multiprocessing's resource tracker: one per parent process,
    started with the first spawned process and ended by Python when the parent exits."""
    pids = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and \
                    "multiprocessing.resource_tracker" not in " ".join(child.cmdline()):
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return pids


def test_local_cluster_leaves_no_process_behind(dask_sweep):
    deadline = time.monotonic() + 10
    while (left := _children() - dask_sweep["before"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left


def test_compare_accepts_the_sweep_folders(dask_sweep):
    out = dask_sweep["out"]
    folders = [out / f"rate={rate}__main_output=ore" for rate in ("0", "0.5", "1")]
    ds = compare(folders)
    assert list(ds["scenario"].values) == [f.name for f in folders]
    index = pd.read_csv(out / "sweep.csv").set_index("scenario")
    for folder in folders:
        assert float(ds["objective"].sel(scenario=folder.name)) == pytest.approx(
            index.loc[folder.name, "objective"], rel=1e-12)


# --- failures and re-runs (in process: the same run_scenario the workers run) --------------

def test_the_command_reports_a_broken_variation_and_exits_1(case_path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(case_path), "--vary", "tariffs[from=CN].rate=0,1",
                                 "--vary", "processes[process=mine].main_output=ore,nope",
                                 "--sequential", "--out", str(out)])
    assert result.exit_code == 1, result.output
    index = pd.read_csv(out / "sweep.csv", keep_default_na=False).set_index("scenario")
    assert list(index["status"]) == ["solved", "failed", "solved", "failed"]
    assert "unknown commodity 'nope'" in index.loc["rate=1__main_output=nope", "error"]
    assert "2 of 4 scenarios failed" in result.output
    assert "rate=0__main_output=nope: invalid input" in result.output


def test_a_rerun_skips_what_is_solved_and_solves_what_changed(case_path, tmp_path):
    folder = tmp_path / "case"
    path = trade_case(folder)
    out = tmp_path / "out"
    vary = ["tariffs[from=CN].rate=0,1", CAPEX]
    first = run_sweep(path, vary, out, sequential=True)
    assert first.counts["solved"] == 4
    objective = {r["scenario"]: r["objective"] for r in first.rows}
    assert objective["rate=1__capex=x3"] > objective["rate=1__capex=x1"]  # dearer US mines
    tripled = load_case(path).with_overrides({"table": "processes", "where": {},
                                              "set": {"capex": 60.0}},
                                             {"table": "tariffs", "where": {}, "set": {"rate": 1}})
    assert objective["rate=1__capex=x3"] == pytest.approx(
        solve_case(tripled, quiet=True).result.objective, rel=1e-9)
    stamp = (out / "rate=1__capex=x3" / "summary.json").stat().st_mtime_ns
    again = run_sweep(path, vary, out, sequential=True)
    assert [r["status"] for r in again.rows] == ["skipped"] * 4
    assert [r["objective"] for r in again.rows] == [r["objective"] for r in first.rows]
    assert (out / "rate=1__capex=x3" / "summary.json").stat().st_mtime_ns == stamp
    index = pd.read_csv(out / "sweep.csv")
    assert list(index["status"]) == ["skipped"] * 4
    assert list(index["case_hash"]) == [r["case_hash"] for r in first.rows]
    # the base data changes → every hash changes → solved again
    links = folder / "tables" / "links.csv"
    links.write_text(links.read_text().replace("0.5", "0.7"))
    changed = run_sweep(path, vary, out, sequential=True)
    assert [r["status"] for r in changed.rows] == ["solved"] * 4
    assert all(r["case_hash"] != f["case_hash"] for r, f in zip(changed.rows, first.rows))
    assert changed.rows[0]["objective"] > first.rows[0]["objective"]  # imports cost more
    forced = run_sweep(path, vary[:1], out, sequential=True, force=True)
    assert [r["status"] for r in forced.rows] == ["solved"] * 2
