"""The electricity side of the reference case: its 2025 power fleet and generation match the
cited figures (data/electricity_calibration_2025.csv), and no demand of any commodity,
electricity included, goes unserved.

Capacity per country and technology must lie within ±5 % of the cited figure and generation
per country within ±10 %. A `process` cell may join several processes with '+' (e.g.
`gas_cc+gas_ct` for the cited natural-gas total); `total` means every power process.
Generation is the activity of the power processes (main output elec) that take no electricity
in, i.e. without storage, which gives back what it took.

data/calibration/electricity_2025.csv holds the observed figures (EIA, StatCan/CER, SENER/IMCO)
that the reference's first year (2025) is checked against, each within its own tolerance:
generation per country and technology (`gas` = gas_cc + gas_ct, `total` = every power process
but storage) and cross-border electricity trade (interties summed over the slices). Some rows
are observed in 2024, the latest full year found; the model's 2025 is compared with them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from northam_plan.pipeline import run_case
from northam_plan.solve import SolveOptions

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "data" / "electricity_calibration_2025.csv"


@pytest.fixture(scope="module")
def reference():
    run = run_case(ROOT / "cases" / "reference.toml", None, SolveOptions(quiet=True),
                   write=False)
    assert run.result.optimal, run.result
    return run


@pytest.fixture(scope="module")
def power_2025(reference):
    case = reference.case
    processes = case.tables["processes"]
    power = set(processes.loc[processes["main_output"] == "elec", "process"])
    io = case.tables["process_io"]
    stores = set(io.loc[(io["commodity"] == "elec") & (io["side"] == "input")
                        & io["process"].isin(power), "process"])
    activity = reference.plan.tables["activity"]
    activity = activity[(activity["year"] == 2025) & activity["process"].isin(power)]
    return activity, power, stores


def _cited():
    return pd.read_csv(CALIBRATION)


@pytest.mark.parametrize("row", list(_cited().itertuples(index=False)),
                         ids=lambda r: f"{r.country}-{r.process}")
def test_2025_capacity_and_generation_match_the_cited_figures(power_2025, row):
    activity, power, stores = power_2025
    here = activity[activity["country"] == row.country]
    chosen = power if row.process == "total" else set(row.process.split("+"))
    assert chosen <= power, f"unknown power process in {row.process}"
    if not pd.isna(row.capacity_gw):
        capacity = here.loc[here["process"].isin(chosen), "capacity"].sum()
        assert capacity == pytest.approx(row.capacity_gw, rel=0.05), (row, capacity)
    if not pd.isna(row.generation_twh):
        generation = here.loc[here["process"].isin(chosen - stores), "activity"].sum()
        assert generation == pytest.approx(row.generation_twh, rel=0.10), (row, generation)


def test_every_country_and_technology_in_the_model_is_checked(power_2025):
    activity, _, _ = power_2025
    cited = _cited()
    listed = {(k, p) for k, ps in zip(cited["country"], cited["process"])
              for p in ps.split("+") if p != "total"}
    fleet = {(k, p) for k, p, c in activity[["country", "process", "capacity"]].itertuples(
        index=False) if k in {"US", "CA", "MX"} and c > 0}
    assert fleet <= listed, sorted(fleet - listed)


def test_no_demand_is_unserved_in_any_year(reference):
    unserved = reference.plan.tables["unserved"]
    assert unserved["unserved"].max() < 1e-6, unserved[unserved["unserved"] > 1e-6]
    # unserved.csv reads only the yearly `unserved` variable; electricity is met per time slice
    # (`unserved_slice`), whose shortfall shows only in the penalty cost: it must be zero too.
    assert reference.plan.costs.get("unserved", 0.0) < 1e-6
