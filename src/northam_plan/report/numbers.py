"""Numbers as the committee pages write them: thousands separators, never e-notation, and 0
for anything below :data:`~northam_plan.plan.units.ZERO_TOLERANCE` (solver noise, as in the
tables)."""

from __future__ import annotations

import math

from northam_plan.plan.units import ZERO_TOLERANCE


def is_zero(value: float) -> bool:
    return not math.isfinite(value) or abs(value) < ZERO_TOLERANCE


def plain(value: float, digits: int = 3) -> str:
    """``value`` with about ``digits`` significant digits, in positional notation:
    1,234,567 · 12.3 · 3.14 · 0.0029; 0 below the tolerance."""
    if value is None or not math.isfinite(value):
        return "—"
    if abs(value) < ZERO_TOLERANCE:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def quantity(value: float) -> str:
    """A quantity for a sentence: 2 significant digits below 10 (3.1, 0.45), whole numbers
    from 10 on (12, 2,974)."""
    if value is not None and math.isfinite(value) and 10 <= abs(value) < 100:
        return f"{value:,.0f}"
    return plain(value, 2)


def money(value: float) -> str:
    """M$: whole numbers from 10 M$ on, else 2 significant digits."""
    if value is not None and math.isfinite(value) and abs(value) >= 10:
        return f"{value:,.0f} M$"
    return f"{plain(value, 2)} M$"


def signed(text: str, value: float) -> str:
    """``text`` (of the magnitude) with + or − (a true minus), or no sign for 0."""
    if is_zero(value):
        return text
    return ("+" if value > 0 else "−") + text


def signed_money(value: float) -> str:
    return signed(money(abs(value)), value)


def percent(share: float) -> str:
    """A share (fraction) as a percentage: whole numbers from 10 % on, one decimal below."""
    if share is None or not math.isfinite(share):
        return "—"
    value = 100.0 * share
    if abs(value) < ZERO_TOLERANCE:
        return "0 %"
    if abs(value) >= 9.95:
        return f"{value:,.0f} %"
    return f"{plain(value, 2)} %"


def points(delta: float) -> str:
    """A change of a share (fraction) in percentage points, signed: +17 pp, −0.8 pp."""
    value = 100.0 * delta
    text = f"{abs(value):,.0f}" if abs(value) >= 9.95 else plain(abs(value), 2)
    return signed(f"{text} pp", value)
