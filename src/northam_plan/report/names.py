"""Display names for the committee pages: commodities, processes, countries and mineral chains.

Every name comes from the case's tables: ``commodities.csv`` ``name`` (shortened to its first
clause: "separated NdPr oxide", "lithium in battery-grade carbonate/hydroxide"), the process's
main output and family from ``processes.csv`` ("separated NdPr oxide (refinery)"), and
``countries.csv`` ``name``. A code without a name is shown with its underscores as spaces.

A **mineral chain** is a mineral and every good made from it along the recipes (the
:attr:`~northam_plan.report.facts.Facts.requirements` of the mineral): li_conc → li_chem,
reo_conc → ndpr_oxide → magnet. Its title is the first word of the mineral's name that every
other good of the chain also names ("lithium", "graphite"), or else the mineral's name up to
" in "; a chain that ends in a component says so ("rare-earth oxide equivalent → sintered
NdFeB permanent magnet").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from northam_plan.report.facts import Facts

#: display order of commodity kinds along a chain
STAGE_ORDER = {"mineral": 0, "material": 1, "component": 2}

#: families whose processes belong to the minerals chain (the rest is the energy system)
MINERAL_FAMILIES = frozenset({"mine", "refinery", "manufacturing", "recycling"})


def short_name(name: str, code: str) -> str:
    """The first clause of a display name (before " (" or ", "), or the code in words."""
    text = str(name or "").strip()
    if not text or text.lower() == "nan":
        return code.replace("_", " ")
    return re.split(r" \(|, ", text, maxsplit=1)[0].strip() or code.replace("_", " ")


@dataclass(frozen=True)
class MineralChain:
    """One mineral chain: an id (the mineral's code), its title and its stages in order."""

    key: str
    title: str
    stages: tuple[str, ...]          # commodity codes, mineral first
    processes: tuple[str, ...]       # processes whose main output is a stage


class Names:
    """Display names of one plan's case (falls back to codes when the case is unknown)."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        chain = facts.chain
        commodities = chain.commodities
        self._commodity: dict[str, str] = {}
        if commodities is not None:
            names = commodities["name"] if "name" in commodities else \
                pd.Series("", index=commodities.index)
            self._commodity = {str(c): short_name(n, str(c))
                               for c, n in zip(commodities["commodity"], names)}
        self._country: dict[str, str] = {}
        case = chain.case
        if case is not None and "name" in case.tables["countries"]:
            countries = case.tables["countries"]
            self._country = {str(k): str(n) for k, n in zip(countries["country"],
                                                             countries["name"])
                             if isinstance(n, str) and n.strip()}

    # --- single names ---------------------------------------------------------------------
    def commodity(self, code: str) -> str:
        return self._commodity.get(code, code.replace("_", " "))

    def unit(self, code: str) -> str:
        return self.facts.unit(code)

    def process(self, code: str) -> str:
        """"<main output> (<family>)", as on the calibration page: "separated NdPr oxide
        (refinery)"; two processes of one family making the same good add their code."""
        output = self.facts.output.get(code)
        family = self.facts.family.get(code, "")
        if output is None:
            return code.replace("_", " ")
        twins = [p for p, o in self.facts.output.items()
                 if o == output and self.facts.family.get(p) == family]
        which = f"{family}: {code.replace('_', ' ')}" if len(twins) > 1 else family
        return f"{self.commodity(output)} ({which})"

    def country(self, code: str) -> str:
        return self._country.get(code, code)

    def commodities(self) -> dict[str, str]:
        return dict(self._commodity)

    # --- chains ---------------------------------------------------------------------------
    def chains(self) -> list[MineralChain]:
        """The mineral chains of the case, in the order of the minerals' codes."""
        out = []
        for mineral, goods in self.facts.requirements.items():
            stages = sorted((g for g in goods if self.facts.kinds.get(g) in STAGE_ORDER),
                            key=lambda g: (STAGE_ORDER[self.facts.kinds[g]], g != mineral, g))
            processes = tuple(p for p, o in self.facts.output.items()
                              if o in stages and self.facts.family.get(p) in MINERAL_FAMILIES)
            out.append(MineralChain(mineral, self._title(stages), tuple(stages), processes))
        return out

    def _title(self, stages: list[str]) -> str:
        mineral = self.commodity(stages[0])
        others = [self.commodity(g).lower() for g in stages[1:]]
        words = re.findall(r"[A-Za-z][\w-]*", mineral)
        common = next((w for w in words if len(w) > 3 and others and all(
            re.search(rf"\b{re.escape(w.lower())}\b", o) for o in others)), None)
        title = common or mineral.split(" in ")[0]
        last = stages[-1]
        if common is None and len(stages) > 1 and self.facts.kinds.get(last) == "component":
            title = f"{title} → {self.commodity(last)}"
        return title[:1].upper() + title[1:]

    def chain_of(self) -> dict[str, str]:
        """Commodity code → the key of the first chain it belongs to."""
        out: dict[str, str] = {}
        for chain in self.chains():
            for c in chain.stages:
                out.setdefault(c, chain.key)
        return out
