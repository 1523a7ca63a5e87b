"""The validated case: typed tables, model years and options. Knows nothing of Pyomo."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from northam_plan.case.casefile import Options, Years
from northam_plan.case.schema import PROCESS_FAMILIES
from northam_plan.case.tables import LINE, SET_BY


@dataclass(frozen=True)
class Case:
    """A case ready to build a model from.

    ``tables`` maps each table name of :data:`northam_plan.case.schema.TABLES` to a pandas
    DataFrame with the typed columns of its schema (plus ``_line``, the CSV line a row came
    from, and ``_set_by``, the override that changed it). Treat the frames as read-only;
    :meth:`table` hands out a copy.
    """

    name: str
    description: str
    path: Path
    chain: tuple[Path, ...]
    tables_dir: Path
    years_spec: Years
    options: Options
    tables: Mapping[str, pd.DataFrame]
    warnings: tuple[str, ...] = ()
    resolved_overrides: tuple[dict, ...] = field(default=())

    def with_overrides(self, *overrides: dict, add: tuple[dict, ...] | list[dict] = (),
                       name: str | None = None, options: dict | None = None) -> Case:
        """A new, validated case: this one with rows added and changed, as a case file would.

        Each override is a dict like an ``[[override]]`` block, each ``add`` item like an
        ``[[add]]`` block; additions come first, then overrides in order (the semantics of
        :func:`~northam_plan.load_case`)::

            case.with_overrides({"table": "tariffs", "where": {"to": "US"}, "set": {"rate": 0.25}},
                                add=[{"table": "disruptions", "rows": [{"exporter": "CN",
                                      "commodity": "magnet", "start_year": 2027, "limit": 0}]}],
                                options={"discount_rate": 0.07})

        ``options`` replaces fields of ``[options]``; ``name`` renames the case. Invalid input
        (an unknown table or column, a ``where`` that matches no row, a value of the wrong type,
        a broken reference) raises :class:`~northam_plan.CaseError` listing every problem. This
        case is left unchanged.
        """
        from northam_plan.case.overrides import changed_case  # (avoids an import cycle)
        return changed_case(self, overrides, tuple(add), name, options)

    def table(self, name: str) -> pd.DataFrame:
        """A copy of one table, without the bookkeeping ``_line`` column."""
        return self.tables[name].drop(columns=[LINE, SET_BY]).copy()

    # --- time -------------------------------------------------------------------------
    @cached_property
    def years(self) -> tuple[int, ...]:
        """Model years: start, start + step, … up to end."""
        return self.years_spec.model_years

    @cached_property
    def year_weights(self) -> Mapping[int, int]:
        """Calendar years each model year stands for (its step; the last one up to ``end``)."""
        return MappingProxyType(self.years_spec.weights)

    @cached_property
    def discount_weights(self) -> Mapping[int, float]:
        r"""Discounted weight of model year t: :math:`W_t = \sum_{y=t}^{t+w_t-1} (1+d)^{-(y-t_0)}`.

        A cost of X M$/yr in every calendar year that model year t stands for contributes
        W_t · X to the objective (present value in the first model year, M$).
        """
        d, t0 = self.options.discount_rate, self.years_spec.start
        return MappingProxyType({
            t: float(sum((1.0 + d) ** -(y - t0) for y in range(t, t + w)))
            for t, w in self.year_weights.items()})

    # --- derived data -----------------------------------------------------------------
    @cached_property
    def countries_of_regions(self) -> Mapping[str, str]:
        regions = self.tables["regions"]
        return MappingProxyType(dict(zip(regions["region"], regions["country"])))

    @cached_property
    def cost_factors(self) -> Mapping[tuple[str, str], tuple[float, float]]:
        """(capex_factor, om_factor) per (country, family), from cost_factors.csv; every
        country and family without a row has (1, 1)."""
        factors = {(k, f): (1.0, 1.0) for k in self.tables["countries"]["country"]
                   for f in PROCESS_FAMILIES}
        if "cost_factors" in self.tables:
            table = self.tables["cost_factors"]
            factors.update({(k, f): (float(capex), float(om)) for k, f, capex, om in zip(
                table["country"], table["family"], table["capex_factor"], table["om_factor"])})
        return MappingProxyType(factors)

    def by_year(self, table: str, key: list[str], value: str, add: bool = False) -> dict:
        """``value`` per ``(*key, model year)`` of a table with start_year / end_year columns
        (empty = the horizon's first / last year). Rows covering the same key and year: the
        last wins, or with ``add`` their values add up."""
        out: dict = {}
        start, end = self.years[0], self.years[-1]
        for row in self.tables[table][[*key, "start_year", "end_year", value]].itertuples(
                index=False):
            *names, first, last, amount = row
            first = start if pd.isna(first) else int(first)
            last = end if pd.isna(last) else int(last)
            for t in self.years:
                if first <= t <= last:
                    k = (*names, t)
                    out[k] = out.get(k, 0.0) + amount if add else amount
        return out

    @cached_property
    def timesliced(self) -> frozenset[str]:
        """Commodities balanced per time slice (electricity) rather than per year."""
        commodities = self.tables["commodities"]
        return frozenset(commodities.loc[commodities["timesliced"], "commodity"])

    @cached_property
    def tracked(self) -> frozenset[str]:
        """Commodities that carry an origin tag (tracked.csv; the passport component)."""
        return frozenset(self.tables["tracked"]["commodity"]) if "tracked" in self.tables \
            else frozenset()

    @cached_property
    def demand_by_year(self) -> pd.DataFrame:
        """Demand per region, commodity, sector and model year (unit/yr).

        Linear interpolation between the years given in demand.csv; before the first and after
        the last given year the nearest given value holds.
        """
        return self.interpolated("demand", ["region", "commodity", "sector"], ["quantity"])

    def interpolated(self, table: str, key: list[str], values: list[str]) -> pd.DataFrame:
        """``values`` of a table with a ``year`` column, per key and model year: linear
        interpolation between the given years, the nearest given value before the first and
        after the last (an empty cell stays empty when every row of its key leaves it so).

        Keys come in sorted order (as ``groupby`` gives them), each with every model year: the
        rows are sorted once by key and year, then ``np.interp`` runs on each key's slice."""
        years = np.array(self.years, dtype=float)
        frame = self.tables[table]
        codes = frame.groupby(key, sort=True).ngroup().to_numpy(dtype=float)  # NaN: no key
        given = frame["year"].to_numpy(dtype=float)
        rows = np.flatnonzero(~np.isnan(codes))
        order = rows[np.lexsort((given[rows], codes[rows]))]
        group = codes[order]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(order) else \
            np.zeros(0, dtype=np.int64)
        bounds = np.r_[starts, len(order)]
        given, n = given[order], len(years)
        columns: dict[str, np.ndarray] = {
            name: np.repeat(frame[name].to_numpy()[order[starts]], n) for name in key}
        columns["year"] = np.tile(np.array(self.years, dtype=np.int64), len(starts))
        for name in values:
            column = frame[name].to_numpy(dtype=float)[order]
            out = np.empty(len(starts) * n)
            for g, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
                part = column[a:b]
                out[g * n:(g + 1) * n] = np.nan if np.isnan(part).all() else \
                    np.interp(years, given[a:b], part)
            columns[name] = out
        return pd.DataFrame(columns)

    @cached_property
    def hash(self) -> str:
        """SHA-256 of everything that determines the model (tables, years, options)."""
        digest = hashlib.sha256()
        digest.update(json.dumps({"years": self.years_spec.model_dump(),
                                  "options": self.options.model_dump()},
                                 sort_keys=True).encode())
        for name in sorted(self.tables):
            frame = self.tables[name].drop(columns=[LINE, SET_BY, "source"], errors="ignore")
            digest.update(name.encode())
            digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
        return digest.hexdigest()


def slice_seasons(timeslices: pd.DataFrame) -> dict[str, str]:
    """The season of each slice: its ``season`` cell, or the slice itself when empty; one
    slice ``year`` (its own season) without timeslices.csv."""
    if timeslices.empty:
        return {"year": "year"}
    return {s: (g if isinstance(g, str) and g else s)
            for s, g in timeslices[["slice", "season"]].itertuples(index=False)}
