"""The ``compare`` and ``report`` commands; ``register(app)`` adds them to the CLI.

Exit codes as for ``solve``: 0 written, 1 a case given as a file has no optimal plan,
2 bad arguments (missing folder, folder without summary.json, invalid case, plans that cannot
be compared).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from northam_plan.cli.help import QUIET, VERBOSE, Command, exit_on
from northam_plan.errors import CaseError
from northam_plan.log import terminal

console = Console(stderr=True)


def _fail(err: Exception) -> None:
    from northam_plan.scenarios.compare import NotOptimal

    exit_on(err, console, not_optimal=(NotOptimal,))


def compare(
    plans: list[Path] = typer.Argument(..., help="solved plan folders (with summary.json) or "
                                       "case files (.toml; solved into results/<name>/ unless "
                                       "an up-to-date result is there)"),
    base: str | None = typer.Option(None, "--base", "-b", help="the scenario the others "
                                       "are compared with (its name, folder or case file); "
                                       "default: the first"),
    out: Path = typer.Option(Path("results") / "comparison", "--out", "-o",
                             help="folder for the four comparison files"),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Compare scenarios: comparison.csv, .xlsx, .html and .iamc.csv (differences from the base).
    A case file whose result folder holds its up-to-date plan is reused, not solved again;
    the log says which."""
    from northam_plan.report import write_comparison
    from northam_plan.scenarios.compare import CompareError

    try:
        with terminal(verbose, quiet, title="compare"):
            written = write_comparison(plans, out, base=base)
    except (CompareError, CaseError) as err:
        _fail(err)
    for path in written.values():
        console.print(f"wrote {path}", highlight=False)


def report(
    plan: Path = typer.Argument(..., help="a solved plan folder (with summary.json)"),
    out: Path | None = typer.Option(None, "--out", "-o", help="HTML file to write; default "
                                       "<plan folder>/report.html"),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Write the HTML report of one solved plan (the brief first, then the tables and charts)
    and the same workbook as compare beside it (report.xlsx)."""
    from northam_plan.report import write_report
    from northam_plan.scenarios.compare import CompareError

    if plan.suffix.lower() == ".toml" and out is None:
        out = Path("results") / plan.stem / "report.html"
    try:
        with terminal(verbose, quiet, title="report"):
            path = write_report(plan, out)
    except (CompareError, CaseError) as err:
        _fail(err)
    console.print(f"wrote {path}", highlight=False)
    console.print(f"wrote {path.with_suffix('.xlsx')}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command(cls=Command)(compare)
    app.command(cls=Command)(report)
