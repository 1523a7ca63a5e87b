"""Sweeps: the cartesian product of variations of one case, solved one scenario per task.

The variations (``--vary TABLE[COL=a].COLUMN=v1,v2`` …) and the scenarios they make are in
:mod:`northam_plan.scenarios.sweep_vary`. Each scenario runs :func:`run_scenario` — the case
with the scenario's override dicts, built, solved, extracted, ``summary.json``, ``plan.nc`` and
``tables/`` written atomically with :func:`~northam_plan.plan.write_plan` — in a Dask worker
process (a ``LocalCluster`` by default, or an existing scheduler), or in this process with
``sequential``. Warm by default (:mod:`northam_plan.scenarios.sweep_warm`): a worker loads the
base case once and re-solves each scenario in a HiGHS instance it keeps, from the last basis,
when the scenario's LP has the structure of one it solved before; ``warm=False`` (``--cold``)
loads, builds and solves every scenario from nothing with :func:`~northam_plan.pipeline.run`.
The scenarios are handed to the workers in contiguous blocks of the product (the last
variation varies fastest), so that neighbours, which differ least, meet in one worker; an idle
worker may still take tasks from a busy one. Only the case path, the override dicts and a small
result dict cross process boundaries, never a model. A scenario whose folder already holds an
optimal plan of the same case hash and northam-plan version is not solved again (status
``skipped``). Any failure of one scenario (invalid data, no optimal plan, a lost worker) becomes
a ``failed`` row with its message — unless its plan was written before its worker died (then
it is ``solved``, as its folder says); the others go on. :func:`write_index` writes ``sweep.csv``,
one row per scenario, and ``sweep.json``, the variations and the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from northam_plan.errors import CaseError
from northam_plan.files import atomic_write_text
from northam_plan.scenarios.sweep_vary import (
    Scenario,
    SweepError,
    Variation,
    parse_variations,
    scenarios,
)

__all__ = ["ClusterError", "Sweep", "SweepError", "run_scenario", "run_sweep", "write_index"]

INDEX = "sweep.csv"
STATUSES = ("solved", "skipped", "failed", "not run")


class ClusterError(RuntimeError):
    """No Dask cluster to run on: the scheduler cannot be reached or the local one not started."""


@dataclass
class Sweep:
    """What :func:`run_sweep` did: one row per scenario (in scenario order) and wall time."""

    out: Path
    variations: list[Variation]
    rows: list[dict]
    seconds: float
    mode: str
    counts: dict[str, int] = field(default_factory=dict)
    warm: bool = True

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.rows if r["status"] in ("failed", "not run")]


# --- one scenario (runs in a worker) -------------------------------------------------------

def run_scenario(task: dict) -> dict:
    """Solve one scenario and write its plan to ``task['out']``; return its sweep.csv row.

    ``task``: ``case`` (path of the case file), ``name``, ``case_name``, ``overrides`` (dicts
    like ``[[override]]`` blocks), ``out`` (the scenario's folder), ``solve`` (fields of
    :class:`~northam_plan.solve.SolveOptions`), ``force`` (solve even if already solved),
    ``warm`` and ``token`` (the sweep's: this thread's
    :func:`~northam_plan.scenarios.sweep_warm.warm_solver`). Never raises: every failure is a
    row with status ``failed`` and an ``error`` message.
    """
    import dask

    from northam_plan.case import load_case
    from northam_plan.pipeline import run
    from northam_plan.solve import SolveOptions

    tic = time.perf_counter()
    row = empty_row(task["name"])
    try:
        warm = None
        if task.get("warm"):
            from northam_plan.scenarios.sweep_warm import warm_solver

            warm = warm_solver(task["token"], task["case"], task["solve"])
        base = warm.base if warm is not None else load_case(task["case"])
        case = base.with_overrides(*task["overrides"], name=task["case_name"])
        loaded = time.perf_counter() - tic
        row["case_hash"] = case.hash
        out = Path(task["out"])
        summary = _solved_summary(out, case.hash)
        if summary is not None and not task.get("force"):
            row.update(status="skipped", solver_status="optimal", folder=out.name,
                       objective=summary.get("objective"),
                       unserved_total=summary.get("unserved_total"))
            return row
        about = {"scenario": task["name"], "values": task.get("values", {})}
        # synchronous: else xarray, choosing a write lock, opens a Dask client in the worker
        with dask.config.set(scheduler="synchronous"):
            if warm is not None:
                done, row["start"] = warm.run(case, out, timings={"load": loaded},
                                              summary_extra={"sweep": about})
            else:
                done = run(case, SolveOptions(**task["solve"]), out=out,
                           timings={"load": loaded}, summary_extra={"sweep": about})
                row["start"] = "cold"
        row["solver_status"] = done.result.status
        if not done.result.optimal:
            row["error"] = f"no optimal plan: the solver ended with status " \
                           f"'{done.result.status}'. {done.result.message}".strip()
            return row
        row.update(status="solved", objective=done.result.objective, folder=out.name,
                   unserved_total=done.summary["unserved_total"])
    except CaseError as err:
        row["error"] = "invalid input: " + err.describe(limit=5).replace("\n", "; ")
    except Exception as err:  # noqa: BLE001 - one scenario's failure must not stop the sweep
        row["error"] = f"{type(err).__name__}: {err}"
    finally:
        row["seconds"] = round(time.perf_counter() - tic, 3)
    return row


def empty_row(name: str) -> dict:
    return {"scenario": name, "status": "failed", "solver_status": "", "objective": None,
            "unserved_total": None, "case_hash": "", "folder": "", "seconds": None, "start": "",
            "error": ""}


def _solved_summary(out: Path, case_hash: str) -> dict | None:
    """The summary in ``out`` if it is an optimal plan of this case hash and model version."""
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return None
    if (isinstance(summary, dict) and summary.get("case_hash") == case_hash
            and summary.get("status") == "optimal" and (out / "plan.nc").is_file()
            and (summary.get("versions") or {}).get("northam_plan") == version("northam-plan")):
        return summary
    return None


# --- the sweep ----------------------------------------------------------------------------

def run_sweep(case_path: Path | str, arguments: Sequence[str], out: Path | str, *,
              workers: int = 2, scheduler: str | None = None, sequential: bool = False,
              solve: dict | None = None, force: bool = False, warm: bool = True,
              on_start: Callable[[int, int], None] | None = None,
              on_result: Callable[[dict], None] | None = None) -> Sweep:
    """Run every scenario of the variations of the case at ``case_path``; write ``sweep.csv``.

    The base case is loaded and the variations checked first (:class:`CaseError`,
    :class:`SweepError`); nothing is solved if any of that fails. Then the scenarios run on a
    new ``LocalCluster`` of ``workers`` processes of one thread each, on the Dask scheduler at
    ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``; its workers must see ``case_path`` and ``out``
    under the same paths), or one after another in this process if ``sequential``.
    ``on_start(scenarios, workers)`` is called when the workers are up, ``on_result(row)`` as
    each scenario ends. ``solve``: :class:`~northam_plan.solve.SolveOptions` fields
    (default ``threads=1, quiet=True``). ``warm``: re-solve in kept HiGHS instances (the
    module's docstring); else every scenario cold. Ctrl-C writes the index (unfinished rows
    ``not run``) and raises KeyboardInterrupt.
    """
    from northam_plan.case import load_case

    tic = time.perf_counter()
    case_path, out = Path(case_path).resolve(), Path(out).resolve()
    base = load_case(case_path)
    variations = parse_variations(arguments, base)
    planned = scenarios(variations)
    options = {"threads": 1, "quiet": True, **(solve or {})}
    token = hashlib.sha1(os.urandom(8)).hexdigest()[:12]
    tasks: list[dict[str, Any]] = [{"case": str(case_path), "name": s.name, "values": s.values,
              "case_name": f"{base.name} [{', '.join(f'{k}={v}' for k, v in s.values.items())}]",
              "overrides": list(s.overrides), "out": str(out / s.name), "solve": options,
              "force": force, "warm": warm, "token": token} for s in planned]
    out.mkdir(parents=True, exist_ok=True)
    rows = {t["name"]: empty_row(t["name"]) | {"status": "not run"} for t in tasks}

    def collect(row: dict) -> None:
        rows[row["scenario"]] = row
        if on_result is not None:
            on_result(row)

    mode = "sequential" if sequential else (scheduler or f"LocalCluster({workers} workers)")
    try:
        if sequential:
            if on_start is not None:
                on_start(len(tasks), 1)
            try:
                for task in tasks:
                    collect(run_scenario(task))
                    if rows[task["name"]]["solver_status"] == "interrupted":  # Ctrl-C
                        raise KeyboardInterrupt
            finally:
                from northam_plan.scenarios.sweep_warm import release

                release(token)  # this process's HiGHS instances of the sweep
        else:
            _run_on_dask(tasks, workers, scheduler, on_start, collect)
    finally:
        ordered = [rows[s.name] for s in planned]
        sweep = Sweep(out, variations, ordered, time.perf_counter() - tic, mode, warm=warm)
        write_index(sweep, planned, case_path)
    sweep.counts = {s: sum(r["status"] == s for r in sweep.rows) for s in STATUSES}
    return sweep


#: settings of a local cluster: no statistical profiler (it samples the stack of every running
#: task every 10 ms, for a dashboard we do not start) and slower housekeeping ticks. Measured on
#: 2 idle workers: 0.5 % of a core instead of 12 % for the workers and the scheduler; a
#: reference scenario took 3.5 instead of 4.1 CPU seconds (mean of 4 runs on a loaded machine)
#: No work stealing either: each worker keeps its contiguous block of scenarios, whose
#: neighbours share its kept LPs (with stealing, 59 of 100 were re-solved warm instead of 71).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                        "distributed.scheduler.work-stealing": False,
                        "distributed.admin.tick.interval": "1s",
                        "distributed.admin.system-monitor.interval": "2s",
                        "distributed.worker.memory.monitor-interval": "1s"}


def _run_on_dask(tasks: list[dict], workers: int, scheduler: str | None, on_start,
                 collect: Callable[[dict], None]) -> None:
    """Submit one task per scenario; collect rows as they finish (a lost task → failed row)."""
    import dask
    import distributed  # noqa: F401 - loads its defaults first: leaving the `with` restores them

    with dask.config.set({} if scheduler else LOCAL_CLUSTER_CONFIG):
        _submit_and_collect(tasks, workers, scheduler, on_start, collect)


def _submit_and_collect(tasks, workers, scheduler, on_start, collect) -> None:
    import logging

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            with _sigint_ignored():  # Ctrl-C is the sweep's to handle: it closes the cluster
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
            client = Client(cluster)
    except Exception as err:  # noqa: BLE001 - bad address, no scheduler, no free port …
        if cluster is not None:
            cluster.close()
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise ClusterError(f"cannot start or reach {where}: {type(err).__name__}: {err}") \
            from None
    try:
        if on_start is not None:
            on_start(len(tasks), len(client.scheduler_info().get("workers", {})))
        token = tasks[0]["token"] if tasks else ""
        addresses = sorted(client.scheduler_info().get("workers", {}))
        futures = {}
        for i, task in enumerate(tasks):
            # contiguous blocks of the product per worker: neighbours share a kept LP; the
            # restriction is loose (an idle or surviving worker may take the task)
            block: list[str] | None = \
                [addresses[i * len(addresses) // len(tasks)]] if addresses else None
            futures[client.submit(run_scenario, task, key=f"sweep-{token}-{i}", pure=False,
                                  workers=block, allow_other_workers=True)] = task
        try:
            for future in as_completed(futures):
                try:
                    row = future.result()
                except Exception as err:  # noqa: BLE001 - the worker died or was lost
                    row = _recovered(futures[future]) or empty_row(futures[future]["name"])
                    if row["status"] != "solved":
                        row["error"] = f"the task was lost: {type(err).__name__}: {err}"
                collect(row)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _recovered(task: dict) -> dict | None:
    """The row of a scenario whose task was lost after its plan was written (the worker died
    before it could answer): solved, as its folder says; None if the folder holds no optimal
    plan of the scenario's case."""
    from northam_plan.case import load_case

    try:
        case = load_case(task["case"]).with_overrides(*task["overrides"],
                                                     name=task["case_name"])
    except Exception:  # noqa: BLE001 - an invalid scenario: nothing was written
        return None
    summary = _solved_summary(Path(task["out"]), case.hash)
    if summary is None:
        return None
    return empty_row(task["name"]) | {
        "status": "solved", "solver_status": "optimal", "objective": summary.get("objective"),
        "unserved_total": summary.get("unserved_total"), "case_hash": case.hash,
        "folder": Path(task["out"]).name}


