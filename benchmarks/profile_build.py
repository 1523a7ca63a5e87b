"""Where the build and the hand-over spend their time, on one case.

    python benchmarks/profile_build.py CASE.toml [--top 25] [--html out.html]

Prints (1) CPU and wall seconds per component's ``add`` and per step of ``build_model`` (the
ledger's ``commodity_balance`` and ``annual_cost`` + objective), timed without a profiler, and
(2) cProfile's top functions by cumulative CPU time of ``build_model`` and of the hand-over
(Pyomo's ``LinearStandardFormCompiler``). CPU time (``time.process_time``), not wall time,
because other jobs on a shared machine stretch wall time unevenly. ``--html`` also writes
pyinstrument's (wall-clock) call tree of the build. The garbage collector is paused by
build_model and solve themselves, as in normal use.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path


def component_seconds(case, backend: str = "matrix") -> dict[str, tuple[float, float]]:
    """(CPU, wall) seconds per component's ``add`` and per step of build_model, one build."""
    from northam_plan.model import build as build_module

    seconds: dict[str, tuple[float, float]] = {}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            tic, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                before = seconds.get(name, (0.0, 0.0))
                seconds[name] = (before[0] + time.process_time() - cpu,
                                 before[1] + time.perf_counter() - tic)
        return wrapper

    originals = {c: c.add for c in build_module.COMPONENTS}
    steps = {name: getattr(build_module, name) for name in ("_add_balance", "add_costs")}
    try:
        for component, add in originals.items():
            component.add = timed(component.NAME, add)
        for name, fn in steps.items():
            setattr(build_module, name, timed(name.removeprefix("_").removeprefix("add_"), fn))
        tic, cpu = time.perf_counter(), time.process_time()
        build_module.build_model(case, backend=backend)
        seconds["build_model (total)"] = (time.process_time() - cpu, time.perf_counter() - tic)
    finally:
        for component, add in originals.items():
            component.add = add
        for name, fn in steps.items():
            setattr(build_module, name, fn)
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", type=Path)
    parser.add_argument("--top", type=int, default=25, help="functions to list per profile")
    parser.add_argument("--backend", choices=("matrix", "pyomo"), default="matrix",
                        help="the backend build_model makes (default: matrix, as solve uses)")
    parser.add_argument("--html", type=Path, default=None,
                        help="also write pyinstrument's call tree of the build here")
    args = parser.parse_args(argv)

    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    from northam_plan import build_model, load_case
    from northam_plan.model.build import gc_paused

    case = load_case(args.case)
    case.demand_by_year  # cached property: computed once, outside the timings
    seconds = component_seconds(case, args.backend)
    total = seconds["build_model (total)"][0]
    print(f"build_model, unprofiled: {total:.2f} s CPU, "
          f"{seconds['build_model (total)'][1]:.2f} s wall")
    for name, (cpu, wall) in sorted(seconds.items(), key=lambda item: -item[1][0]):
        print(f"  {name:24s} {cpu:7.2f} s CPU  {100 * cpu / total:5.1f} %   {wall:7.2f} s wall")

    profile = cProfile.Profile(time.process_time)
    model = profile.runcall(build_model, case, backend=args.backend)
    _print_top(f"build_model (backend {args.backend})", profile, args.top)
    profile = cProfile.Profile(time.process_time)
    with gc_paused():
        if args.backend == "pyomo":
            profile.runcall(LinearStandardFormCompiler().write, model, mixed_form=True)
        else:
            profile.runcall(model.matrix)
    _print_top("hand-over (LinearStandardFormCompiler.write or MatrixModel.matrix)", profile,
               args.top)

    if args.html:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.005)
        profiler.start()
        build_model(case, backend=args.backend)
        profiler.stop()
        args.html.write_text(profiler.output_html())


def _print_top(what: str, profile, top: int) -> None:
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"\n{what}: {total:.2f} s CPU under cProfile; top {top} by cumulative time")
    print(f"  {'cumulative s':>12} {'% of it':>7} {'own s':>7} {'calls':>10}  function")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][3])[:top]
    for (file, line, name), (_, calls, own, cumulative, _) in rows:
        where = "/".join(Path(file).parts[-2:]) if file != "~" else "built-in"
        print(f"  {cumulative:12.2f} {100 * cumulative / total:7.1f} {own:7.2f} {calls:10,d}  "
              f"{where}:{line}({name})")


if __name__ == "__main__":
    main()
