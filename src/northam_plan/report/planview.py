"""How the brief reads one plan (:class:`PlanView`: names, security by year, builds, the cost
split) and what it is made of (:class:`Sentence`, :class:`ChainBrief`, :class:`Brief`; every
sentence names the table row it quotes, :func:`anchor`). Thresholds only decide what is worth a
sentence: :data:`PP` percentage points, or :data:`SHARE` of the base's total."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from northam_plan.report.chainview import builds, security_by_year
from northam_plan.report.facts import Facts
from northam_plan.report.metrics import Comparison
from northam_plan.report.names import MineralChain, Names
from northam_plan.report.sectors import Sectors, sectors_of

PP = 0.005        # a change of a share worth a sentence: 0.5 percentage points
SHARE = 0.005     # a change worth a sentence: 0.5 % of the base's total


def anchor(*parts: object) -> str:
    """The id of a table row: its parts, lower case, anything but letters and digits as -."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in parts)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the brief and the id of the table row it quotes ('' for none)."""

    text: str
    link: str = ""
    kind: str = ""   # "versus": a scenario against the base


@dataclass
class ChainBrief:
    """The sentences of one chain: the first screen's, and more (the further builds)."""

    chain: MineralChain
    sentences: list[Sentence] = field(default_factory=list)
    more: list[Sentence] = field(default_factory=list)


@dataclass
class Brief:
    lede: list[Sentence]
    chains: list[ChainBrief]
    years: list[int]


class PlanView:
    """One plan as the brief reads it: names, security by year, builds, cost split."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.name = facts.plan.name
        self.names = Names(facts)

    @cached_property
    def chains(self) -> list[MineralChain]:
        return self.names.chains()

    @cached_property
    def security(self) -> pd.DataFrame:
        return security_by_year(self.facts)

    @cached_property
    def builds(self) -> pd.DataFrame:
        frame = builds(self.facts)
        minerals = {p: c.key for c in self.chains for p in c.processes}
        return frame.assign(chain=frame["process"].map(minerals))

    def builds_of(self, chain: str) -> pd.DataFrame:
        """The rows of :attr:`builds` of one chain, in their order (split once)."""
        split = self._builds_by_chain
        return split[chain] if chain in split else self.builds.iloc[:0]

    def build_records(self, chain: str) -> list[dict]:
        """The rows of :meth:`builds_of` as records (column → value), made once per plan."""
        return self._build_records.get(chain, [])

    @cached_property
    def _build_records(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for record in self.builds.to_dict("records"):
            if isinstance(record["chain"], str):  # (NaN: no mineral chain's process)
                out.setdefault(record["chain"], []).append(record)
        return out

    @cached_property
    def _builds_by_chain(self) -> dict[str, pd.DataFrame]:
        return {str(key): frame for key, frame in self.builds.groupby("chain", sort=False)}

    @cached_property
    def sectors(self) -> Sectors | None:
        return sectors_of(self.facts, self.names)

    def total(self, commodity: str, column: str) -> float:
        """Σ over model years of a column of :attr:`security` × the years each stands for."""
        at = self._security_rows.get(commodity)
        if at is None:
            return 0.0
        values = self._security_column(column)[at] * self._security_weights[at]
        return float(np.nansum(values))

    def peak(self, commodity: str, column: str) -> float:
        """The largest value of a column of :attr:`security` over the years (0 without rows;
        NaN when every value is empty)."""
        at = self._security_rows.get(commodity)
        if at is None:
            return 0.0
        values = self._security_column(column)[at]
        values = values[~np.isnan(values)]
        return float(values.max()) if len(values) else float("nan")

    @cached_property
    def _security_rows(self) -> dict[str, np.ndarray]:
        """commodity → the positions of its rows in :attr:`security` (in order)."""
        return {str(c): np.asarray(at) for c, at in
                self.security.groupby("commodity", sort=False).indices.items()}

    @cached_property
    def _security_weights(self) -> np.ndarray:
        return self.security["year"].map(self.facts.weights).to_numpy(dtype=float)

    def _security_column(self, column: str) -> np.ndarray:
        return self.security[column].to_numpy(dtype=float)

    @cached_property
    def _by_commodity_year(self) -> dict[tuple[str, int], dict]:
        """The security table's rows by (commodity, year), made once: the brief asks for a few
        hundred values (filtering the table for each took ~0.2 s on the reference case)."""
        frame = self.security
        return {(str(c), int(t)): row for c, t, row in zip(
            frame["commodity"], frame["year"], frame.to_dict("records"))}

    def value(self, commodity: str, year: int, column: str) -> float:
        row = self._by_commodity_year.get((commodity, int(year)))
        return float(row[column]) if row is not None else float("nan")

    def row_of(self, chain: MineralChain, year: int) -> str:
        return anchor("chain", self.name, chain.key, year)


def views_of(comparison: Comparison) -> dict[str, PlanView]:
    return {name: PlanView(f) for name, f in comparison.facts.items()}
