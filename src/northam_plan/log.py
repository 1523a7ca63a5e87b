"""Logging: the library writes to the ``northam_plan`` logger and never prints; the command line
decides what reaches the terminal.

* ``northam_plan`` and its children (``northam_plan.pipeline``, ``northam_plan.solve``, …) say
  what each stage does at INFO ("solving with HiGHS: 14,928 rows, …", "reusing results/x …"),
  details at DEBUG, problems at WARNING.
* ``northam_plan.highs`` carries HiGHS's own log, line by line (INFO, or DEBUG for a quiet
  solve; :class:`northam_plan.solve.HighsLog`).

In a notebook, ``logging.basicConfig(level=logging.INFO)`` shows both. The command line uses
:func:`terminal`: the log on standard error at the level of ``-q``/``-v``, and, while a command
runs on a terminal, a live status line (stage, seconds in it, HiGHS's last iteration). Standard
output carries only the command's result (the summary table, the explanation).
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager, nullcontext
from typing import Any

ROOT_LOGGER = "northam_plan"
HIGHS_LOGGER = "northam_plan.highs"
logging.getLogger(ROOT_LOGGER).addHandler(logging.NullHandler())

#: HiGHS's iteration lines: simplex "   8892     3.17e+06 Pr: 0(0); Du: 0(5.8e-13) 0.9s",
#: interior point "     12   +3.17e+06 …"
_ITERATION = re.compile(r"^\s*(?:[A-Z][A-Za-z]*\s+)?(\d+)\s+([-+]?\d[\d.eE+-]*)\s")


def get_logger(name: str) -> logging.Logger:
    """The library's logger for module ``name`` (always under ``northam_plan``)."""
    return logging.getLogger(name if name.startswith(ROOT_LOGGER) else f"{ROOT_LOGGER}.{name}")


def level_of(verbose: int = 0, quiet: bool = False) -> int:
    """The log level for ``-v`` (counted) and ``-q``: WARNING, INFO, DEBUG."""
    if quiet and not verbose:
        return logging.WARNING
    return logging.DEBUG if verbose else logging.INFO


def highs_progress(line: str) -> str | None:
    """What the status line shows for one line of HiGHS's log, or None to keep the last."""
    found = _ITERATION.match(line)
    if found:
        try:
            objective = float(found.group(2))
        except ValueError:
            return None
        return f"HiGHS iteration {int(found.group(1)):,}, objective {objective:.4g}"
    text = line.strip()
    if text.startswith(("Presolving", "Solving the", "Using ", "Performed postsolve",
                        "Crossover", "Running Crossover")):
        return f"HiGHS: {text[:60]}"
    return None


class ConsoleHandler(logging.Handler):
    """Log records as plain lines on a rich console (standard error): warnings in yellow."""

    def __init__(self, console, level: int) -> None:
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.levelno >= logging.ERROR:
                text = f"error: {text}"
            elif record.levelno >= logging.WARNING:
                text = f"warning: {text}"
            style = "red" if record.levelno >= logging.ERROR else \
                "yellow" if record.levelno >= logging.WARNING else None
            self.console.print(text, style=style, markup=False, highlight=False,
                               soft_wrap=True)
        except Exception:  # pragma: no cover - logging must not raise
            self.handleError(record)


class StatusHandler(logging.Handler):
    """Keeps the status line current: an INFO record of the library starts a stage; a line of
    HiGHS's log updates the detail (the last iteration)."""

    def __init__(self, update) -> None:
        super().__init__(logging.DEBUG)
        self.update = update  # update(stage=None | str, detail=None | str)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.name == HIGHS_LOGGER:
                detail = highs_progress(record.getMessage())
                if detail is not None:
                    self.update(detail=detail)
            elif record.levelno == logging.INFO:
                self.update(stage=record.getMessage())
        except Exception:  # pragma: no cover - logging must not raise
            self.handleError(record)


class StatusLine:
    """A transient status line on standard error: stage, seconds in it, detail."""

    def __init__(self, console, title: str) -> None:
        from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn
        from rich.text import Text

        class Seconds(ProgressColumn):
            def render(self, task) -> Text:
                return Text(f"{time.monotonic() - task.fields['since']:.0f} s", style="cyan")

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), Seconds(),
                                 TextColumn("{task.fields[detail]}", style="dim"),
                                 console=console, transient=True, refresh_per_second=4)
        self.task = self.progress.add_task(title, since=time.monotonic(), detail="")

    def update(self, stage: str | None = None, detail: str | None = None) -> None:
        fields: dict[str, Any] = {}  # Progress.update's keywords (description) and task fields
        if stage is not None:
            fields = {"description": stage[:40], "since": time.monotonic(), "detail": ""}
        if detail is not None:
            fields["detail"] = detail
        self.progress.update(self.task, **fields)


@contextmanager
def terminal(verbose: int = 0, quiet: bool = False, title: str = "working",
             status: bool = True):
    """For the command line: the library's log on standard error at the level of
    ``-v``/``-q``, and a live status line while the block runs (only when standard error is a
    terminal, and ``status``). Restores the logger on leaving."""
    from rich.console import Console

    console = Console(stderr=True)
    root = logging.getLogger(ROOT_LOGGER)
    saved = root.level
    root.setLevel(logging.DEBUG)
    line = StatusLine(console, title) if status and console.is_terminal else None
    handlers: list[logging.Handler] = [ConsoleHandler(console, level_of(verbose, quiet))]
    if line is not None:
        handlers.append(StatusHandler(line.update))
    for handler in handlers:
        root.addHandler(handler)
    try:
        with line.progress if line is not None else nullcontext():
            yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(saved)
