"""README.md and the site's guides are true: every `northam-plan` command in them runs on the
bundled cases, the output table of Getting started lists every file a solve writes, and every
figure they quote of a solved case is the figure a solve gives (read from the pages, so a
re-measured figure is changed on its page only). The pages are :data:`readme_figures.DOCUMENTS`.

The commands run in the pages' order (README first) in a fresh folder holding copies of
``cases/`` and ``data/`` (a planner's own project), with that folder as a data root. The
researchers' guide says which command runs as a smaller variant (the sweep: 2 of its 12
scenarios).
"""

from __future__ import annotations

import json
import re
import shutil
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from northam_plan import build_model, load_case, solve
from northam_plan.cli import app
from northam_plan.solve import SolveOptions
from readme_figures import (
    DOCS,
    DOCUMENTS,
    FIGURE,
    README,
    ROOT,
    check_case,
    commands,
    documents_text,
    figures,
    unclaimed_figures,
)

runner = CliRunner()

SWEEP = ["sweep", "cases/reference.toml",
         "--vary", "tariffs[from=CN,to=US].rate=0,0.1,0.25,0.6",
         "--vary", "demand[commodity=li_chem].quantity=*0.9,*1,*1.1",
         "--workers", "2", "--out", "results/sweep"]
#: README command → the smaller variant the test runs (README says so next to the command)
SMALLER = {tuple(SWEEP): [*SWEEP[:2], "--vary", "tariffs[from=CN,to=US].rate=0,0.6",
                          "--vary", "demand[commodity=li_chem].quantity=*1", *SWEEP[6:]]}
BUDGET = 300  # seconds for all the pages' commands together (about 60-120 s on 2 shared cores)
#: cases whose README figures tests/test_reference.py checks on the solves it makes anyway
CHECKED_IN_TEST_REFERENCE = {"cn_ree_ban", "cn_graphite_ban", "usmca_sourcing_floor",
                             "disruption_stochastic", "release_committed",
                             "lithium_price_shock", "offtake_mp_dod", "recycling"}
ENERGY_CASES = ("energy_national", "energy_integration")
#: cases whose figures tests/test_guarantee.py and tests/test_finance_facility.py check
CHECKED_IN_MISSION_TESTS = {"crisis_guarantee", "crisis_national_first", "finance_facility"}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """(folder, [(arguments, result, seconds)], files of the first solve's folder)."""
    folder = tmp_path_factory.mktemp("readme")
    for name in ("cases", "data"):
        shutil.copytree(ROOT / name, folder / name)
    patch = pytest.MonkeyPatch()
    patch.chdir(folder)
    patch.setenv("NORTHAM_PLAN_DATA_ROOT", str(folder))
    runs, solved_files = [], None
    try:
        for args in commands():
            args = SMALLER.get(tuple(args), args)
            start = time.perf_counter()
            result = runner.invoke(app, args)
            runs.append((args, result, time.perf_counter() - start))
            if args[0] == "solve" and solved_files is None:
                out = folder / "results" / "reference"
                solved_files = sorted(str(p.relative_to(out)) for p in out.rglob("*")
                                      if p.is_file())
    finally:
        patch.undo()
    return folder, runs, solved_files


def test_readme_has_the_commands_a_new_user_needs():
    verbs = [args[0] for args in commands()]
    for verb in ("solve", "calibrate", "compare", "report", "sweep"):
        assert verb in verbs, verb
    assert tuple(SWEEP) in {tuple(a) for a in commands()}, \
        "the guide's sweep changed: update SWEEP and its smaller variant here and in the guide"


def calibration_quote() -> tuple[int, int, int]:
    text = documents_text()
    match = re.search(r"\*\*(\d+) of (\d+)\s+figures within tolerance, the (\d+) others known "
                      r"gaps\*\*", text)
    assert match, "the pages no longer say how many calibration figures are within tolerance"
    return tuple(int(x) for x in match.groups())


def test_every_readme_command_runs(ran):
    folder, runs, _ = ran
    for args, result, seconds in runs:
        # calibrate too exits 0: its figures outside tolerance are known gaps, as the page says
        assert result.exit_code == 0, (args, result.output[-2000:], result.exception)
    assert sum(seconds for *_, seconds in runs) < BUDGET, [(a[0], round(s)) for a, _, s in runs]
    results = folder / "results"
    for path in ("reference/summary.json", "reference/calibration.csv",
                 "reference/report.html", "permitting_reform/summary.json",
                 "committee/comparison.html", "comparison/comparison.csv",
                 "sweep/sweep.csv", "sweep/rate=0.6__quantity=x1/plan.nc"):
        assert (results / path).is_file(), path


