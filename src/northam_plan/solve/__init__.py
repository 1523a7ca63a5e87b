"""Hand a built model to HiGHS and load the solution back (this module); the LP's numerics
(:mod:`.numerics`), infeasible cases explained (:mod:`.explain`, :mod:`.explain_text`) and where
a row of the LP comes from in the case's tables (:mod:`.sources`) live beside it.

The model's backend (:mod:`northam_plan.model.backends`) hands it over as a HiGHS LP in memory
— no files are written — which goes to HiGHS with ``highspy.Highs.passModel``; after the solve
the backend loads values and row duals back into the model (Pyomo's sign convention: for a
minimisation, the dual of a binding ≥ constraint is ≥ 0).

HiGHS's log never reaches the terminal directly: its logging callback hands every line to the
``northam_plan.highs`` logger (INFO, or DEBUG when ``quiet``), and the lines are kept in
:attr:`SolveResult.log` (``run_case`` writes them to ``highs.log`` in the result folder).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Literal

import highspy
from pyomo.common.errors import InfeasibleConstraintException

from northam_plan.log import HIGHS_LOGGER, get_logger
from northam_plan.model import backends
from northam_plan.model.build import gc_paused
from northam_plan.solve.numerics import Ranges, coefficient_ranges

Algorithm = Literal["auto", "simplex", "ipm"]
log = get_logger(__name__)

STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}

ADVICE = {
    "infeasible": "some hard constraint cannot hold; check capacities, reserves and limits",
    "unbounded": "some cost can fall without limit; check for negative costs",
    "infeasible_or_unbounded": "rerun with --algorithm simplex to tell which",
    "time_limit": "raise --time-limit, or try --algorithm ipm on large cases",
    "iteration_limit": "raise the iteration limit or try another algorithm",
    "interrupted": "the solve was interrupted before it finished",
}


#: ``algorithm="auto"`` solves an LP of this many variables or more by interior point with
#: crossover, a smaller one as HiGHS chooses (dual simplex). Measured (benchmarks/README.md,
#: "Time to plan"): on generated cases IPM took 5.7 CPU s against dual simplex's 38.7 at 35 k
#: variables and 25 against > 117 (time limit) at 80 k; on the bundled cases dual simplex is
#: faster (the reference 1.2 against 3.4 CPU s, the 46 k tariff case 4.4 against 9.2, the 68 k
#: stochastic case 16.7 against 39.2), so the line sits above every bundled case
IPM_FROM = 100_000


@dataclass(frozen=True)
class SolveOptions:
    """Options handed to HiGHS. ``None`` keeps HiGHS's default."""

    time_limit: float | None = None  # seconds
    threads: int | None = None
    #: simplex, interior point (with crossover), or auto: interior point from IPM_FROM variables,
    #: else HiGHS's choice
    algorithm: Algorithm = "auto"
    primal_tolerance: float | None = None
    dual_tolerance: float | None = None
    quiet: bool = False  # HiGHS's log at DEBUG rather than INFO (see the module's docstring)
    #: any other HiGHS option, set after the fields above (so it wins), as checked by
    #: :func:`~northam_plan.solve.highs_options.parse_highs_options` (``--highs-option``)
    highs_options: dict[str, bool | int | float | str] = field(default_factory=dict)


@dataclass
class SolveResult:
    """What a solve returned: status, objective (M$), sizes and seconds per stage."""

    status: str
    objective: float | None
    sizes: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    solver: str = "HiGHS"
    message: str = ""
    #: coefficient ranges of the LP (:mod:`northam_plan.solve.numerics`); None if it was not
    #: compiled
    ranges: Ranges | None = field(default=None, repr=False, compare=False)
    #: HiGHS's log, line by line
    log: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def to_dict(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k not in ("ranges", "log")}
        return {**data, "optimal": self.optimal,
                "numerics": self.ranges.to_dict() if self.ranges else None}


def solve(model, options: SolveOptions | None = None, **kwargs) -> SolveResult:
    """Solve ``model`` (either backend of :func:`~northam_plan.build_model`) with HiGHS; load
    values and duals into it; return a :class:`SolveResult`.

    Keyword arguments are shorthand for :class:`SolveOptions` fields
    (``solve(m, time_limit=60, quiet=True)``).
    """
    options = options or SolveOptions(**kwargs)
    timings = {}
    tic = time.perf_counter()
    try:
        with gc_paused():
            handed = backends.of(model).hand_over(model)
    except InfeasibleConstraintException as err:  # a row without variables that cannot hold
        return SolveResult(status="infeasible", objective=None, sizes={},
                           timings={"handover": time.perf_counter() - tic},
                           message=f"{ADVICE['infeasible']} ({err})")
    lp = handed.lp
    timings["handover"] = time.perf_counter() - tic
    tic = time.perf_counter()
    ranges = coefficient_ranges(handed.matrix, handed.cost, handed.rhs, handed.bounds,
                                handed.row_name, handed.column_name)
    timings["numerics"] = time.perf_counter() - tic

    log.info("solving with HiGHS: %s rows, %s columns, %s nonzeros", f"{handed.rows:,}",
             f"{int(lp.num_col_):,}", f"{handed.nonzeros:,}")
    tic = time.perf_counter()
    with ctrl_c_held():  # until HiGHS has the model: a Ctrl-C raised in C++ code aborts
        with quiet_stdout(True):  # HiGHS prints its banner when it is created
            highs = highspy.Highs()
        highs_log = set_options(highs, options)
        by_size(highs, options, int(lp.num_col_))
        highs.passModel(lp)
    run_highs(highs)
    timings["solve"] = time.perf_counter() - tic
    highs_log.flush()

    status = STATUS.get(highs.getModelStatus(), str(highs.getModelStatus()))
    sizes = {"variables": int(lp.num_col_), "constraints": handed.rows,
             "nonzeros": handed.nonzeros}
    objective = None
    message = ADVICE.get(status, "")
    if status == "optimal":
        tic = time.perf_counter()
        handed.load(highs)
        objective = float(highs.getInfo().objective_function_value)
        timings["load"] = time.perf_counter() - tic
    elif status in ("time_limit", "iteration_limit", "interrupted"):
        message = f"{message}; {_progress(highs, timings['solve'])}"
    log.info("HiGHS ended: %s after %.1f s", status, timings["solve"])
    return SolveResult(status=status, objective=objective, sizes=sizes, timings=timings,
                       solver=f"HiGHS {highs_version()}", message=message, ranges=ranges,
                       log=highs_log.lines)


