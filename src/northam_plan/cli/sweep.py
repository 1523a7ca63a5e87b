"""The ``sweep`` command; ``register(app)`` adds it to the CLI.

Exit codes as for ``solve``: 0 every scenario solved (or skipped: already solved), 1 at least one
scenario failed (its row in sweep.csv says why; the others are solved), 2 bad input (the base
case, a ``--vary`` argument, conflicting options, an unreachable scheduler) found before anything
is solved, 130 interrupted (sweep.csv lists what was done, the rest as ``not run``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from northam_plan.cli.help import EXIT_BAD_INPUT, EXIT_INTERRUPTED, Command, report_case_error
from northam_plan.errors import CaseError
from northam_plan.log import terminal

EXIT_FAILED = 1
console = Console(stderr=True)


def sweep(
    case: Path = typer.Argument(..., help="case file (TOML) whose variations are solved"),
    vary: list[str] = typer.Option(..., "--vary", "-v", help="TABLE.COLUMN=v1,v2,… or "
                                   "TABLE[COL=a,COL2=b|c].COLUMN=v1,v2,… (a scale: =*0.9,*1.1; "
                                   "a label: LABEL:TABLE…); repeat for a cartesian product"),
    out: Path | None = typer.Option(None, "--out", "-o", help="folder of the sweep: one "
                                       "folder per scenario and sweep.csv; default "
                                       "results/<case file name>-sweep/"),
    workers: int = typer.Option(2, "--workers", "-w", min=1, help="worker processes of the "
                                "local Dask cluster (one thread each)"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="address of a running "
                                            "Dask scheduler, e.g. tcp://host:8786, instead of "
                                            "a local cluster"),
    sequential: bool = typer.Option(False, "--sequential", help="no Dask: solve the scenarios "
                                    "one after another in this process"),
    threads: int = typer.Option(1, "--threads", min=1, help="HiGHS threads per scenario"),
    time_limit: float | None = typer.Option(None, "--time-limit", min=0,
                                               help="seconds per scenario"),
    algorithm: str = typer.Option("auto", "--algorithm", help="auto, simplex or ipm"),
    force: bool = typer.Option(False, "--force", help="solve again scenarios already solved"),
    cold: bool = typer.Option(False, "--cold", help="load, build and solve every scenario "
                              "from nothing (default: each worker keeps its HiGHS instances "
                              "and re-solves a scenario from the last basis when its LP has "
                              "the structure of one solved before)"),
    highs_option: list[str] = typer.Option([], "--highs-option", metavar="KEY=VALUE",
                                           help="any HiGHS option for every scenario, e.g. "
                                           "presolve=off; repeat for more"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="only warnings and errors on "
                               "standard error (the progress bar stays)"),
    verbose: int = typer.Option(0, "--verbose", count=True, help="the stages of each solve "
                                "on standard error (twice: debug detail; -v is --vary here)"),
) -> None:
    """Solve every combination of variations of a case on Dask; index them in sweep.csv."""
    from northam_plan.cli import highs_options_or_exit
    from northam_plan.scenarios.sweep import ClusterError, run_sweep
    from northam_plan.scenarios.sweep_vary import SweepError

    if algorithm not in ("auto", "simplex", "ipm"):
        _bad(f"--algorithm must be auto, simplex or ipm, got '{algorithm}'")
    if sequential and scheduler:
        _bad("--sequential and --scheduler exclude each other")
    out = out or Path("results") / f"{case.stem}-sweep"
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                        console=console, transient=False, refresh_per_second=2)
    task_id = None

    def on_start(total: int, n_workers: int) -> None:
        nonlocal task_id
        where = "in this process" if sequential else f"on {n_workers} Dask worker" + \
            ("s" if n_workers != 1 else "")
        progress.console.print(f"{total} scenarios {where} → {out}", highlight=False)
        task_id = progress.add_task("sweep", total=total)

    def on_result(row: dict) -> None:
        progress.console.print(_line(row), highlight=False, soft_wrap=True)
        if task_id is not None:
            progress.advance(task_id)

    solve = {"threads": threads, "time_limit": time_limit, "algorithm": algorithm,
             "quiet": True, "highs_options": highs_options_or_exit(highs_option)}
    try:
        # one line per scenario is the sweep's own; the stages of each solve only with -v
        with terminal(max(verbose - 1, 0), quiet or not verbose, status=False), progress:
            done = run_sweep(case, vary, out, workers=workers, scheduler=scheduler,
                             sequential=sequential, solve=solve, force=force, warm=not cold,
                             on_start=on_start, on_result=on_result)
    except CaseError as err:
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except SweepError as err:
        console.print(f"[bold red]Invalid --vary[/] ({len(err.problems)} problem"
                      f"{'s' if len(err.problems) != 1 else ''}):", highlight=False)
        console.print("\n".join(err.problems), highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except ClusterError as err:
        _bad(str(err))
    except KeyboardInterrupt:
        console.print(f"[bold red]Interrupted:[/] {out / 'sweep.csv'} lists what was done; "
                      "run the same command again to finish (solved scenarios are skipped).",
                      highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _print_summary(done)
    if done.failed:
        console.print(f"[bold red]{len(done.failed)} of {len(done.rows)} scenarios failed:[/]",
                      highlight=False)
        for row in done.failed:
            console.print(f"  {row['scenario']}: {row['error'] or row['status']}",
                          highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)


def _line(row: dict) -> str:
    name = escape(row["scenario"])
    seconds = f"{row['seconds']:.1f} s" if row["seconds"] is not None else ""
    if row["status"] in ("solved", "skipped"):
        mark = "[green]solved[/]" if row["status"] == "solved" \
            else "[cyan]skipped[/] (solved before)"
        start = {"warm": " (warm)", "carried": " (carried basis)"}.get(row.get("start") or "", "")
        return f"{mark} {name}: {row['objective']:,.1f} M$ {seconds}{start}"
    return f"[red]failed[/] {name}: {escape(row['error'])} {seconds}"


def _print_summary(done) -> None:
    counts = done.counts
    table = Table(title=f"sweep — {len(done.rows)} scenarios", show_header=False, box=None)
    table.add_row("solved", str(counts.get("solved", 0)))
    table.add_row("skipped (solved before)", str(counts.get("skipped", 0)))
    table.add_row("failed", str(counts.get("failed", 0) + counts.get("not run", 0)))
    solved = [r for r in done.rows if r["status"] == "solved"]
    warm = sum(r.get("start") == "warm" for r in solved)
    table.add_row("re-solved warm", f"{warm} of {len(solved)} solved" if done.warm
                  else "none (--cold)")
    if done.warm:
        carried = sum(r.get("start") == "carried" for r in solved)
        table.add_row("new structure, from a carried basis", f"{carried} of {len(solved)} solved")
    table.add_row("wall time", f"{done.seconds:.1f} s ({done.mode})")
    table.add_row("index", str(done.out / "sweep.csv"))
    Console().print(table)


def _bad(message: str) -> None:
    console.print(f"[bold red]{escape(message)}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def register(app: typer.Typer) -> None:
    app.command(cls=Command)(sweep)
