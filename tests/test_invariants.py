"""Invariants that must hold on any case, checked on seeded random cases."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casekit import write_case
from generated import random_tables, scale_costs, with_energy, with_security
from northam_plan import build_model, load_case, solve

SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
YEARS = {"start": 2025, "end": 2030, "step": 1, "discount_rate": 0.04}


def objective(tables, penalty=50.0, feasible=True, **years) -> float | None:
    """The optimum of a case of ``tables``; None if it is infeasible and ``feasible`` is False
    (hard security constraints can be out of reach)."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_case(Path(folder), tables, unserved_penalty=penalty, **{**YEARS, **years})
        result = solve(build_model(load_case(path)), quiet=True)
    if not feasible and result.status in ("infeasible", "infeasible_or_unbounded"):
        return None
    assert result.optimal, result
    return result.objective


def tighter(tables, table, column, change):
    return {**tables, table: [{**row, column: change(row[column])} for row in tables[table]]}


@SETTINGS
@given(seed=st.integers(0, 10_000), step=st.floats(0.01, 0.3))
def test_tightening_a_floor_cap_or_ban_never_lowers_the_objective(seed, step):
    tables = with_security(random_tables(seed), seed)
    base = objective(tables, feasible=False)
    assume(base is not None)
    for table, column, change in (
            ("regional_shares", "share", lambda v: min(1.0, v + step)),
            ("supplier_caps", "cap", lambda v: max(0.0, v - step)),
            ("disruptions", "limit", lambda v: v * (1 - step))):
        tight = objective(tighter(tables, table, column, change), feasible=False)
        assert tight is None or tight >= base - 1e-6 * max(1.0, abs(base)), table


@SETTINGS
@given(seed=st.integers(0, 10_000), holding=st.floats(0.0, 2.0))
def test_adding_a_stockpile_option_never_raises_the_objective(seed, holding):
    tables = with_security(random_tables(seed), seed)
    base = objective(tables, feasible=False)
    assume(base is not None)
    stocked = {**tables, "stockpiles": [{"region": "R0", "commodity": "metal1",
                                         "holding_cost": holding},
                                        {"region": "R1", "commodity": "ore0",
                                         "holding_cost": holding}]}
    assert objective(stocked) <= base + 1e-6 * max(1.0, abs(base))


@SETTINGS
@given(seed=st.integers(0, 10_000), p=st.floats(0.05, 0.95))
def test_stochastic_objective_is_no_lower_than_wait_and_see(seed, p):
    """E[min] ≤ min E: the two-stage optimum ≥ the probability-weighted single-scenario optima
    (the wait-and-see bound)."""
    tables = random_tables(seed)
    ban = [{"exporter": "CN", "commodity": c, "start_year": 2027, "limit": 0}
           for c in ("ore0", "metal1")]
    calm = objective(tables)
    banned = objective({**tables, "disruptions": ban})
    both = objective({**tables,
                      "scenarios": [{"scenario": "calm", "probability": p},
                                    {"scenario": "ban", "probability": 1 - p}],
                      "disruptions": [{**row, "scenario": "ban"} for row in ban]})
    tolerance = 1e-6 * max(1.0, abs(both))
    assert both >= p * calm + (1 - p) * banned - tolerance
    assert both >= calm - tolerance  # a possible ban never makes the plan cheaper


@SETTINGS
@given(seed=st.integers(0, 10_000), k=st.sampled_from([0.5, 3.0, 10.0]))
def test_scaling_all_costs_scales_the_objective(seed, k):
    tables = random_tables(seed)
    base = objective(tables)
    assert objective(scale_costs(tables, k), penalty=50.0 * k) == pytest.approx(k * base,
                                                                                rel=1e-6)


@SETTINGS
@given(seed=st.integers(0, 10_000), extra=st.floats(0.5, 20.0))
def test_adding_existing_capacity_never_raises_the_objective(seed, extra):
    tables = random_tables(seed)
    base = objective(tables)
    more = {**tables, "existing_capacity": tables["existing_capacity"] + [
        {"region": "R1", "process": "refinery0", "name": "added", "capacity": extra,
         "retirement_year": ""},
        {"region": "R0", "process": "mine1", "name": "added", "capacity": extra,
         "retirement_year": 2028}]}
    assert objective(more) <= base + 1e-6 * max(1.0, abs(base))


@SETTINGS
@given(seed=st.integers(0, 10_000), bump=st.floats(0.01, 2.0))
def test_raising_a_tariff_never_lowers_the_objective(seed, bump):
    tables = random_tables(seed)
    if not tables["tariffs"]:
        return
    base = objective(tables)
    higher = {**tables, "tariffs": [{**row, "rate": row["rate"] + bump * (i % 2)}
                                    for i, row in enumerate(tables["tariffs"])]}
    assert objective(higher) >= base - 1e-6 * max(1.0, abs(base))


