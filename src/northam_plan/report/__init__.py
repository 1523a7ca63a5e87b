"""The committee view: the numbers that decide, differences from a base, and pictures.

``write_comparison(items, out, base)`` writes ``comparison.csv``, ``comparison.xlsx``,
``comparison.html`` and ``comparison.iamc.csv``; ``write_report(item, path)`` writes the HTML
page of one plan and, beside it, the same workbook as ``compare`` (``report.xlsx``). Both
write into a temporary folder first and move the files into place only when all of them are
complete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from northam_plan.files import staging_folder
from northam_plan.log import get_logger

if TYPE_CHECKING:  # the CLI imports this package: keep pandas and xarray out of its start
    from northam_plan.report.metrics import Comparison
    from northam_plan.scenarios.compare import SolvedPlan

FILES = ("comparison.csv", "comparison.xlsx", "comparison.html", "comparison.iamc.csv")


def comparison_of(plans: Sequence[SolvedPlan], base: str | None = None) -> Comparison:
    """Check that the plans can be compared and compute their metrics side by side."""
    from northam_plan.report.metrics import build_comparison
    from northam_plan.scenarios.compare import check_compatible, pick_base, unique_names

    unique_names(list(plans))
    warnings = check_compatible(plans)
    return build_comparison(list(plans), pick_base(plans, base), warnings)


#: 16 significant digits: what XlsxWriter writes to the workbook, so both files hold the same
#: numbers (differences are taken on the full values before writing)
FLOAT_FORMAT = "%.16g"


def write_csv(comparison: Comparison, path: Path) -> None:
    comparison.table.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)


log = get_logger(__name__)


def write_comparison(items, out: Path | str, base: str | None = None,
                     names: Sequence[str] | None = None, **kwargs) -> dict[str, Path]:
    """Compare plans (folders, case files, CaseRuns) and write the four files to ``out``."""
    from northam_plan.report.excel import write_workbook
    from northam_plan.report.html import write_html
    from northam_plan.report.iamc import write_iamc
    from northam_plan.scenarios.compare import resolve_all

    plans = resolve_all(items, names, **kwargs)
    log.info("comparing %d plans; writing %s", len(plans), out)
    comparison = comparison_of(plans, base)
    writers: dict[str, Callable] = {
        "comparison.csv": write_csv, "comparison.xlsx": write_workbook,
        "comparison.html": write_html, "comparison.iamc.csv": write_iamc}
    return _write_all(Path(out), {name: partial(w, comparison) for name, w in writers.items()})


def write_report(item, path: Path | str | None = None, **kwargs) -> Path:
    """The HTML page of one plan (default ``<result folder>/report.html``) and its workbook
    beside it, with the same name and ``.xlsx`` (one sheet per topic, as ``compare`` writes);
    returns the page's path."""
    from northam_plan.report.excel import write_workbook
    from northam_plan.report.html import write_html
    from northam_plan.scenarios.compare import resolve_all

    plans = resolve_all([item], **kwargs)
    log.info("writing the report of %s", plans[0].name)
    comparison = comparison_of(plans)
    if path is None:
        if plans[0].folder is None:
            raise ValueError("give the path of the report: the plan has no result folder")
        path = plans[0].folder / "report.html"
    path = Path(path)
    workbook = path.with_suffix(".xlsx").name
    written = _write_all(path.parent, {
        path.name: lambda p: write_html(comparison, p, workbook=workbook),
        workbook: lambda p: write_workbook(comparison, p)})
    return written[path.name]


def write_calibration(item, out: Path | str | None = None, observed: Path | str | None = None,
                      **kwargs):
    """Calibrate a plan (a case file, solved or reused as by ``compare``, or a result folder)
    against the observed figures in ``observed`` (default: ``calibration/`` beside the case's
    tables folder) and write ``calibration.csv`` and ``calibration.html`` to ``out`` (default:
    the plan's result folder). Returns (rows, written paths)."""
    from northam_plan.case import load_case
    from northam_plan.plan.calibration import FLOAT_FORMAT as CALIBRATION_FORMAT
    from northam_plan.plan.calibration import calibrate, default_folder, read_observed
    from northam_plan.report.calibration_page import write_page
    from northam_plan.scenarios.compare import resolve_all

    given = Path(item) if isinstance(item, (str, Path)) else None
    if given is not None and given.suffix.lower() == ".toml":
        # the observed figures are checked before anything is solved; and the case is read
        # from the file given, since a reused result may come from another file (same hash)
        case = load_case(given)
        figures = read_observed(observed or default_folder(case), case)
        [plan] = resolve_all([item], **kwargs)
    else:
        [plan] = resolve_all([item], **kwargs)
        case = load_case(plan.summary["case_file"])
        figures = read_observed(observed or default_folder(case), case)
    rows = calibrate(plan.tables, case, figures)
    if out is None:
        if plan.folder is None:
            raise ValueError("give the output folder: the plan has no result folder")
        out = plan.folder
    commodities = {code: name or code for code, name in zip(
        case.tables["commodities"]["commodity"], case.tables["commodities"]["name"])}
    processes = case.tables["processes"]
    names = {**{p: f"{commodities[c]} ({family})" for p, c, family in zip(
        processes["process"], processes["main_output"], processes["family"])
        if family != "power"}, **commodities, "elec": "electricity"}
    written = _write_all(Path(out), {
        "calibration.csv": lambda p: rows.to_csv(p, index=False, lineterminator="\n",
                                                 float_format=CALIBRATION_FORMAT),
        "calibration.html": lambda p: write_page(rows, p, case.name, case.years[0], names)})
    return rows, written


def _write_all(out: Path, writers: dict[str, Callable[[Path], object]]) -> dict[str, Path]:
    """Write every file into a staging folder next to ``out``, then move them into ``out``.

    A failure while writing leaves ``out`` as it was (earlier files included).
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(out)
    try:
        for name, write in writers.items():
            write(staging / name)
        out.mkdir(exist_ok=True)
        written = {}
        for name in writers:
            os.replace(staging / name, out / name)
            written[name] = out / name
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
