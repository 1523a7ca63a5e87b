"""Latency of the explorer: a lever moved in the browser → the new headline on screen.

Starts the explorer (``northam-plan explore``'s app, in this process, on a free port) on a case
(default ``cases/reference.toml``), opens it in the system's headless Chromium
(``/usr/bin/chromium`` through Playwright), and for each of three levers — a tariff (China →
United States, sintered NdFeB magnets), demand (the lithium chain) and cost of capital (Mexico)
— moves the lever's slider ``--changes`` times (20 by default, each to a new value, one after
the other, every change counted, the first included) and reads what the page measured:

* ``total``: from the slider's ``change`` event to the frame after the new headline is in the
  page (``requestAnimationFrame`` + a task), in the browser's clock;
* of which, on the server: ``case`` (the case with the lever's blocks applied and checked
  with the case rules), ``resolve`` (``Resolver.update``: matrix build, array diff, push, warm
  HiGHS solve, values), ``extract``
  (the plan's tables), ``brief`` (the brief's sentences of the what-if and against the base),
  ``render`` (the headline's HTML);
* ``browser``: the rest — request, streamed JSON, swapping the headline, layout and paint;

and ``cost``: from the ``change`` event to the moment the status line shows the new total cost
against the base (streamed as soon as HiGHS has the optimum, before the plan is read);
``cpu``: CPU seconds of the server's thread for the change (case, re-solve, plan, brief) —
what the server part would take with the machine to itself.

Prints p50 and p95 of each, per lever, and writes them as JSON with ``--out``.

    .venv/bin/python benchmarks/explore_latency.py                  # ~2 min
    .venv/bin/python benchmarks/explore_latency.py --changes 5 --out /tmp/latency.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import uvicorn  # noqa: E402

from northam_plan.explore import Explorer  # noqa: E402
from northam_plan.explore.app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: lever key → the values it is moved to, in turn (display units: %, % of base, % a year)
LEVERS = {
    "tariff": ("tariff:CN:US:magnet", [50 + 5 * i for i in range(30)]),
    "demand": ("demand:li_conc", [80 + 4 * i for i in range(30)]),
    "cost of capital": ("capital:MX", [6.0 + 0.25 * i for i in range(30)]),
}
PARTS = ("case", "resolve", "extract", "brief", "render")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default=str(HERE.parent / "cases" / "reference.toml"))
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    tic = time.perf_counter()
    explorer = Explorer(args.case)
    print(f"base case solved in {time.perf_counter() - tic:.1f} s", flush=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(explorer, Path("/tmp")), host="127.0.0.1",
                                          port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        seq = 0
        for name, (key, values) in LEVERS.items():
            rows = []
            slider = page.locator(f'input[data-slider="{key}"]')
            for value in values[:args.changes]:
                slider.fill(str(value))
                seq += 1
                page.wait_for_selector(f'body[data-seq="{seq}"]', state="attached",
                                       timeout=120_000)
                last = page.evaluate("window.exploreLast")
                if last["state"] != "done":
                    raise SystemExit(f"{name} = {value}: {last['state']}: "
                                     f"{page.locator('#status').inner_text()}")
                server_s = last["server"]
                row = {"value": value, "total": last["ms"] / 1000,
                       "cost": last["solvedMs"] / 1000, "cpu": float(server_s["cpu"]),
                       **{part: float(server_s.get(part, 0.0)) for part in PARTS}}
                row["browser"] = row["total"] - sum(row[part] for part in PARTS)
                rows.append(row)
            # back to the base case before the next lever (untimed)
            slider.fill(str(explorer.levers[key].base))
            seq += 1
            page.wait_for_selector(f'body[data-seq="{seq}"]', state="attached",
                                   timeout=120_000)
            results[name] = {
                "lever": key, "changes": len(rows),
                **{f"{part}_p{q}": round(percentile([r[part] for r in rows], q), 3)
                   for part in ("total", *PARTS, "browser", "cost", "cpu") for q in (50, 95)},
                "rows": rows}
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)

    load = os.getloadavg()
    print(f"\n{os.cpu_count()} cores; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          "(1, 5, 15 min)")
    columns = ("total", *PARTS, "browser", "cost", "cpu")
    header = f"{'lever':<16}{'':>6}" + "".join(f"{p:>9}" for p in columns)
    print(header)
    for name, r in results.items():
        for q in (50, 95):
            print(f"{name:<16}{'p' + str(q):>6}" + "".join(
                f"{r[f'{part}_p{q}']:>9.3f}" for part in columns))
    if args.out:
        args.out.write_text(json.dumps({"load_average": load, "cores": os.cpu_count(),
                                        "levers": results}, indent=2) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
