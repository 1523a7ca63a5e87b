"""The tables a solve writes: a header on every table, a unit column where units mix, solver
noise written as 0 (one tolerance, ``ZERO_TOLERANCE``), and ``plan.nc`` holding every number of
every table (each CSV read back from the dataset is the same file)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from northam_plan.pipeline import run_case
from northam_plan.plan.table_arrays import table_from_dataset, table_names, without_tables
from northam_plan.plan.units import FLOW_TABLES, ZERO_TOLERANCE, clean_table
from northam_plan.plan.write import TABLE_FLOAT_FORMAT
from northam_plan.solve import SolveOptions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["reference", "fta_content"])
def solved(request, tmp_path_factory):
    """The reference (energy, security, projects) and a tracked case (passport, content
    rules), solved and written as ``northam-plan solve`` writes them."""
    out = tmp_path_factory.mktemp(request.param) / "result"
    run = run_case(ROOT / "cases" / f"{request.param}.toml", out, SolveOptions(quiet=True))
    assert run.result.optimal
    return run


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format=TABLE_FLOAT_FORMAT, lineterminator="\n")
    return buffer.getvalue()


def test_plan_nc_holds_every_table_number_for_number(solved):
    files = sorted((solved.out / "tables").glob("*.csv"))
    with xr.open_dataset(solved.out / "plan.nc") as ds:
        ds = ds.load()
    assert sorted(table_names(ds)) == sorted(f.stem for f in files)
    for file in files:
        back = table_from_dataset(ds, file.stem)
        assert _csv(back) == file.read_text(), file.name
    # three variables hold them all, and the labelled arrays go without them
    assert len(ds.data_vars) - len(without_tables(ds).data_vars) == 3


def test_energy_results_are_labelled_arrays_in_plan_nc(solved):
    ds = solved.plan.dataset
    generation = solved.plan.tables["generation"]
    if generation.empty:  # a case without timesliced commodities has none
        assert "generation" not in ds
        return
    array = ds["generation"].sel(region="US", process="solar").sum(["year", "slice"])
    assert float(array) == pytest.approx(generation.loc[
        (generation["region"] == "US") & (generation["process"] == "solar"), "output"].sum())
    for name, table, column in (("intertie", "interties", "quantity"),
                                ("emissions", "emissions", "quantity"),
                                ("charge", "generation", "charge")):
        assert float(ds[name].sum()) == pytest.approx(solved.plan.tables[table][column].sum())
        assert ds[name].attrs["unit"]


def test_every_table_has_a_header_even_when_empty(solved):
    for file in (solved.out / "tables").glob("*.csv"):
        header = file.read_text().splitlines()[0] if file.stat().st_size else ""
        assert header and "," in header, f"{file.name} has no header"


def _units_mixed(frame: pd.DataFrame) -> bool:
    return "commodity" in frame.columns and frame["commodity"].nunique() > 1 or \
        "process" in frame.columns and frame["process"].nunique() > 1


def test_a_unit_column_wherever_units_mix(solved):
    """Every table listing several commodities or processes says the unit of each row; the
    investments of the reference mix GW (power) with kt/yr (minerals)."""
    units = dict(zip(solved.case.tables["commodities"]["commodity"],
                     solved.case.tables["commodities"]["unit"]))
    for name, frame in solved.plan.tables.items():
        if name in ("costs", "custom_constraints", "throughput"):  # M$ and workload only
            continue
        if _units_mixed(frame):
            assert "unit" in frame.columns, name
            assert frame["unit"].notna().all() and (frame["unit"] != "").all(), name
            if "commodity" in frame.columns:  # the commodity's unit (quantities per year)
                assert (frame["unit"] == frame["commodity"].map(units)).all(), name
    if solved.out.parent.name.startswith("reference"):
        invest = solved.plan.tables["investments"].set_index("process")["unit"]
        assert set(invest.loc[["gas_cc", "solar"]]) == {"GW"}
        assert set(invest.loc[["li_mine"]]) == {"kt Li/yr"}
        activity = solved.plan.tables["activity"].set_index("process")
        assert set(activity.loc["solar", "unit"]) == {"TWh"}
        assert set(activity.loc["solar", "capacity_unit"]) == {"GW"}


def test_no_noise_in_any_table(solved):
    """No number in any table is nonzero and smaller in magnitude than the tolerance, and no
    flow table lists a row whose quantities are all zero."""
    for name, frame in solved.plan.tables.items():
        numbers = frame.select_dtypes("number").to_numpy(dtype=float)
        tiny = (np.abs(numbers) < ZERO_TOLERANCE) & (numbers != 0)
        assert not tiny.any(), (name, frame[tiny.any(axis=1)])
        quantities = FLOW_TABLES.get(name)
        if quantities and len(frame):
            assert (frame[quantities] != 0).any(axis=1).all(), name
    dataset = without_tables(solved.plan.dataset)
    for name in ("build", "cap", "act", "flow", "permit"):
        if name in dataset:
            values = dataset[name].values
            assert not ((np.abs(values) < ZERO_TOLERANCE) & (values != 0)).any(), name


def test_clean_table_zeroes_noise_and_drops_empty_flows():
    flows = pd.DataFrame({"from": ["A", "A", "B"], "to": ["B", "C", "C"],
                          "quantity": [2.0, 3e-7, -4e-7], "tariff_cost": [1e-7, 0.5, 0.0]})
    cleaned = clean_table("flows", flows)
    assert cleaned["quantity"].tolist() == [2.0]
    assert cleaned["tariff_cost"].tolist() == [0.0]
    prices = pd.DataFrame({"region": ["A", "B"], "price": [5e-7, np.nan]})
    kept = clean_table("prices", prices)  # not a flow table: every row stays
    assert kept["price"].iloc[0] == 0.0 and np.isnan(kept["price"].iloc[1])
    assert clean_table("flows", flows.iloc[:0]).columns.tolist() == flows.columns.tolist()


def test_custom_constraints_say_the_unit_of_their_duals(tmp_path):
    """Two researcher constraints of different units share the ``dual`` column: each row
    names its unit (the declared one, else M$ per unit of the bound)."""
    import pyomo.environ as pyo

    from casekit import TWO_MINES, write_case
    from northam_plan import build_model, declare, extract_plan, load_case, solve

    case = load_case(write_case(tmp_path, TWO_MINES, end=2026))

    def limits(m, case):
        m.cn_cap = pyo.Constraint(case.years, rule=lambda m, t:
                                  m.flow["CN", "US", "ore", t] <= 4)
        declare(m, "cn_cap", ("year",), "M$/kt")
        m.floor = pyo.Constraint(expr=m.flow["CN", "US", "ore", 2025] >= 1)

    m = build_model(case, extra=[limits])
    assert solve(m, quiet=True).optimal
    table = extract_plan(m, case).tables["custom_constraints"]
    units = table.groupby("name")["dual_unit"].unique().to_dict()
    assert {k: list(v) for k, v in units.items()} == {
        "cn_cap": ["M$/kt"], "floor": ["M$ per unit of the bound (present value)"]}


def test_capacity_units_of_power_plants_and_mines_in_tables_and_comparisons():
    """A power plant's capacity is in GW (8.76 TWh a GW-year), a mine's in its output per year,
    anything else says its factor; comparisons (report/facts.py) use the same rule — they
    said 'TWh/yr' for power plants before."""
    from types import SimpleNamespace

    from northam_plan.plan.units import capacity_unit
    from northam_plan.report.facts import Facts
    from northam_plan.scenarios.compare_plan import Chain

    assert capacity_unit("TWh", 8.76) == "GW"
    assert capacity_unit("kt Li", 1.0) == "kt Li/yr"
    assert capacity_unit("kt", 2.0) == "2 kt/yr"
    chain = Chain(country_of={"US": "US"},
                  commodities=pd.DataFrame({"commodity": ["elec", "li_conc"],
                                            "unit": ["TWh", "kt Li"]}),
                  processes=pd.DataFrame({"process": ["gas_cc", "li_mine"],
                                          "family": ["power", "mine"],
                                          "main_output": ["elec", "li_conc"],
                                          "activity_per_capacity": [8.76, 1.0]}))
    facts = Facts(SimpleNamespace(chain=chain, years=[2025]))
    assert facts.capacity_unit("gas_cc") == "GW"
    assert facts.capacity_unit("li_mine") == "kt Li/yr"