@SETTINGS
@given(seed=st.integers(0, 10_000), which=st.integers(0, 100))
def test_shortening_a_lead_time_never_raises_the_objective(seed, which):
    tables = random_tables(seed)
    base = objective(tables)
    regimes = [dict(row) for row in tables["regimes"]]
    row = regimes[which % len(regimes)]
    row["permitting_years"] = max(0, row["permitting_years"] - 1)
    shorter_build = [{**p, "construction_years": max(0, p["construction_years"] - 1)}
                     if i == which % 2 else p for i, p in enumerate(tables["processes"])]
    assert objective({**tables, "regimes": regimes}) <= base + 1e-6 * max(1.0, abs(base))
    assert objective({**tables, "processes": shorter_build}) <= base + 1e-6 * max(1.0, abs(base))


@SETTINGS
@given(seed=st.integers(0, 10_000), more=st.floats(0.1, 5.0))
def test_raising_a_throughput_limit_never_raises_the_objective(seed, more):
    tables = random_tables(seed)
    base = objective(tables)
    higher = {**tables, "throughput": [{**row, "limit": row["limit"] + more * (i % 2)}
                                       for i, row in enumerate(tables["throughput"])]}
    assert objective(higher) <= base + 1e-6 * max(1.0, abs(base))


def test_generated_cases_are_not_trivial():
    """The invariants mean something only if the random cases build, trade and use capacity."""
    tables = random_tables(7)
    with tempfile.TemporaryDirectory() as folder:
        case = load_case(write_case(Path(folder), tables, **YEARS))
        model = build_model(case)
        assert solve(model, quiet=True).optimal
        shipped = sum(v.value or 0 for v in model.flow.values())
        built = sum(pyo.value(e) for e in model.build.values())
        binding = [c for c in model.permit_throughput_max.values()
                   if abs(model.dual.get(c, 0.0)) > 1e-9]
    assert shipped > 0 and built > 0 and binding


@SETTINGS
@given(seed=st.integers(0, 10_000), more=st.floats(0.5, 10.0))
def test_more_intertie_or_generation_never_raises_the_objective(seed, more):
    tables = with_energy(random_tables(seed), seed)
    base = objective(tables, feasible=False)
    assume(base is not None)
    wider = tighter(tables, "links", "capacity",
                    lambda v: v + more if isinstance(v, float) else v)
    extra = {**tables, "existing_capacity": tables["existing_capacity"] + [
        {"region": "R2", "process": "gas", "name": "added", "capacity": more / 10}]}
    tolerance = 1e-6 * max(1.0, abs(base))
    assert objective(wider) <= base + tolerance
    assert objective(extra) <= base + tolerance


@SETTINGS
@given(seed=st.integers(0, 10_000), cut=st.floats(0.05, 0.9))
def test_tightening_an_emission_cap_never_lowers_the_objective(seed, cut):
    tables = with_energy(random_tables(seed), seed)
    base = objective(tables, feasible=False)
    assume(base is not None)
    tight = objective(tighter(tables, "emission_caps", "cap", lambda v: v * (1 - cut)),
                      feasible=False)
    assert tight is None or tight >= base - 1e-6 * max(1.0, abs(base))


@SETTINGS
@given(seed=st.integers(0, 10_000), bump=st.floats(0.05, 1.0), share=st.floats(0.05, 0.6))
def test_tracked_tariffs_and_content_shares_never_lower_the_objective(seed, bump, share):
    """With every mineral chain tracked: a higher by-origin tariff, or a higher content share,
    never makes the plan cheaper."""
    tables = random_tables(seed)
    tracked = {**tables,
               "blocs": [{"bloc": "NA", "country": k} for k in ("US", "CA", "MX")],
               "tracked": [{"commodity": c["commodity"]} for c in tables["commodities"]],
               "tariffs": [{**row, "basis": "mined"} for row in tables["tariffs"]],
               "content_rules": [{"destination": "US", "commodity": "metal0",
                                  "origin": "NA", "basis": "mined", "share": share}]}
    base = objective(tracked)
    higher_tariff = tighter(tracked, "tariffs", "rate", lambda v: v + bump)
    higher_share = tighter(tracked, "content_rules", "share", lambda v: min(1.0, v + bump))
    tolerance = 1e-6 * max(1.0, abs(base))
    assert objective(higher_tariff) >= base - tolerance
    assert objective(higher_share) >= base - tolerance
