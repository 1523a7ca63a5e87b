"""The linopy model of the benchmark is the same LP as ours on core cases.

Not part of the package's test suite (testpaths = tests): linopy is a benchmark-only
dependency (benchmarks/requirements.txt). Run with

    .venv/bin/pytest -q benchmarks/test_linopy_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

linopy = pytest.importorskip("linopy")

from generate import CORE_TABLES, generate_case, generate_tables  # noqa: E402
from linopy_model import NotCoreError, build_linopy  # noqa: E402

from northam_plan import build_model, load_case, solve  # noqa: E402


def _solve_linopy(case) -> tuple[float, dict]:
    highs = build_linopy(case).to_highspy()
    highs.setOptionValue("output_flag", False)
    highs.run()
    assert highs.getModelStatus() == highs.getModelStatus().kOptimal
    sizes = {"variables": highs.getNumCol(), "constraints": highs.getNumRow(),
             "nonzeros": highs.getNumNz()}
    return highs.getInfo().objective_function_value, sizes


@pytest.mark.parametrize("dims, step", [((5, 7, 9), 1), ((7, 4, 12), 3)])
def test_same_lp_as_pyomo(tmp_path, dims, step):
    regions, commodities, years = dims
    case = load_case(generate_case(tmp_path, regions=regions, commodities=commodities,
                                   years=years, seed=3, step=step, core=True))
    result = solve(build_model(case), quiet=True)
    assert result.optimal
    objective, sizes = _solve_linopy(case)
    assert sizes == result.sizes
    assert objective == pytest.approx(result.objective, rel=1e-6)


def test_refuses_a_case_with_other_components(tmp_path):
    case = load_case(generate_case(tmp_path, regions=5, commodities=6, years=6, seed=1))
    with pytest.raises(NotCoreError, match="stockpiles"):
        build_linopy(case)


def test_core_case_keeps_the_core_tables():
    full = generate_tables(9, 8, 10, seed=2)
    core = generate_tables(9, 8, 10, seed=2, core=True)
    assert set(core) == set(CORE_TABLES)
    for name in ("regions", "reserves", "tariffs", "demand", "projects", "regimes",
                 "throughput"):
        pd.testing.assert_frame_equal(core[name], full[name])
    # the energy component adds rows (solar) and columns to these in a full case
    for name in ("processes", "existing_capacity", "links"):
        part = full[name].loc[:len(core[name]) - 1, list(core[name].columns)]
        pd.testing.assert_frame_equal(core[name], part, check_dtype=False)
