"""The linopy side of benchmarks/run.py: its worker process, the ratios and their table.

Our figure is build + handover + passModel (a highspy.Highs holding the LP); linopy's is its
build + ``Model.to_highspy`` (matrices, addVars, addRows), each in a fresh process. The memory
ratio is our peak RSS once the LP is in HiGHS over linopy's peak RSS. CPU seconds
(``time.process_time``) are printed beside wall seconds: other jobs on a shared machine stretch
wall time, much less CPU time.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from run import IPM_FROM, _rss_mib


def linopy_worker(case_path: Path, out_json: Path, solve: bool, threads: int | None) -> None:
    """The same core LP built with linopy (linopy_model.py) and handed to highspy directly
    (``Model.to_highspy``: matrices, then ``addVars``/``addRows``); optionally solved."""
    tic = time.perf_counter()
    import linopy
    from linopy_model import build_linopy

    from northam_plan import load_case
    rss = {"import": _rss_mib()}
    import_seconds = time.perf_counter() - tic
    seconds = {}
    tic = time.perf_counter()
    case = load_case(case_path)
    case.demand_by_year  # cached; our build_model computes it too
    seconds["load"] = time.perf_counter() - tic
    rss["load"] = _rss_mib()
    cpu = {}
    tic, cpu_tic = time.perf_counter(), time.process_time()
    model = build_linopy(case)
    seconds["build"] = time.perf_counter() - tic
    cpu["build"] = time.process_time() - cpu_tic
    rss["build"] = _rss_mib()
    tic, cpu_tic = time.perf_counter(), time.process_time()
    highs = model.to_highspy()
    seconds["handover"] = time.perf_counter() - tic
    cpu["handover"] = time.process_time() - cpu_tic
    rss["handover"] = _rss_mib()
    sizes = {"variables": int(highs.getNumCol()), "constraints": int(highs.getNumRow()),
             "nonzeros": int(highs.getNumNz())}
    record = {"linopy": linopy.__version__, "sizes": sizes, "status": None, "objective": None,
              "import_seconds": import_seconds}
    if solve:
        highs.setOptionValue("output_flag", False)
        if threads is not None:
            highs.setOptionValue("threads", threads)
        if sizes["variables"] >= IPM_FROM:
            highs.setOptionValue("solver", "ipm")
        tic = time.perf_counter()
        highs.run()
        seconds["solve"] = time.perf_counter() - tic
        optimal = highs.getModelStatus() == highs.getModelStatus().kOptimal
        record["status"] = "optimal" if optimal else str(highs.getModelStatus())
        record["objective"] = highs.getInfo().objective_function_value if optimal else None
    record["seconds"] = seconds
    record["cpu_seconds"] = cpu
    record["peak_rss_mib_after"] = rss
    record["peak_rss_mib"] = max(v for k, v in rss.items() if k != "solve")
    out_json.write_text(json.dumps(record, indent=2))


def linopy_ratios(record: dict) -> dict:
    """Ours over linopy's: build + hand-over (to a highspy.Highs holding the LP: on our side
    handover + passModel) and peak memory at that point."""
    ours, theirs = record["seconds"], record["linopy"]["seconds"]
    ours_build = ours["build"] + ours["handover"] + (record["pass_model_seconds"] or 0.0)
    linopy_build = theirs["build"] + theirs["handover"]
    after = record["peak_rss_mib_after"]
    ours_rss = after.get("pass_model", after["solve"])
    linopy_rss = record["linopy"]["peak_rss_mib"]
    ratios = {"build_handover_seconds": ours_build,
              "linopy_build_handover_seconds": linopy_build,
              "build_handover_ratio": ours_build / linopy_build,
              "rss_before_solve_mib": ours_rss, "rss_ratio": ours_rss / linopy_rss,
              "same_sizes": record["sizes"] == record["linopy"]["sizes"]}
    cpu, linopy_cpu = record.get("cpu_seconds", {}), record["linopy"].get("cpu_seconds", {})
    if "pass_model" in cpu and "handover" in linopy_cpu:  # CPU seconds: robust to load
        ours_cpu = cpu["build"] + cpu["handover"] + cpu["pass_model"]
        their_cpu = linopy_cpu["build"] + linopy_cpu["handover"]
        ratios.update({"build_handover_cpu": ours_cpu, "linopy_build_handover_cpu": their_cpu,
                       "build_handover_cpu_ratio": ours_cpu / their_cpu})
    return ratios


def print_versus_linopy(console, records: list[dict]) -> None:
    """The table of ratios to linopy, for the records that have a linopy run."""
    from rich.table import Table

    compared = [r for r in records if "linopy" in r]
    if not compared:
        return
    versus = Table(title="against linopy (same core LP, own process): build + hand-over to "
                         "highspy, and peak memory with the LP in HiGHS")
    for column in ("size", "variables", "same LP size", "ours build", "ours handover",
                   "ours passModel", "ours s", "linopy build", "linopy handover", "linopy s",
                   "time ratio", "CPU s ours / linopy", "ours MiB", "linopy MiB",
                   "memory ratio", "objectives"):
        versus.add_column(column, justify="left" if column == "size" else "right")
    for r in compared:
        lin = r["linopy"]
        versus.add_row(
            r["size"], f"{r['sizes']['variables']:,}", "yes" if r["same_sizes"] else "NO",
            f"{r['seconds']['build']:.2f}", f"{r['seconds']['handover']:.2f}",
            f"{r['pass_model_seconds'] or 0.0:.2f}", f"{r['build_handover_seconds']:.2f}",
            f"{lin['seconds']['build']:.2f}", f"{lin['seconds']['handover']:.2f}",
            f"{r['linopy_build_handover_seconds']:.2f}", f"{r['build_handover_ratio']:.1f}×",
            f"{r['build_handover_cpu']:.1f} / {r['linopy_build_handover_cpu']:.1f} = "
            f"{r['build_handover_cpu_ratio']:.1f}×" if "build_handover_cpu" in r else "—",
            f"{r['rss_before_solve_mib']:,.0f}", f"{lin['peak_rss_mib']:,.0f}",
            f"{r['rss_ratio']:.2f}×", _objectives(r))
    console.print(versus)


def _objectives(r: dict) -> str:
    ours, theirs = r.get("objective"), r["linopy"].get("objective")
    if ours is None or theirs is None:
        return "not solved"
    return f"rel. diff {abs(ours - theirs) / max(1.0, abs(ours)):.1e}"


def check_linopy(records: list[dict]) -> bool:
    """Same sizes and objectives within 1e-6 (relative) on every size: the same LP."""
    ok = True
    for r in records:
        ours, theirs = r.get("objective"), r["linopy"].get("objective")
        same = r["same_sizes"] and ours is not None and theirs is not None and \
            abs(ours - theirs) <= 1e-6 * max(1.0, abs(ours))
        ok &= same
        print(f"check-linopy {r['size']}: {'same LP' if same else 'DIFFERENT'}: sizes "
              f"{r['sizes']} vs {r['linopy']['sizes']}; objective Pyomo {ours!r}, linopy "
              f"{theirs!r} M$", file=sys.stderr)
    return ok