@contextmanager
def _sigint_ignored():
    """Ignore SIGINT while worker processes start, so that they inherit 'ignored' (kept across
    exec; Python then installs no KeyboardInterrupt handler): a Ctrl-C in the terminal reaches
    the whole process group, and workers that died of it would print tracebacks while the sweep
    closes them. Only in the main thread; a Ctrl-C in these few seconds is lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def write_index(sweep: Sweep, planned: Iterable[Scenario], case_path: Path) -> Path:
    """Write ``sweep.csv`` (one row per scenario: its values, status, objective, case hash,
    folder, seconds, start — ``warm``: re-solved in a kept instance, ``carried``: a new
    structure started from a kept basis, ``cold`` — and error)
    and ``sweep.json`` (the variations and the run), atomically."""
    labels = [v.label for v in sweep.variations]
    values = {s.name: s.values for s in planned}
    frame = pd.DataFrame([{"scenario": r["scenario"], **values[r["scenario"]],
                           **{k: v for k, v in r.items() if k != "scenario"}}
                          for r in sweep.rows],
                         columns=["scenario", *labels, "status", "solver_status", "objective",
                                  "unserved_total", "case_hash", "folder", "seconds", "start",
                                  "error"])
    path = sweep.out / INDEX
    _atomic_write(path, frame.to_csv(index=False, lineterminator="\n"))
    about = {"case": str(case_path), "mode": sweep.mode, "warm": sweep.warm,
             "seconds": round(sweep.seconds, 3),
             "variations": [{"label": v.label, "argument": v.argument, "table": v.table,
                             "column": v.column, "where": v.where,
                             "values": [c.text for c in v.choices]} for v in sweep.variations],
             "scenarios": len(sweep.rows)}
    _atomic_write(sweep.out / "sweep.json", json.dumps(about, indent=2) + "\n")
    return path


def _atomic_write(path: Path, text: str) -> None:
    atomic_write_text(path, text)  # the umask's mode (mkstemp alone would give 0600)
