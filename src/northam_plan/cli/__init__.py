"""Command line: ``northam-plan solve | validate | explain | calibrate | compare | report |
sweep | explore``. It only wires the stages together.

Exit codes: 0 solved to optimality (or valid input; for ``explain``, the case explained; for
``calibrate``, every figure within tolerance or a documented known gap), 1 the solver found no
optimal plan (``explain``: no explanation found; ``calibrate``: a figure outside tolerance
without a known gap, or any with ``--strict``), 2 invalid input.

Standard output carries only the result (a summary, an explanation); the log — HiGHS's
included — goes to standard error at the level of ``-q``/``-v`` (:mod:`northam_plan.log`).
Run as ``northam-plan``, ``python -m northam_plan`` or ``python -m northam_plan.cli``.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib.metadata import version as _version
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer
from rich.console import Console
from rich.table import Table

from northam_plan.cli.explore import register as register_explore
from northam_plan.cli.help import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOT_OPTIMAL,
    QUIET,
    VERBOSE,
    Command,
    Group,
    exit_on,
    report_case_error,
)
from northam_plan.cli.reports import register as register_reports
from northam_plan.cli.sweep import register as register_sweep
from northam_plan.errors import CaseError
from northam_plan.log import terminal

if TYPE_CHECKING:
    from northam_plan.solve import Algorithm

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=Group,
                  help="Plan North American critical-mineral and energy supply (Pyomo + HiGHS).")
console = Console(stderr=True)


def reference_case() -> Path:
    """The bundled reference case (cases/reference.toml of the clone or of the installed wheel)."""
    from northam_plan.case.roots import bundled_cases

    return (bundled_cases() or Path("cases")) / "reference.toml"  # (else: "not found")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"northam-plan {_version('northam-plan')}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", is_eager=True,
                                       callback=_show_version,
                                       help="show the version and exit")) -> None:
    """Plan North American critical-mineral and energy supply (Pyomo + HiGHS)."""


HIGHS_OPTION = typer.Option([], "--highs-option", metavar="KEY=VALUE",
                            help="any HiGHS option, e.g. presolve=off, run_crossover=off, "
                            "simplex_strategy=4; repeat for more; set after --algorithm, "
                            "--threads and --time-limit, so it wins")


def highs_options_or_exit(items: list[str]) -> dict:
    """``--highs-option`` texts checked by HiGHS (exit 2 listing every bad one)."""
    from northam_plan.solve.highs_options import HighsOptionError, parse_highs_options

    try:
        return parse_highs_options(items)
    except HighsOptionError as err:
        console.print(f"[bold red]Invalid --highs-option[/] ({len(err.problems)} problem"
                      f"{'s' if len(err.problems) != 1 else ''}):", highlight=False)
        console.print("\n".join(err.problems), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


DATA_ROOT_HELP = ("a folder (and its subfolders) the case may read besides its own; repeat for "
                  "more (also: environment variable NORTHAM_PLAN_DATA_ROOT)")


@app.command(cls=Command)
def solve(
    case: Path | None = typer.Argument(None, help="case file (TOML); default: the bundled "
                                          "reference case"),
    out: Path | None = typer.Option(None, "--out", "-o", help="result folder; default "
                                       "results/<case file name>/"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="seconds", min=0),
    threads: int | None = typer.Option(None, "--threads", help="HiGHS threads", min=1),
    algorithm: str = typer.Option("auto", "--algorithm",
                                  help="auto, simplex or ipm (interior point + crossover)"),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
    data_root: list[Path] = typer.Option([], "--data-root", help=DATA_ROOT_HELP),
    backend: str = typer.Option("matrix", "--backend", help="matrix (the LP as arrays, "
                                "fastest) or pyomo (a Pyomo model and Pyomo's compiler); the "
                                "same LP"),
    highs_option: list[str] = HIGHS_OPTION,
) -> None:
    """Solve a case and write summary.json, plan.nc, tables/ and highs.log (HiGHS's log) to the
    result folder."""
    from northam_plan.pipeline import run_case
    from northam_plan.solve import SolveOptions

    if algorithm not in ("auto", "simplex", "ipm"):
        console.print(f"[red]--algorithm must be auto, simplex or ipm, got '{algorithm}'[/]")
        raise typer.Exit(EXIT_BAD_INPUT)
    if backend not in ("matrix", "pyomo"):
        console.print(f"[red]--backend must be matrix or pyomo, got '{backend}'[/]")
        raise typer.Exit(EXIT_BAD_INPUT)
    path = case or reference_case()
    options = SolveOptions(time_limit=time_limit, threads=threads,
                           algorithm=cast("Algorithm", algorithm),  # checked above
                           quiet=quiet, highs_options=highs_options_or_exit(highs_option))
    try:
        with terminal(verbose, quiet, title="solve"):
            run = run_case(path, out, options, data_roots=data_root, backend=backend)
    except CaseError as err:
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        console.print("[bold red]Interrupted:[/] nothing was written; an earlier result in the "
                      "output folder is intact.", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for warning in run.summary["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    result = run.result
    if not result.optimal:
        console.print(f"[bold red]No optimal plan:[/] the solver ended with status "
                      f"'{result.status}'. {result.message}", highlight=False)
        if result.status in ("infeasible", "infeasible_or_unbounded"):
            console.print(f"Run `northam-plan explain {path}` to see which rules and data rows "
                          "cannot hold together.", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_NOT_OPTIMAL)
    _print_summary(run)


def _print_summary(run) -> None:
    summary = run.summary
    table = Table(title=f"{summary['case']} — optimal", show_header=False, box=None)
    table.add_row("objective", f"{summary['objective']:,.1f} M$ (present value)")
    for category, value in sorted(summary["costs"].items()):
        table.add_row(f"  {category}", f"{value:,.1f} M$")
    table.add_row("unserved demand", f"{summary['unserved_total']:,.4g} (all years, units)")
    sizes = summary["sizes"]
    table.add_row("size", f"{sizes['variables']:,} variables, {sizes['constraints']:,} "
                          f"constraints, {sizes['nonzeros']:,} nonzeros")
    if run.result.ranges is not None:
        table.add_row("coefficients", run.result.ranges.describe())
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in summary["timings"].items()))
    table.add_row("written to", str(run.out))
    Console().print(table)


@app.command(cls=Command)
def validate(case: Path = typer.Argument(..., help="case file (TOML)"),
             data_root: list[Path] = typer.Option([], "--data-root", help=DATA_ROOT_HELP),
             ) -> None:
    """Check a case file and its tables without solving; list every problem found."""
    from northam_plan.case import load_case

    try:
        loaded = load_case(case, data_roots=data_root)
    except CaseError as err:
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    for warning in loaded.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    rows = sum(len(frame) for frame in loaded.tables.values())
    Console().print(f"[green]valid[/]: {loaded.name} — {len(loaded.years)} years, "
                    f"{len(loaded.tables['regions'])} regions, {rows} table rows "
                    f"(hash {loaded.hash[:12]})")


@app.command(cls=Command)
def explain(
    case: Path = typer.Argument(..., help="case file (TOML)"),
    elastic: bool = typer.Option(False, "--elastic", help="also list every hard constraint "
                                 "that had to give, by how much, in its unit"),
    data_root: list[Path] = typer.Option([], "--data-root", help=DATA_ROOT_HELP),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Explain an infeasible case: a one-line diagnosis, then the rules and data rows that
    cannot hold together. Exit 0 when the case is explained (or feasible)."""
    from northam_plan.case import load_case
    from northam_plan.solve.explain import explain as explain_case

    try:
        loaded = load_case(case, data_roots=data_root)
    except CaseError as err:
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with terminal(verbose, quiet, title="explain"):
        explanation = explain_case(loaded, elastic=elastic)
    Console().print(explanation.describe(), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(0 if explanation.feasible or explanation.explained else EXIT_NOT_OPTIMAL)


@app.command(cls=Command)
def calibrate(
    case: Path | None = typer.Argument(None, help="case file (TOML; solved into "
                                          "results/<name>/ unless an up-to-date result is "
                                          "there) or a solved plan folder; default: the "
                                          "bundled reference case"),
    out: Path | None = typer.Option(None, "--out", "-o", help="folder for calibration.csv "
                                       "and calibration.html; default: the plan's folder"),
    observed: Path | None = typer.Option(None, "--observed", help="folder of observed "
                                            "figures (CSV); default: calibration/ beside the "
                                            "case's tables folder"),
    strict: bool = typer.Option(False, "--strict", help="exit 1 on any figure outside "
                                "tolerance, known gaps included"),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Check the plan's base year against observed figures (production, trade, prices,
    generation); exit 0 when every figure is within its tolerance or documents a known gap
    (``known_gap`` column: why the model misses it), 1 otherwise (with --strict: 1 on any
    figure outside tolerance)."""
    from northam_plan.plan.calibration import (
        GAP,
        closed_gaps,
        deviation_text,
        summary_line,
        unexplained,
    )
    from northam_plan.report import write_calibration
    from northam_plan.scenarios.compare import CompareError, NotOptimal

    try:
        with terminal(verbose, quiet, title="calibrate"):
            rows, written = write_calibration(case or reference_case(), out, observed)
    except (CompareError, CaseError) as err:
        exit_on(err, console, not_optimal=(NotOptimal,))
    except ValueError as err:
        console.print(f"[bold red]Cannot calibrate:[/] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    missed = rows[~rows["within"]]
    if len(missed):
        table = Table(title="outside tolerance", box=None)
        for column in ("topic", "item", "country", "partner", "unit", "model", "observed",
                       "deviation", "known gap"):
            table.add_column(column, justify="right" if column in (
                "model", "observed", "deviation") else "left")
        for row in missed.itertuples(index=False):
            gap = getattr(row, GAP)
            table.add_row(row.topic, row.item, row.country, row.partner or "", row.unit,
                          f"{row.model:,.4g}", f"{row.observed:,.4g}", deviation_text(row),
                          "yes" if gap else "[bold red]no[/]")
        Console().print(table)
    for row in rows[closed_gaps(rows)].itertuples(index=False):
        console.print(f"[yellow]Note:[/] {row.topic} {row.item} {row.country} "
                      f"{row.partner or ''} is documented as a known gap but is now within "
                      "tolerance; its known_gap note can go", highlight=False, soft_wrap=True)
    Console().print(f"{summary_line(rows)}; wrote {written['calibration.csv']} and "
                    f"{written['calibration.html']}", highlight=False, soft_wrap=True)
    failed = ~rows["within"] if strict else unexplained(rows)
    raise typer.Exit(EXIT_NOT_OPTIMAL if failed.any() else 0)


def main() -> None:
    """The ``northam-plan`` command.

    A Ctrl-C that lands outside a command's own handling (as it starts, or after it has written
    and printed everything) exits with 130, never with a traceback. An interrupted command
    (exit 130) leaves at once (``os._exit``, output flushed): HiGHS's C++ threads may still be
    winding down, and a normal interpreter shutdown then aborted the process now and then
    ("terminate called without an active exception", exit -6; tests/test_interrupt.py under
    load). Results are safe by then: every write is atomic and its staging is cleaned up as the
    interrupt unwinds. Once any other command has ended, Ctrl-C is ignored while the
    interpreter shuts down."""
    try:
        app(prog_name="northam-plan")
    except KeyboardInterrupt:
        _leave_now(EXIT_INTERRUPTED)
    except SystemExit as done:
        if done.code == EXIT_INTERRUPTED:
            _leave_now(EXIT_INTERRUPTED)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise


def _leave_now(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


register_reports(app)  # compare, report
register_sweep(app)  # sweep
register_explore(app)  # explore
