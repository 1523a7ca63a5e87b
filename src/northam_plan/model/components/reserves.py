r"""Reserves: cumulative extraction of a mineral in a region, up to reserves that grow.

Reserves are not a lifetime cap: mining converts resources to reserves as it goes. The
reserves of reserves.csv hold at the start of the first model year :math:`t_0` and grow by
``growth`` :math:`g_{r,c}` of that figure per calendar year, up to the ``resources``
:math:`S_{r,c}` (no ceiling when empty).

Constraints
    ``extraction_max[r, c, t]``: extraction from the first model year to the end of model
    year t is at most the reserves grown to then:

    .. math:: \sum_{t' \le t} w_{t'} \sum_{p \in mines} out_{p,c} \, act_{r,p,t'}
              \le \min\left(R_{r,c} \left(1 + g_{r,c} \, (t + w_t - t_0)\right),\;
              S_{r,c}\right)

    (unit), where :math:`w_t` is the number of calendar years model year t stands for, so that
    :math:`t + w_t - t_0` is the number of calendar years from the start of the horizon to the
    end of model year t. With :math:`g = 0` and no ceiling this is the lifetime cap of the
    reserves. The dual is the value of one more unit of extraction allowed by the end of t
    (M$ per unit, present value, ≤ 0 when binding).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from northam_plan.model.algebra import Index, columns, constraints, terms
from northam_plan.model.components.activity import process_ratios

NAME = "reserves"
REQUIRES = ("activity",)


def reserves_by_year(case) -> dict[tuple[str, str, int], float]:
    """The most that may be extracted from the first model year to the end of model year t,
    per (region, mineral, t) of reserves.csv (unit)."""
    years, weights = case.years, case.year_weights
    out = {}
    for r, c, reserves, growth, resources in case.tables["reserves"][
            ["region", "commodity", "reserves", "growth", "resources"]].itertuples(index=False):
        for t in years:
            grown = reserves * (1.0 + growth * (t + weights[t] - years[0]))
            out[r, c, t] = grown if pd.isna(resources) else min(grown, resources)
    return out


def add(m, case, book) -> None:
    processes = case.tables["processes"]
    mines = set(processes.loc[processes["family"] == "mine", "process"])
    ratios = process_ratios(case)
    limit = reserves_by_year(case)
    years = case.years
    weights = case.year_weights
    keys = [(r, p, t) for (r, p, t) in m.model().book.cap_keys if p in mines]
    acts = columns(m.act, keys)  # each activity once, whichever rows count it
    mined = defaultdict(list)  # (model year, coefficient, position in acts) per (r, c)
    for i, (r, p, t) in enumerate(keys):
        for c, ratio in ratios[p]:
            if ratio > 0 and (r, c, t) in limit:
                mined[r, c].append((t, weights[t] * ratio, i))
    rows = Index(sorted((r, c, t) for (r, c), found in mined.items()
                        for t in years if t >= min(y for y, _, _ in found)),
                 ("region", "commodity", "year"))
    # every row sums the extraction of its own and all earlier model years
    upto = [(key, coef, i) for key in rows for y, coef, i in mined[key[:2]] if y <= key[2]]
    extracted = terms(acts[np.array([i for *_, i in upto], dtype=np.int64)],
                      coefs=[coef for _, coef, _ in upto], at=[key for key, _, _ in upto],
                      index=rows)
    constraints(m, "extraction_max", extracted <= limit)
    book.declare("extraction_max", rows.dims, "M$/unit", output="limit")
