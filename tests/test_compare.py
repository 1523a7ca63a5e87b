"""Comparing plans: loading, checks that refuse incomparable plans, exact differences, the
xarray view along ``scenario``, and the ``compare`` command's files and exit codes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from casekit import write_case
from northam_plan import compare
from northam_plan.cli import app
from northam_plan.pipeline import run_case as _run_case
from northam_plan.report import FILES, comparison_of, write_comparison
from northam_plan.scenarios.compare import CompareError, load_result
from northam_plan.scenarios.compare_plan import SolvedPlan
from northam_plan.solve import SolveOptions

runner = CliRunner()


def run_case(case, out=None, write=True, data_roots=()):
    return _run_case(case, out, SolveOptions(quiet=True), write=write, data_roots=data_roots)

YEARS = (2025, 2027)


def chain_tables() -> dict[str, list[dict]]:
    """A mineral chain ore → metal → part: Mexico mines, China refines and makes parts, the
    US makes parts from metal and may build a refinery and a mine (capex, 1 year to build)."""
    countries = ("US", "MX", "CN")
    return {
        "countries": [{"country": c, "cost_of_capital": 0.05} for c in countries],
        "regions": [{"region": c, "country": c, "can_build": c == "US"} for c in countries],
        "commodities": [
            {"commodity": "ore", "kind": "mineral", "unit": "kt", "reference_price": 2.0,
             "name": "ore concentrate"},
            {"commodity": "metal", "kind": "material", "unit": "kt", "reference_price": 10.0,
             "name": "refined metal"},
            {"commodity": "part", "kind": "component", "unit": "kt", "reference_price": 50.0,
             "name": "finished part"}],
        "processes": [
            {"process": "mine", "family": "mine", "main_output": "ore", "capex": 20.0,
             "var_om": 1.0, "lifetime": 20, "construction_years": 1},
            {"process": "refinery", "family": "refinery", "main_output": "metal",
             "capex": 30.0, "var_om": 2.0, "lifetime": 20, "construction_years": 1},
            {"process": "factory", "family": "manufacturing", "main_output": "part",
             "capex": 40.0, "var_om": 5.0, "lifetime": 20, "construction_years": 1}],
        "process_io": [
            {"process": "refinery", "commodity": "ore", "side": "input", "ratio": 2.0},
            {"process": "factory", "commodity": "metal", "side": "input", "ratio": 0.5}],
        "existing_capacity": [
            {"region": "MX", "process": "mine", "capacity": 12},
            {"region": "CN", "process": "mine", "capacity": 60},
            {"region": "CN", "process": "refinery", "capacity": 30},
            {"region": "CN", "process": "factory", "capacity": 4},
            {"region": "US", "process": "factory", "capacity": 8}],
        "reserves": [{"region": r, "commodity": "ore", "reserves": 1000}
                     for r in ("US", "MX", "CN")],
        "links": [
            {"from": "MX", "to": "US", "commodity": "ore", "transport_cost": 0.2},
            {"from": "CN", "to": "US", "commodity": "metal", "transport_cost": 1.0},
            {"from": "CN", "to": "US", "commodity": "part", "transport_cost": 2.0}],
        "tariffs": [{"from": "CN", "to": "US", "commodity": c, "rate": 0.0}
                    for c in ("metal", "part")],
        "demand": [
            {"region": "US", "commodity": "part", "sector": "automotive", "year": y,
             "quantity": q} for y, q in ((2025, 10), (2027, 16))] + [
            {"region": "MX", "commodity": "ore", "sector": "export", "year": 2025,
             "quantity": 1}],
    }


TARIFF = """
[[override]]
table = "tariffs"
where = { from = "CN" }
set = { rate = 0.6 }
"""


def chain_cases(folder):
    """The base case and a scenario with a 60 % tariff on Chinese metal and parts."""
    base = write_case(folder, chain_tables(), start=YEARS[0], end=YEARS[1],
                      discount_rate=0.05, name="chain base")
    base = base.rename(base.with_name("base.toml"))
    tariff = folder / "tariff.toml"
    tariff.write_text('extends = "base.toml"\nname = "Tariff on China"\n' + TARIFF)
    return base, tariff


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """Result folders of the base and the tariff scenario."""
    folder = tmp_path_factory.mktemp("chain")
    base, tariff = chain_cases(folder)
    for case in (base, tariff):
        run = run_case(case, folder / "results" / case.stem)
        assert run.result.optimal
    return {"base": folder / "results" / "base", "tariff": folder / "results" / "tariff",
            "cases": (base, tariff)}


def copy_plan(source, target):
    shutil.copytree(source, target)
    return target


# --- the xarray view --------------------------------------------------------------------------

def test_compare_combines_plans_along_scenario(solved):
    ds = compare([solved["base"], solved["tariff"]])
    assert isinstance(ds, xr.Dataset)
    assert list(ds["scenario"].values) == ["base", "tariff"]
    assert ds.attrs["base"] == "base"
    assert ds["act"].dims[0] == "scenario"
    assert list(ds["case_name"].values) == ["chain base", "Tariff on China"]
    assert ds["act"].attrs["unit"] == "unit/yr"
    with xr.open_dataset(solved["tariff"] / "plan.nc") as one:
        np.testing.assert_array_equal(ds["act"].sel(scenario="tariff")
                                      .sel(region=one["act"]["region"],
                                           process=one["act"]["process"]).values,
                                      one["act"].values)
    diff = ds - ds.sel(scenario="base")
    assert float(abs(diff["annual_cost"].sel(scenario="base")).max()) == 0.0
    # the tariff moves costs: the objective differs
    assert ds["objective"].sel(scenario="tariff") > ds["objective"].sel(scenario="base")


def test_compare_accepts_names_and_case_runs(solved, tmp_path):
    run = run_case(solved["cases"][0], write=False)
    ds = compare({"mine": run, "theirs": solved["base"]})
    assert list(ds["scenario"].values) == ["mine", "theirs"]
    assert float(abs(ds["act"].sel(scenario="mine") - ds["act"].sel(scenario="theirs"))
                 .max()) == pytest.approx(0.0, abs=1e-9)


def test_same_plan_twice_gets_distinct_names(solved):
    ds = compare([solved["base"], solved["base"]])
    assert list(ds["scenario"].values) == ["base", "base (2)"]


# --- exact differences ------------------------------------------------------------------------

def test_a_plan_compared_with_itself_differs_by_exactly_zero(solved):
    comparison = comparison_of([load_result(solved["base"]), load_result(solved["base"])])
    table = comparison.table
    diff = table["base (2) - base"]
    assert len(table) > 50
    assert (diff[diff.notna()] == 0.0).all()
    assert (diff.isna() == table["base"].isna()).all()  # NaN only where nothing is modelled
    assert set(table.loc[table["base"].isna(), "note: base"]) <= {"not modelled in this case"}


def test_differences_from_a_hand_modified_copy_are_exact(solved, tmp_path):
    """Change one investment's capex and one cost in a copy: exactly those rows (and the
    totals they enter) differ, by exactly the change."""
    copy = copy_plan(solved["base"], tmp_path / "edited")
    costs = pd.read_csv(copy / "tables" / "costs.csv")
    costs.loc[0, "discounted"] += 7.25
    costs.to_csv(copy / "tables" / "costs.csv", index=False)
    inv = pd.read_csv(copy / "tables" / "investments.csv")
    assert len(inv), "the base case builds something"
    old_capex = inv.loc[0, "capex"]
    inv.loc[0, "capex"] = old_capex + 100.0
    inv.to_csv(copy / "tables" / "investments.csv", index=False)

    original = pd.read_csv(solved["base"] / "tables" / "costs.csv")
    comparison = comparison_of([load_result(solved["base"]), load_result(copy)])
    t = comparison.table
    diff = t["edited - base"]
    total = t[(t["topic"] == "headline") & (t["metric"] == "Total cost")]
    assert diff[total.index[0]] == costs["discounted"].sum() - original["discounted"].sum()
    country = costs.loc[0, "country"]
    by_country = t[(t["metric"] == "Cost by country") & (t["country"] == country)]
    assert diff[by_country.index[0]] == (costs.loc[costs["country"] == country, "discounted"]
                                         .sum() - original.loc[original["country"] == country,
                                                               "discounted"].sum())
    pv = t[(t["metric"] == "Cost (present value)") & (t["country"] == country)
           & (t["category"] == costs.loc[0, "category"])]
    assert diff[pv.index[0]] == costs.loc[0, "discounted"] - original.loc[0, "discounted"]
    capex = t[(t["metric"] == "Overnight capex") & (t["process"] == inv.loc[0, "process"])
              & (t["year"] == inv.loc[0, "online_year"]) & (t["country"] == inv.loc[0, "country"])]
    assert diff[capex.index[0]] == (old_capex + 100.0) - old_capex
    changed = set(diff[diff.fillna(0) != 0].index)
    assert changed == {total.index[0], by_country.index[0], pv.index[0], capex.index[0],
                       *_investment_row(t, inv.loc[0])}


def _investment_row(t, investment):
    sector = {"mine": "mine", "refinery": "refinery", "factory": "manufacturing"}[
        investment["process"]]
    return t[(t["metric"] == "Investment") & (t["country"] == investment["country"])
             & (t["sector"] == sector)].index


def test_scenarios_differ_where_the_tariff_bites(solved):
    comparison = comparison_of([load_result(solved["base"]), load_result(solved["tariff"])])
    t = comparison.table
    tariff = t[(t["topic"] == "flows") & (t["metric"] == "Tariff cost")]
    assert tariff["base"].sum() == 0.0
    total = t[t["metric"] == "Total cost"].iloc[0]
    assert total["tariff - base"] == total["tariff"] - total["base"] > 0


# --- plans that cannot be compared ------------------------------------------------------------

def _edit_summary(folder, **changes):
    path = folder / "summary.json"
    summary = json.loads(path.read_text())
    summary.update(changes)
    path.write_text(json.dumps(summary))


def test_plans_of_different_model_versions_are_refused(solved, tmp_path):
    old = copy_plan(solved["tariff"], tmp_path / "old")
    summary = json.loads((old / "summary.json").read_text())
    _edit_summary(old, versions={**summary["versions"], "northam_plan": "0.0.9"})
    with pytest.raises(CompareError, match="different versions of northam-plan"):
        compare([solved["base"], old])
    result = runner.invoke(app, ["compare", str(solved["base"]), str(old), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "0.0.9" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_plans_over_different_years_are_refused(solved, tmp_path):
    other = copy_plan(solved["tariff"], tmp_path / "other")
    _edit_summary(other, years=[2025, 2030])
    with pytest.raises(CompareError, match="different model years"):
        compare([solved["base"], other])


def test_plans_with_incompatible_dimensions_are_refused(solved, tmp_path):
    other = copy_plan(solved["tariff"], tmp_path / "other")
    with xr.open_dataset(other / "plan.nc") as ds:
        changed = ds.load().rename({"region": "node"})
    (other / "plan.nc").unlink()
    changed.to_netcdf(other / "plan.nc", engine="h5netcdf")  # as plans were written before
    # 2026-12-05 (netCDF-4/HDF5): compare still reads them
    with pytest.raises(CompareError, match="'build' is \\(region, process, year\\) in base but "
                                          "\\(node, process, year\\) in tariff"):
        compare([solved["base"], other])
    result = runner.invoke(app, ["compare", str(solved["base"]), str(other), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 2 and "incompatible dimensions" in result.output


def test_a_plan_without_dataset_or_folder_says_so():
    # found by mypy (issue 17): the dataset was read from `None / "plan.nc"`, a TypeError
    plan = SolvedPlan(name="bare", summary={}, tables={})
    with pytest.raises(CompareError, match="bare: no plan to read"):
        plan.dataset


def test_commodity_units_must_agree(solved, tmp_path):
    folder = tmp_path / "tonnes"
    tables = chain_tables()
    # a unit the case check accepts (a unit of another scale, 't', is refused at load since
    # issue 16) but that differs from the base's
    tables["commodities"][0]["unit"] = "kt Li"
    path = write_case(folder, tables, start=YEARS[0], end=YEARS[1])
    run = run_case(path, folder / "result")
    with pytest.raises(CompareError, match="ore \\(base: kt, case: kt Li\\)"):
        compare([solved["base"], run.out])


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "missing", "no such folder"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no summary.json"),
    (lambda tmp: (tmp / "x.toml").write_text("name = 1\n") and tmp / "x.toml", "Invalid input"),
    (lambda tmp: (tmp / "notes.txt").write_text("hi") and tmp / "notes.txt", "not a result"),
])
def test_bad_arguments_give_one_message_and_exit_2(solved, tmp_path, make, message):
    bad = make(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", str(solved["base"]), str(bad), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and not out.exists()
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_unknown_base_is_refused(solved, tmp_path):
    result = runner.invoke(app, ["compare", str(solved["base"]), str(solved["tariff"]),
                                 "--base", "nope", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--base nope" in result.output


# --- the command ------------------------------------------------------------------------------

def test_compare_command_solves_case_files_once_and_reuses_results(tmp_path, monkeypatch):
    base, tariff = chain_cases(tmp_path / "cases")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["compare", str(base), str(tariff), "--out", "cmp"])
    assert result.exit_code == 0, result.output
    assert result.output.count(" into results/") == 2  # "solving CASE into results/NAME (…)"
    for name in FILES:
        assert (tmp_path / "cmp" / name).stat().st_size > 0
    stamp = (tmp_path / "results" / "base" / "summary.json").stat().st_mtime_ns
    again = runner.invoke(app, ["compare", str(base), str(tariff), "--base", "tariff",
                                "--out", "cmp"])
    assert again.exit_code == 0, again.output
    assert "solving" not in again.output and again.output.count("reusing results/") == 2
    assert (tmp_path / "results" / "base" / "summary.json").stat().st_mtime_ns == stamp
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert "base - tariff" in table.columns and "tariff - base" not in table.columns
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == sorted(FILES)
    assert [p for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_a_failing_writer_leaves_earlier_files_alone(solved, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_comparison([solved["base"], solved["tariff"]], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("northam_plan.report.iamc.write_iamc", broken)
    with pytest.raises(RuntimeError):
        write_comparison([solved["tariff"], solved["base"]], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_a_two_stage_plan_enters_with_its_expected_operations(solved, tmp_path):
    """A stochastic plan (a ban on Chinese metal with probability 0.25) compares with the
    deterministic base: its flows are the probability-weighted sum over its scenarios."""
    stochastic = tmp_path / "stochastic.toml"
    stochastic.write_text(
        f'extends = "{solved["cases"][0].as_posix()}"\nname = "Maybe a ban"\n'
        '[[add]]\ntable = "scenarios"\nrows = [{ scenario = "calm", probability = 0.75 },'
        ' { scenario = "ban", probability = 0.25 }]\n'
        '[[add]]\ntable = "disruptions"\nrows = [{ exporter = "CN", commodity = "metal",'
        ' limit = 0, scenario = "ban" }]\n')
    run = run_case(stochastic, tmp_path / "result",  # it extends a case in another folder
                   data_roots=[solved["cases"][0].parent])
    ds = compare([solved["base"], run.out])
    assert "disruption" not in ds.dims and list(ds["stochastic"].values) == [False, True]
    flows = pd.read_csv(run.out / "tables" / "flows.csv")
    assert set(flows["scenario"]) == {"calm", "ban"}
    metal = flows[(flows["commodity"] == "metal") & (flows["year"] == 2027)]
    expected = sum(metal.loc[metal["scenario"] == s, "quantity"].sum() * p
                   for s, p in (("calm", 0.75), ("ban", 0.25)))
    assert float(ds["flow"].sel(scenario="stochastic", commodity="metal", year=2027)
                 .sum()) == pytest.approx(expected)
    t = comparison_of([load_result(solved["base"]), load_result(run.out)]).table
    shipped = t[(t["metric"] == "Shipped") & (t["commodity"] == "metal") & (t["year"] == 2027)]
    assert shipped["stochastic"].sum() == pytest.approx(expected)


def test_self_sufficiency_and_import_dependence_follow_their_definitions(solved):
    """One part holds 0.5 metal and one metal 2 ore, so a part needs 1 ore: USMCA demand for
    the ore chain = parts demanded × 1 + ore demanded. Import dependence = the largest
    outside country's share of what the USMCA imports from outside."""
    from northam_plan.report.metrics import Facts

    plan = load_result(solved["base"])
    facts = Facts(plan)
    assert facts.requirements == {"ore": {"ore": 1.0, "metal": 2.0, "part": 1.0}}
    activity = pd.read_csv(solved["base"] / "tables" / "activity.csv")
    demand = pd.read_csv(solved["base"] / "tables" / "unserved.csv")
    flows = pd.read_csv(solved["base"] / "tables" / "flows.csv")
    t = comparison_of([plan]).table
    assert YEARS[1] in set(t.loc[t["topic"] == "headline", "year"].dropna())
    for year in range(YEARS[0], YEARS[1] + 1):
        mined = activity[(activity["process"] == "mine") & (activity["year"] == year)
                         & activity["country"].isin(["US", "MX", "CA"])]["activity"].sum()
        d = demand[demand["year"] == year].set_index("commodity")["demand"]
        row = t[(t["topic"] == "security") & (t["metric"] == "Self-sufficiency")
                & (t["year"] == year)]
        assert row["base"].tolist() == [100.0 * mined / (d.get("part", 0) * 1.0
                                                        + d.get("ore", 0))]
        outside = flows[(flows["from"] == "CN") & (flows["year"] == year)]
        dep = t[(t["topic"] == "security") & (t["metric"].str.startswith("Import dependence"))
                & (t["year"] == year)].set_index("commodity")
        for commodity, quantity in outside.groupby("commodity")["quantity"].sum().items():
            assert dep.at[commodity, "base"] == 100.0  # China is the only outside supplier
            assert dep.at[commodity, "note: base"].startswith("top supplier CN of "
                                                             f"{quantity:,.4g} kt/yr")
