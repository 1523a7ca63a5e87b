"""Ctrl-C during a solve ends cleanly: the earlier result is intact, no partial folder remains."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casekit import write_case
from generated import random_tables

CLI = Path(sys.executable).with_name("northam-plan")


@pytest.mark.skipif(not CLI.exists(), reason="the northam-plan script is not installed")
def test_ctrl_c_during_a_solve_keeps_the_earlier_result(tmp_path):
    case = write_case(tmp_path / "case", random_tables(3, regions=12, chains=4), end=2050,
                      discount_rate=0.04)
    out = tmp_path / "result"
    first = subprocess.run([str(CLI), "solve", str(case), "--out", str(out), "-q"],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in (out / "tables").iterdir()}
    summary = json.loads((out / "summary.json").read_text())

    process = subprocess.Popen([str(CLI), "solve", str(case), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until HiGHS has started, then press Ctrl-C
        if "HiGHS" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode in (0, 1, 130), output  # done, interrupted, or cancelled
    assert "Traceback" not in output
    if process.returncode != 0:
        assert {p.name: p.read_bytes() for p in (out / "tables").iterdir()} == before
        assert json.loads((out / "summary.json").read_text())["case_hash"] == \
            summary["case_hash"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "result"]