class HighsLog:
    """HiGHS's log through its logging callback, never on the terminal: each line goes to the
    ``northam_plan.highs`` logger (INFO, or DEBUG if ``quiet``) and into :attr:`lines`."""

    def __init__(self, quiet: bool = False) -> None:
        self.lines: list[str] = []
        self.level = logging.DEBUG if quiet else logging.INFO
        self._logger = logging.getLogger(HIGHS_LOGGER)
        self._partial = ""

    def attach(self, highs: highspy.Highs) -> None:
        highs.setOptionValue("output_flag", True)
        highs.setOptionValue("log_to_console", False)
        highs.cbLogging += self._on_log

    def _on_log(self, event) -> None:
        *complete, self._partial = (self._partial + event.message).split("\n")
        for line in complete:
            self.lines.append(line)
            self._logger.log(self.level, line)

    def flush(self) -> None:
        if self._partial:
            self._on_log(type("Event", (), {"message": "\n"})())


@contextmanager
def ctrl_c_held():
    """Hold a Ctrl-C while HiGHS's C++ code runs outside its solve (creation, options,
    ``passModel``) and raise it as KeyboardInterrupt afterwards.

    HiGHS calls back into Python to log (:class:`HighsLog`); a KeyboardInterrupt raised in that
    callback unwinds through C++ and left the process to be aborted at exit ("terminate called
    without an active exception", exit -6: seen under load, 2 of 40 Ctrl-Cs sent as the solve
    began). Only in the main thread, where signals arrive; a Ctrl-C ignored before stays
    ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed and previous is not signal.SIG_IGN:
        raise KeyboardInterrupt


def run_highs(highs: highspy.Highs) -> None:
    """Run HiGHS; in the main thread Ctrl-C cancels it (status 'interrupted').

    highspy solves in a helper thread and turns a Ctrl-C during the solve into a cancel. A
    Ctrl-C that lands just before or after (while the thread starts) escapes as
    KeyboardInterrupt with HiGHS still running, and a process that exits then is aborted by
    the C++ runtime; so HiGHS is cancelled and waited for before the interrupt goes on.
    """
    if threading.current_thread() is not threading.main_thread():
        highs.run()  # signals reach only the main thread (e.g. a Dask worker's task)
        return
    highs.HandleKeyboardInterrupt = True
    try:
        highs.solve()
    except KeyboardInterrupt:
        highs.cancelSolve()
        while highs.is_solver_running():
            try:
                highs.wait(0.1)
            except KeyboardInterrupt:
                highs.cancelSolve()
        raise


def _progress(highs: highspy.Highs, seconds: float) -> str:
    """How far HiGHS got before it was stopped: iterations, and the objective of the last
    iterate when it is a feasible plan (an upper bound on the optimum)."""
    info = highs.getInfo()
    text = (f"stopped after {seconds:.1f} s ({info.simplex_iteration_count} simplex, "
            f"{info.ipm_iteration_count} interior-point iterations)")
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        return (f"{text}; the last plan is feasible with objective "
                f"{info.objective_function_value:,.1f} M$ (an upper bound on the optimum); nothing "
                "was written")
    return f"{text}, before any feasible plan; nothing was written"


@contextmanager
def quiet_stdout(quiet: bool):
    """Silence the C-level standard output while HiGHS starts, if ``quiet``."""
    if not quiet:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def highs_version() -> str:
    from importlib.metadata import version
    return version("highspy")


def set_options(highs: highspy.Highs, options: SolveOptions) -> HighsLog:
    """Hand ``options`` to HiGHS and route its log to the logger; return the log."""
    highs_log = HighsLog(options.quiet)
    highs_log.attach(highs)
    if options.time_limit is not None:
        highs.setOptionValue("time_limit", float(options.time_limit))
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    if options.algorithm == "simplex":
        highs.setOptionValue("solver", "simplex")
    elif options.algorithm == "ipm":
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "on")
    if options.primal_tolerance is not None:
        highs.setOptionValue("primal_feasibility_tolerance", options.primal_tolerance)
    if options.dual_tolerance is not None:
        highs.setOptionValue("dual_feasibility_tolerance", options.dual_tolerance)
    if options.highs_options:
        from northam_plan.solve.highs_options import set_highs_options

        set_highs_options(highs, options.highs_options)
    return highs_log


def by_size(highs: highspy.Highs, options: SolveOptions, variables: int) -> None:
    """``algorithm="auto"`` and no ``solver`` among the HiGHS options: interior point with
    crossover from :data:`IPM_FROM` variables (else HiGHS chooses)."""
    if options.algorithm == "auto" and "solver" not in options.highs_options and \
            variables >= IPM_FROM:
        log.info("%s variables: interior point with crossover (auto from %s)",
                 f"{variables:,}", f"{IPM_FROM:,}")
        highs.setOptionValue("solver", "ipm")
        if "run_crossover" not in options.highs_options:
            highs.setOptionValue("run_crossover", "on")
