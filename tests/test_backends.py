"""The two backends of :func:`build_model` give the same LP, row by row.

The components are written once (:mod:`northam_plan.model.algebra`); built on the Pyomo backend
they become a Pyomo model compiled by Pyomo's standard-form compiler, on the matrix backend flat
arrays. Here both LPs are put side by side by the names of their rows and columns — block,
component and index — and every coefficient, cost, bound and right-hand side must agree, on
generated cases that use every table (security, disruption scenarios, electricity, tracked
origins) and on the reference case. Then both are solved: same objective, and the plans agree
wherever the LP's optimum is unique (costs per category are not, in general: ties).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from casekit import write_case
from generated import random_tables, with_energy, with_security
from northam_plan import build_model, extract_plan, load_case, solve
from northam_plan.model.backends.pyomo import column_bounds
from northam_plan.model.expr import Col, RowRef
from northam_plan.model.matrix import MatrixModel

ROOT = Path(__file__).resolve().parents[1]


def _key(data) -> tuple:
    """(block, component, index) of a row or column of either backend."""
    component = data.parent_component()
    block = component.block_name if isinstance(data, (Col, RowRef)) else \
        ("" if component.parent_block() is component.model() else component.parent_block().name)
    index = data.index()
    return (block, component.local_name, index if isinstance(index, tuple) else (index,))


def pyomo_lp(model) -> dict:
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    lower, upper = column_bounds(form)
    columns = [_key(v) for v in form.columns]
    rows = [_key(con) for con, _ in form.rows]
    senses = [sense for _, sense in form.rows]
    matrix = form.A.tocoo()
    cost = form.c.toarray()[0]
    return {
        "matrix": {(rows[i], columns[j]): v for i, j, v in
                   zip(matrix.row, matrix.col, matrix.data)},
        "cost": {columns[j]: cost[j] for j in np.flatnonzero(cost)},
        "bounds": {columns[j]: (lower[j], upper[j]) for j in range(len(columns))},
        "rows": {rows[i]: (-np.inf if senses[i] == 1 else form.rhs[i],
                           np.inf if senses[i] == -1 else form.rhs[i])
                 for i in range(len(rows))},
    }


def matrix_lp(model: MatrixModel) -> dict:
    matrix = model.matrix().tocoo()
    used = set(matrix.row.tolist())  # Pyomo's compiler drops rows without variables
    columns = [_key(Col(model, j)) for j in range(model.n_cols)]
    rows = {i: _key(RowRef(model, i)) for i in used}
    return {
        "matrix": {(rows[i], columns[j]): v for i, j, v in
                   zip(matrix.row, matrix.col, matrix.data)},
        "cost": {columns[j]: model.cost[j] for j in np.flatnonzero(model.cost)},
        "bounds": {columns[j]: (model.col_lower[j], model.col_upper[j])
                   for j in range(model.n_cols)},
        "rows": {rows[i]: (model.row_lower[i], model.row_upper[i]) for i in used},
    }


def assert_same_lp(case) -> None:
    a = pyomo_lp(build_model(case, backend="pyomo"))
    b = matrix_lp(build_model(case, backend="matrix"))
    for part in ("matrix", "cost", "bounds", "rows"):
        assert a[part].keys() == b[part].keys(), part
        left = np.array([a[part][k] for k in a[part]], dtype=float)
        right = np.array([b[part][k] for k in a[part]], dtype=float)
        np.testing.assert_allclose(left, right, rtol=1e-12, atol=1e-12, err_msg=part)


def assert_same_optimum(case) -> None:
    results, plans = {}, {}
    for backend in ("pyomo", "matrix"):
        model = build_model(case, backend=backend)
        results[backend] = solve(model, quiet=True)
        if results[backend].optimal:
            plans[backend] = extract_plan(model, case)
    a, b = results["pyomo"], results["matrix"]
    assert a.status == b.status  # a hard security rule may be out of reach: in both
    if not a.optimal:
        return
    assert b.objective == pytest.approx(a.objective, rel=1e-9)
    assert b.sizes == a.sizes
    total = {backend: plans[backend].tables["costs"]["discounted"].sum() for backend in plans}
    assert total["matrix"] == pytest.approx(total["pyomo"], rel=1e-9)


@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), energy=st.booleans(), tracked=st.booleans(),
       scenarios=st.booleans())
def test_both_backends_give_the_same_lp_on_generated_cases(tmp_path_factory, seed, energy,
                                                          tracked, scenarios):
    tables = with_security(random_tables(seed), seed)
    if energy:
        tables = with_energy(tables, seed)
    if tracked:
        tables["tracked"] = [{"commodity": c["commodity"]} for c in tables["commodities"]
                             if c.get("kind") in ("mineral", "material")]
    if scenarios:
        tables["scenarios"] = [{"scenario": "calm", "probability": 0.7},
                               {"scenario": "ban", "probability": 0.3}]
        tables["disruptions"] = [{"exporter": "CN", "commodity": "ore0", "start_year": 2027,
                                  "limit": 0, "scenario": "ban"}]
    path = write_case(tmp_path_factory.mktemp("case"), tables, end=2029, discount_rate=0.04)
    case = load_case(path)
    assert_same_lp(case)
    assert_same_optimum(case)


def test_both_backends_give_the_same_lp_and_optimum_on_the_reference_case():
    case = load_case(ROOT / "cases" / "reference.toml")
    assert_same_lp(case)
    assert_same_optimum(case)


def test_the_matrix_backend_refuses_extra_components(tmp_path):
    case = load_case(write_case(tmp_path, random_tables(1)))
    with pytest.raises(ValueError, match="backend='pyomo'"):
        build_model(case, extra=[lambda m, c: None], backend="matrix")


def test_a_row_without_variables_that_cannot_hold_is_infeasible_on_both_backends(tmp_path):
    """2 GW of coal, nothing to build, a 150 % margin over a 1 GW peak: the margin's row has
    no variables (capacity is a constant) and 2 < 2.5 — as Pyomo's compiler, the matrix backend
    refuses it before HiGHS and names the row."""
    from test_explain import POWER

    case = load_case(write_case(tmp_path, {**POWER, "reserve_margins": [
        {"region": "US", "commodity": "elec", "margin": 1.5}]}))
    results = {backend: solve(build_model(case, backend=backend), quiet=True)
               for backend in ("pyomo", "matrix")}
    assert {r.status for r in results.values()} == {"infeasible"}
    assert "reserve_margin_min[US,elec,2025] has no variables" in results["matrix"].message


LP_DIGEST = """
import hashlib, sys
import numpy as np
from northam_plan import build_model, load_case
m = build_model(load_case(sys.argv[1]), backend="matrix")
A, h = m.matrix(), hashlib.sha256()
for a in (m.cost, m.col_lower, m.col_upper, m.row_lower, m.row_upper, A.data, A.indices):
    h.update(np.ascontiguousarray(np.asarray(a)).tobytes())
print(h.hexdigest())
"""


def test_a_case_builds_the_same_lp_in_every_process():
    """String hashing differs between processes (PYTHONHASHSEED); no sum may depend on the
    order of a set of names. With seeds 1 and 6 the sourcing floor's bloc demand once summed
    the members of a bloc in two orders (row bounds 3e-14 apart)."""
    case = str(Path(__file__).resolve().parent.parent / "cases" / "usmca_sourcing_floor.toml")
    digests = set()
    for seed in ("1", "6"):
        done = subprocess.run([sys.executable, "-c", LP_DIGEST, case], capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                              check=True)
        digests.add(done.stdout.strip())
    assert len(digests) == 1, digests