def test_readme_output_table_lists_every_file_a_solve_writes(ran):
    *_, solved_files = ran
    page = (DOCS / "getting-started.md").read_text()
    section = page.split("## What a solve writes", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)
    assert sorted(listed) == solved_files


def test_readme_figures_of_the_reference_and_permitting_reform(ran):
    folder = ran[0]
    reference = json.loads((folder / "results/reference/summary.json").read_text())
    reform = json.loads((folder / "results/permitting_reform/summary.json").read_text())
    check_case("reference", reference["objective"], reference["objective"])
    check_case("permitting_reform", reform["objective"], reference["objective"])
    assert reform["unserved_total"] == 0 and reference["unserved_total"] == 0  # "in either"
    text = documents_text()
    sizes = re.search(r"the model has ([\d,]+) variables and\s+([\d,]+) constraints", text)
    assert [int(x.replace(",", "")) for x in sizes.groups()] == [
        reference["sizes"]["variables"], reference["sizes"]["constraints"]]
    ranges = re.search(r"matrix (\S+) … (\S+), costs (\S+) … (\S+) M\$ per unit, right-hand "
                       r"sides (\S+) … (\S+), bounds (\S+) … (\S+)\.", text.replace("\n", " "))
    assert ranges, "the pages no longer quote the coefficient ranges"
    solved = [reference["numerics"][k][end] for k in ("matrix", "cost", "rhs", "bounds")
              for end in ("min", "max")]
    assert [float(x) for x in ranges.groups()] == [float(f"{x:.2g}") for x in solved]


def test_readme_calibration_figures(ran):
    rows = pd.read_csv(ran[0] / "results/reference/calibration.csv")
    within, total, misses = calibration_quote()
    assert (int(rows["within"].sum()), len(rows), int((~rows["within"]).sum())) == (
        within, total, misses)
    trade = re.search(r"Canada→US trade is not \((\d+) vs ([\d.]+) TWh", documents_text())
    row = rows[(rows["topic"] == "electricity_trade") & (rows["country"] == "CA")
               & (rows["partner"] == "US")].iloc[0]
    assert (float(trade[1]), float(trade[2])) == (round(row["model"]), round(row["observed"], 1))


def python_blocks(text: str | None = None) -> list[str]:
    return re.findall(r"```python\n(.*?)```", documents_text() if text is None else text,
                      re.DOTALL)


def test_readme_python_compare_example_runs(ran, monkeypatch):
    """The committee guide's compare example (the other Python blocks of the guides are run
    in spirit by the notebooks and tests/test_research_api.py: one needs Slurm, one elides its
    constraint with `...`; README's own example is run below)."""
    import matplotlib

    matplotlib.use("Agg")
    block = next(b for b in python_blocks() if "from northam_plan import compare\n" in b)
    monkeypatch.chdir(ran[0])
    monkeypatch.setenv("NORTHAM_PLAN_DATA_ROOT", str(ran[0]))
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert list(scope["ds"]["scenario"].values) == ["reference", "financial_integration"]


def test_readme_python_example_runs(ran, monkeypatch):
    """README's short example: a scenario made in Python, solved, its plan read."""
    [block] = python_blocks(README.read_text())
    monkeypatch.chdir(ran[0])
    monkeypatch.setenv("NORTHAM_PLAN_DATA_ROOT", str(ran[0]))
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["run"].result.optimal and len(scope["run"].plan.tables["investments"])


def test_no_other_page_quotes_commands_or_figures():
    """A page of docs/ that shows a northam-plan command in a code block or quotes a figure of a
    solved case is one of DOCUMENTS, so its commands run and its figures are checked."""
    checked = set(DOCUMENTS)
    for page in sorted(DOCS.rglob("*.md")):
        if page in checked or "_build" in page.parts or "_static" in page.parts:
            continue
        text = page.read_text()
        assert commands(text) == [], f"{page}: add it to readme_figures.DOCUMENTS"
        assert FIGURE.findall(text) == [], f"{page}: add it to readme_figures.DOCUMENTS"


def test_readme_figures_of_the_energy_cases(ran):
    reference = json.loads((ran[0] / "results/reference/summary.json").read_text())
    for name in ENERGY_CASES:
        model = build_model(load_case(ROOT / "cases" / f"{name}.toml"), backend="matrix")
        result = solve(model, SolveOptions(quiet=True))
        assert result.optimal, name
        check_case(name, result.objective, reference["objective"])


def test_every_figure_readme_quotes_is_checked():
    """Each objective-sized or signed M$ figure of the pages is read by a pattern, and every
    case with figures is solved by a test that compares them."""
    assert unclaimed_figures() == []
    checked = {"reference", "permitting_reform", *ENERGY_CASES, *CHECKED_IN_TEST_REFERENCE,
               *CHECKED_IN_MISSION_TESTS}
    assert set(figures()) <= checked, set(figures()) - checked


