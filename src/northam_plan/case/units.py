"""Units of the case: the unit text of ``commodities.csv`` parsed with pint and checked.

The model's figures are in fixed units (the planners' guide, docs/guides/planners.md, "Units and
scaling"): minerals, materials and components in kt (of a content basis: ``kt Li``, ``kt Cu``,
``kt REO``, ``kt LCE`` or plain ``kt`` of product), electricity in TWh, other energy in an
energy unit (``PJ``), emissions in Mt (``Mt CO2``), money in M$. Every other table gives its
quantities in the unit of its commodity (``unit/yr``, ``M$/unit``), so a unit text that says
something else (``tonnes Li``: 1/1000 of what the figures mean) would be a silent factor of
1000; it is refused with the unit the model expects. Conversion is not attempted: the figures of
every table would have to change with it.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

from northam_plan.errors import ProblemList, did_you_mean

#: content bases: what a kt of the commodity counts (an element, an oxide, a product basis)
BASES = {
    "Li": "lithium", "LCE": "lithium carbonate equivalent", "LiOH": "lithium hydroxide",
    "Ni": "nickel", "Co": "cobalt", "Cu": "copper", "Mn": "manganese", "C": "carbon",
    "graphite": "graphite", "REO": "rare-earth oxide", "NdPr": "NdPr metal",
    "NdPr_oxide": "NdPr oxide", "Nd": "neodymium", "Dy": "dysprosium", "Tb": "terbium",
    "Ga": "gallium", "Ge": "germanium", "U3O8": "uranium oxide", "U": "uranium",
    "Al": "aluminium", "Fe": "iron", "Zn": "zinc", "Sn": "tin", "W": "tungsten",
    "Pt": "platinum", "Pd": "palladium", "V": "vanadium", "Ti": "titanium", "Sb": "antimony",
    "CO2": "carbon dioxide", "CO2e": "CO2 equivalent", "CH4": "methane", "N2O": "nitrous oxide",
}

_DEFINITIONS = """
tonne = [mass] = t = tonnes = tonne_metric = metric_ton
kilogram = 1e-3 tonne = kg
gram = 1e-6 tonne = g
kilotonne = 1e3 tonne = kt = kilotonnes
megatonne = 1e6 tonne = Mt = megatonnes
gigatonne = 1e9 tonne = Gt
pound = 0.45359237e-3 tonne = lb
short_ton = 2000 pound = ton = short_tons
joule = [energy] = J
kilojoule = 1e3 J = kJ
megajoule = 1e6 J = MJ
gigajoule = 1e9 J = GJ
terajoule = 1e12 J = TJ
petajoule = 1e15 J = PJ
exajoule = 1e18 J = EJ
second = [time] = s
hour = 3600 s = h = hr
year = 8760 hour = yr = a
watt = J / s = W
kilowatt = 1e3 W = kW
megawatt = 1e6 W = MW
gigawatt = 1e9 W = GW
terawatt = 1e12 W = TW
watt_hour = W * hour = Wh
kilowatt_hour = 1e3 Wh = kWh
megawatt_hour = 1e6 Wh = MWh
gigawatt_hour = 1e9 Wh = GWh
terawatt_hour = 1e12 Wh = TWh
british_thermal_unit = 1055.05585262 J = Btu = BTU
million_btu = 1e6 Btu = MMBtu
dollar = [currency] = USD
million_dollar = 1e6 dollar = MUSD
"""

#: the unit the model's figures are in, per commodity kind (energy: see _check_one)
EXPECTED = {"mineral": "kt", "material": "kt", "component": "kt", "emission": "Mt"}


@lru_cache(maxsize=1)
def registry():
    """The project's units only (no pint default file: fast to build, nothing surprising).

    pint is imported here, not at the top, and without its optional scipy and dask support
    (which these units do not use): pint imports both when they are installed, and Pyomo,
    watching for scipy, then imports all of scipy.stats — 1 to 1.5 s on every ``validate``."""
    pint = _import_pint_alone()
    units = pint.UnitRegistry(None, autoconvert_offset_to_baseunit=False)
    for line in _DEFINITIONS.strip().splitlines():
        units.define(line)
    return units


@lru_cache(maxsize=1)
def _import_pint_alone():
    if "pint" in sys.modules:
        return sys.modules["pint"]
    blocked = [name for name in ("scipy", "dask") if name not in sys.modules]
    for name in blocked:
        # `import scipy` fails, find_spec("dask") is None (typeshed's values are modules only)
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import pint
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return pint


@lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    """Every unit name and symbol defined above (for "did you mean")."""
    names = set()
    for line in _DEFINITIONS.strip().splitlines():
        parts = [part.strip() for part in line.split("=")]
        names.update([parts[0], *parts[2:]])
    return tuple(sorted(names))


class UnitError(ValueError):
    """A unit text that cannot be read; the message says why."""


def parse(text: str):
    """``'kt Li'`` → (1 kilotonne as a pint quantity, ``'Li'``); raise :class:`UnitError`."""
    words = str(text).replace("$", " dollar ").split()
    if "M" in words:  # 'M$' → million dollars
        words = ["million_dollar" if w == "M" else w for w in words]
    basis = None
    if len(words) >= 2 and words[-1] in BASES:
        basis = words.pop()
    elif len(words) >= 2 and re.fullmatch(r"[A-Z][A-Za-z0-9_]*", words[-1]) and \
            words[-1] not in registry():
        raise UnitError(f"unknown content basis '{words[-1]}'{did_you_mean(words[-1], BASES)}"
                        f"; known bases are {', '.join(BASES)}")
    if not words:
        raise UnitError("no unit given")
    units = registry()
    for word in re.split(r"[\s*/()^]+", " ".join(words)):
        if word and not re.fullmatch(r"[0-9.eE+-]+", word) and word not in units:
            raise UnitError(f"unknown unit '{word}'{did_you_mean(word, _names())}")
    try:
        quantity = units.Quantity(1.0, " ".join(words))
    except Exception as err:  # noqa: BLE001 - pint raises many kinds on text it cannot read
        raise UnitError(f"cannot read '{text}' as a unit ({type(err).__name__})") from None
    return quantity, basis


def check_commodity_units(tables, folder: Path, problems: ProblemList) -> dict[str, str]:
    """Check the unit text of every commodity against what the model's figures are in;
    return commodity → unit text (for messages of other tables)."""
    commodities = tables["commodities"]
    path = folder / "commodities.csv"
    for commodity, kind, unit, timesliced, line in commodities[
            ["commodity", "kind", "unit", "timesliced", "_line"]].itertuples(index=False):
        message = _check_one(kind, unit, bool(timesliced))
        if message:
            problems.add(path, f"unit '{unit}' of '{commodity}': {message}", line=int(line),
                         column="unit")
    return dict(zip(commodities["commodity"], commodities["unit"]))


def _check_one(kind: str, text: str, timesliced: bool) -> str:
    try:
        quantity, basis = parse(text)
    except UnitError as err:
        return str(err)
    units = registry()
    shown_basis = f" {basis}" if basis else ""
    if timesliced:
        if not quantity.check("[energy]"):
            return "a timesliced commodity (electricity) is an energy; the model needs TWh"
        expected = "TWh"
    elif kind == "energy":
        if quantity.check("[energy]") or quantity.check("[mass]"):
            return ""  # fuels: PJ, MMBtu, Mt of coal — each priced and used in its own unit
        return f"an energy commodity is counted in an energy unit (e.g. PJ, TWh), not {text}"
    else:
        expected = EXPECTED.get(kind, "kt")
        if not quantity.check("[mass]"):
            return (f"a {kind} is counted in {expected} (a mass, of a content basis such as "
                    f"'{expected} Li'); '{text}' is not a mass")
    factor = quantity.to(units(expected)).magnitude
    if abs(factor - 1.0) > 1e-9:
        return (f"1 {text} is {factor:g} {expected}{shown_basis}; the model's figures of a "
                f"{'timesliced commodity' if timesliced else kind} are in "
                f"{expected}{shown_basis} (every table gives its quantities in that unit): "
                f"write '{expected}{shown_basis}' and the figures in {expected}")
    return ""


def with_unit(unit_text: str, commodity_unit: str | None) -> str:
    """A column's unit with 'unit' replaced by the commodity's: 'unit/yr' → 'kt Li/yr'."""
    if not commodity_unit or not unit_text:
        return unit_text
    return re.sub(r"\bunit\b", commodity_unit, unit_text)
