"""What the command modules (``cli``, ``cli.reports``, ``cli.sweep``) share: exit codes, the
``-v``/``-q`` options, how ``--help`` shows parameters, and how errors are reported.

``--help``: flags as flags, list arguments as ``CASE...``.

Typer's rich help prints a type beside every parameter, flags included (``--quiet -q <bool>``),
and a list argument as ``<list[Path]>``, as if they took values. :class:`Command` and
:class:`Group` (``cls=`` of the commands and of the app) show them the usual way instead:
a flag or a counter without a type, an argument by its upper-case name (``CASE``, ``[CASE]``
when optional, ``CASE...`` when it takes several), a list option by the type of one item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

import typer
import typer.core

from northam_plan.errors import CaseError

if TYPE_CHECKING:
    from rich.console import Console

EXIT_NOT_OPTIMAL = 1  # no optimal plan, or (calibrate) a figure outside tolerance
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C

VERBOSE = typer.Option(0, "--verbose", "-v", count=True, help="more detail on standard error: "
                       "debug messages, and HiGHS's log even with -q")
QUIET = typer.Option(False, "--quiet", "-q", help="only warnings and errors on standard error "
                     "(no HiGHS log; the status line stays)")


def report_case_error(err: CaseError, console: Console) -> None:
    """Print every problem of invalid input (file, line, column, what was expected) on
    ``console`` (standard error); the caller exits with code 2."""
    console.print(f"[bold red]Invalid input[/] ({len(err.problems)} problem"
                  f"{'s' if len(err.problems) != 1 else ''}):", highlight=False)
    console.print(err.describe(), highlight=False, markup=False, soft_wrap=True)


def exit_on(err: Exception, console: Console, not_optimal: tuple[type, ...] = ()) -> None:
    """Report ``err`` on ``console`` and leave: exit 2 for invalid input (a :class:`CaseError`
    with its problems, or any other error given), 1 when ``err`` is one of ``not_optimal``."""
    if isinstance(err, CaseError):
        report_case_error(err, console)
        raise typer.Exit(EXIT_BAD_INPUT)
    console.print(f"[bold red]Error:[/] {err}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_NOT_OPTIMAL if isinstance(err, not_optimal) else EXIT_BAD_INPUT)


def _conventional(param) -> None:
    """Give one parameter the conventional help display (instance attributes shadow the
    methods Typer's help calls)."""
    if getattr(param, "_northam_plain", False):
        return
    param._northam_plain = True
    if isinstance(param, typer.core.TyperOption):
        if param.is_flag or param.count:
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]  # shadowed
            param.show_default = False  # a counter's 0, a flag's False say nothing
        elif param.multiple and param.metavar is None:  # repeatable: the type of one item
            items = get_args(param.type_descriptor.annotation)
            param.metavar = f"<{param._bare_type(items[0]).lower() if items else 'value'}>"
        return
    if isinstance(param, typer.core.TyperArgument):
        name = (param.metavar or param.name).upper().rstrip(".")
        metavar = param.metavar = name + ("..." if param.nargs != 1 else "")
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]  # shadowed
        param._usage_display_name = (  # type: ignore[method-assign]  # shadowed
            lambda: metavar if param.required else f"[{metavar}]")


class Command(typer.core.TyperCommand):
    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            _conventional(param)
        return params


class Group(typer.core.TyperGroup):
    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            _conventional(param)
        return params
