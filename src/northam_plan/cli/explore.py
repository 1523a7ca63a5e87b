"""The ``explore`` command; ``register(app)`` adds it to the CLI.

Exit codes: 0 after Ctrl-C (the app ran), 1 the base case has no optimal plan, 2 bad input
(an invalid case, a port in use or out of range), as for ``solve``.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer
from rich.console import Console

from northam_plan.cli.help import (
    EXIT_BAD_INPUT,
    EXIT_NOT_OPTIMAL,
    QUIET,
    VERBOSE,
    Command,
    report_case_error,
)
from northam_plan.errors import CaseError
from northam_plan.log import terminal

console = Console(stderr=True)


def explore(
    case: Path | None = typer.Argument(None, help="base case file (TOML); default: the "
                                          "bundled reference case"),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="port to serve on"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind; the default lets "
                             "only this computer in (another address opens the explorer, "
                             "which has no login, to the network)"),
    save_to: Path = typer.Option(Path("results") / "explore", "--save-to",
                                 help="folder where 'Save as case' writes case files"),
    data_root: list[Path] = typer.Option([], "--data-root", help="a folder the case may "
                                         "read besides its own; repeat for more"),
    quiet: bool = QUIET,
    verbose: int = VERBOSE,
) -> None:
    """Start the explorer, a local web app: move a policy lever (tariffs, export bans,
    permitting, sourcing floors, supplier caps, stockpiles, cost of capital, demand) and see
    the plan's headline against the base case; save the what-if as a case file. Ctrl-C stops
    it."""
    from northam_plan.cli import reference_case
    from northam_plan.explore import Explorer
    from northam_plan.explore.app import LOOPBACK, serve

    _check_port(host, port)
    path = case or reference_case()
    try:
        with terminal(verbose, quiet, title="explore"):
            console.print(f"Solving the base case {path} …", highlight=False)
            explorer = Explorer(path, data_roots=data_root)
    except CaseError as err:
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except RuntimeError as err:
        console.print(f"[bold red]No optimal plan:[/] {err}", highlight=False)
        raise typer.Exit(EXIT_NOT_OPTIMAL) from None
    if host not in LOOPBACK:
        console.print(f"[yellow]warning:[/] bound to {host}: anyone who can reach this "
                      "computer can use the explorer (it has no login)", highlight=False)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Explorer of {explorer.base_case.name}: open http://{shown}:{port}/ "
                  "(Ctrl-C stops it)", highlight=False, soft_wrap=True)
    serve(explorer, host=host, port=port, save_to=save_to)


def _check_port(host: str, port: int) -> None:
    """Exit 2 with a sentence when ``port`` cannot be bound, before the base case is solved."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            why = "is in use" if err.errno == errno.EADDRINUSE else f"cannot be used ({err})"
            console.print(f"[bold red]Error:[/] port {port} on {host} {why}; choose another "
                          "with --port", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None


def register(app: typer.Typer) -> None:
    app.command(cls=Command)(explore)
