"""A real multi-process Dask cluster started from the command line (``dask scheduler`` and two
``dask worker`` processes, local only, free ports, no dashboard): ``northam-plan sweep
--scheduler tcp://…`` solves on it; a worker killed mid-sweep loses no finished scenario and a
re-run completes the rest. Every process the test starts is ended by it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from test_sweep_warm import trade_case

DASK = Path(sys.executable).with_name("dask")
VARY = ["tariffs[from=CN].rate=0,0.25,0.5,0.75,1", "processes[process=mine].capex=*1,*1.5,*2"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path, **env: str) -> subprocess.Popen:
    """A process in its own session (so that its whole group can be ended), output to ``log``."""
    with log.open("w") as handle:
        return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, **env})


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(10)


def _workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout="10s") as client:
        return len(client.scheduler_info()["workers"])


@pytest.fixture()
def cluster(tmp_path):
    """``dask scheduler`` + 2 × ``dask worker --no-nanny --nthreads 1`` on 127.0.0.1."""
    assert DASK.is_file(), f"the dask command line is not installed beside {sys.executable}"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [_start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard", "--no-show"], tmp_path / "scheduler.log",
                      # a task running on a worker that dies fails at once (Dask's default
                      # retries it 3 times): the re-run has something to complete
                      DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")]
    try:
        for name in ("w1", "w2"):
            started.append(_start([str(DASK), "worker", address, "--name", name,
                                   "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                   "--host", "127.0.0.1"], tmp_path / f"{name}.log"))
        deadline = time.monotonic() + 60
        while True:
            try:
                if _workers(address) == 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                logs = "\n".join(p.read_text() for p in sorted(tmp_path.glob("*.log")))
                pytest.fail(f"the cluster did not come up:\n{logs}")
            time.sleep(0.3)
        yield {"address": address, "scheduler": started[0], "workers": started[1:]}
    finally:
        for process in reversed(started):
            _end(process)
        left = [p.pid for p in started if psutil.pid_exists(p.pid) and
                psutil.Process(p.pid).status() != psutil.STATUS_ZOMBIE]
        assert not left, f"processes left behind: {left}"


def _sweep(case: Path, out: Path, address: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "northam_plan", "sweep", str(case),
         *sum((["--vary", v] for v in VARY), []), "--scheduler", address, "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())


def test_a_sweep_on_a_command_line_cluster_survives_a_killed_worker(cluster, tmp_path):
    case = trade_case(tmp_path / "case")
    out = tmp_path / "out"
    sweep = _sweep(case, out, cluster["address"])
    try:
        # kill worker 2 once two scenarios are written (while others are still to come)
        deadline = time.monotonic() + 120
        while len(list(out.glob("*/summary.json"))) < 2:
            assert sweep.poll() is None, sweep.communicate()[0]
            assert time.monotonic() < deadline, "no scenario finished in 120 s"
            time.sleep(0.05)
        finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/summary.json")}
        cluster["workers"][1].send_signal(signal.SIGKILL)
        cluster["workers"][1].wait(10)
        output, _ = sweep.communicate(timeout=300)
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait()
    assert sweep.returncode in (0, 1), output
    print(f"first run: exit {sweep.returncode}")
    assert "15 scenarios on 2 Dask workers" in output
    index = pd.read_csv(out / "sweep.csv", keep_default_na=False).set_index("scenario")
    assert len(index) == 15
    # no finished scenario is lost: its plan is intact and not written again (a result that
    # died with the worker's memory is computed again by Dask: then the plan is skipped)
    for name, stamp in finished.items():
        assert index.loc[name, "status"] in ("solved", "skipped")
        assert (out / name / "summary.json").stat().st_mtime_ns == stamp
        assert (out / name / "plan.nc").is_file()
    # a re-run on the surviving worker solves whatever the kill cost and skips the rest
    again = _sweep(case, out, cluster["address"])
    output2, _ = again.communicate(timeout=300)
    assert again.returncode == 0, output2
    assert "15 scenarios on 1 Dask worker" in output2
    rerun = pd.read_csv(out / "sweep.csv", keep_default_na=False).set_index("scenario")
    lost = [n for n in index.index if index.loc[n, "status"] not in ("solved", "skipped")]
    print(f"finished before the kill {len(finished)}, lost {lost}")
    for name in lost:  # the scenario that ran on the killed worker, if one did
        assert index.loc[name, "error"].startswith("the task was lost"), index.loc[name]
        assert name not in finished
    assert all(rerun.loc[n, "status"] == "solved" for n in lost)
    assert all(rerun.loc[n, "status"] == "skipped" for n in index.index if n not in lost)
    for name in index.index:
        summary = json.loads((out / name / "summary.json").read_text())
        assert summary["status"] == "optimal"
        assert float(rerun.loc[name, "objective"]) == pytest.approx(summary["objective"],
                                                                     rel=1e-12)
    # the tariff matters, on every capex: dearer Chinese ore never lowers the cost
    objective = rerun["objective"].astype(float)
    for capex in ("x1", "x1.5", "x2"):
        costs = [objective[f"rate={r}__capex={capex}"] for r in ("0", "0.25", "0.5", "0.75", "1")]
        assert costs == sorted(costs) and costs[0] < costs[-1]
