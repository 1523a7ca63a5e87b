"""Write tiny cases for tests: a dict of table rows → a TOML case file and CSV tables."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from northam_plan.case.schema import TABLES

BASE_TABLES = {
    "countries": [{"country": "US", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt"}],
    "processes": [],
    "demand": [],
}


def write_case(folder: Path, tables: dict[str, list[dict]], start=2025, end=2025, step=1,
               discount_rate=0.0, unserved_penalty=100.0, name="tiny", extra_toml="") -> Path:
    """Write ``folder/case.toml`` and ``folder/tables/<table>.csv``; return the TOML path.

    Tables not given take BASE_TABLES; columns not given are left out (their defaults apply).
    """
    folder = Path(folder)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    merged = {**BASE_TABLES, **tables}
    for table, rows in merged.items():
        if rows is None:
            continue
        columns = [c.name for c in TABLES[table].columns if any(c.name in r for r in rows)] \
            if rows else [c.name for c in TABLES[table].columns if c.required]
        pd.DataFrame(rows, columns=columns).to_csv(folder / "tables" / f"{table}.csv",
                                                   index=False)
    path = folder / "case.toml"
    path.write_text(
        f'name = "{name}"\ntables = "tables"\n'
        f"[years]\nstart = {start}\nend = {end}\nstep = {step}\n"
        f"[options]\ndiscount_rate = {discount_rate}\nunserved_penalty = {unserved_penalty}\n"
        + extra_toml)
    return path


def mine(process="mine", output="ore", capex=0.0, lifetime=30, construction_years=0,
         **more) -> dict:
    """A process row with the required columns filled in."""
    return {"process": process, "family": "mine", "main_output": output, "capex": capex,
            "lifetime": lifetime, "construction_years": construction_years, **more}


#: ore mined in the US at 5 M$/kt or in China at 2 + 1 transport (no tariff); 10 kt/yr wanted
#: in the US in 2025
TWO_MINES = {
    "countries": [{"country": "US", "cost_of_capital": 0.0},
                  {"country": "CN", "cost_of_capital": 0.0}],
    "regions": [{"region": "US", "country": "US"}, {"region": "CN", "country": "CN"}],
    "commodities": [{"commodity": "ore", "kind": "mineral", "unit": "kt",
                     "reference_price": 4.0}],
    "processes": [mine("mine_us", var_om=5.0), mine("mine_cn", var_om=2.0)],
    "existing_capacity": [{"region": "US", "process": "mine_us", "capacity": 100},
                          {"region": "CN", "process": "mine_cn", "capacity": 100}],
    "links": [{"from": "CN", "to": "US", "commodity": "ore", "transport_cost": 1.0}],
    "tariffs": [{"from": "CN", "to": "US", "commodity": "ore", "rate": 0.0}],
    "demand": [{"region": "US", "commodity": "ore", "sector": "all", "year": 2025,
                "quantity": 10}],
}


def solve_tiny(path):
    """Load, build, solve (must be optimal) and extract: (case, model, result, plan)."""
    from northam_plan import build_model, extract_plan, load_case, solve

    case = load_case(path)
    model = build_model(case)
    result = solve(model, quiet=True)
    assert result.optimal, result
    return case, model, result, extract_plan(model, case)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  # any attempt to reach the network fails (and would log a console error)
                  "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000"]


def chromium(page: Path, *args: str, fragment: str = "") -> subprocess.CompletedProcess:
    """Open ``page`` (at ``#fragment``) in headless Chromium (no network) with ``args``, e.g.
    --dump-dom."""
    url = page.as_uri() + (f"#{fragment}" if fragment else "")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               *args, url], capture_output=True, text=True, timeout=180)
