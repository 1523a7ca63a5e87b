"""Any HiGHS option from the command line: ``--highs-option key=value`` (repeatable).

:func:`parse_highs_options` turns ``["presolve=off", "ipm_optimality_tolerance=1e-7"]`` into
``{"presolve": "off", "ipm_optimality_tolerance": 1e-07}``, checked against HiGHS itself: the
option must exist (``Highs.getOptionType``), the value is read as the option's type (bool:
``true/false/on/off/1/0``; int; float; str) and HiGHS must accept it (``setOptionValue`` on a
scratch instance, which checks bounds and the allowed words of string options). Every problem
is collected into one :class:`HighsOptionError`; the CLI reports it with exit code 2.
:class:`~northam_plan.solve.SolveOptions` carries the dict (``highs_options``) and
:func:`~northam_plan.solve.solve` sets the options after its own, so they win.
"""

from __future__ import annotations

from collections.abc import Iterable

import highspy

__all__ = ["HighsOptionError", "parse_highs_options", "set_highs_options"]

Value = bool | int | float | str
_TRUE, _FALSE = ("true", "on", "yes", "1"), ("false", "off", "no", "0")
#: options the runner owns: the log goes through its callback (solve.HighsLog)
RESERVED = ("output_flag", "log_to_console", "log_file")


class HighsOptionError(ValueError):
    """One or more ``--highs-option`` arguments HiGHS does not accept; ``problems`` lists them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_highs_options(items: Iterable[str]) -> dict[str, Value]:
    """``key=value`` texts → ``{key: value}`` of the option's type, each checked by HiGHS."""
    highs = _scratch()
    options: dict[str, Value] = {}
    problems: list[str] = []
    for item in items:
        key, equals, text = (s.strip() for s in item.partition("="))
        where = f"--highs-option '{item}'"
        if not equals or not key or not text:
            problems.append(f"{where}: expected key=value, e.g. presolve=off")
            continue
        if key in RESERVED:
            problems.append(f"{where}: {key} is set by northam-plan (HiGHS's log goes to "
                            "highs.log and the -v/-q log)")
            continue
        status, kind = highs.getOptionType(key)
        if status != highspy.HighsStatus.kOk:
            problems.append(f"{where}: HiGHS has no option '{key}' (see the list of options "
                            "in the HiGHS documentation, or `highspy.Highs().getOptions()`)")
            continue
        try:
            value = _convert(text, kind)
        except ValueError as err:
            problems.append(f"{where}: {err}")
            continue
        messages = _log_of(highs, key, value)
        if messages is not None:
            problems.append(f"{where}: HiGHS does not accept it"
                            + (f": {messages}" if messages else ""))
            continue
        options[key] = value
    if problems:
        raise HighsOptionError(problems)
    return options


def set_highs_options(highs: highspy.Highs, options: dict[str, Value]) -> None:
    """Set ``options`` (as checked by :func:`parse_highs_options`) on ``highs``; ValueError if
    HiGHS refuses one (a dict built by hand, not parsed)."""
    for key, value in options.items():
        if highs.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS does not accept the option {key}={value!r}")


def _convert(text: str, kind) -> Value:
    if kind == highspy.HighsOptionType.kBool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"expected true or false (on/off, 1/0), got '{text}'")
    if kind == highspy.HighsOptionType.kInt:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got '{text}'") from None
    if kind == highspy.HighsOptionType.kDouble:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number, got '{text}'") from None
    return text


def _scratch() -> highspy.Highs:
    from northam_plan.solve import quiet_stdout

    with quiet_stdout(True):  # HiGHS's banner
        highs = highspy.Highs()
    highs.setOptionValue("log_to_console", False)
    return highs


def _log_of(highs: highspy.Highs, key: str, value: Value) -> str | None:
    """Set the option with HiGHS's log captured; None if HiGHS accepted it, else the log's
    text (what HiGHS expected)."""
    lines: list[str] = []

    def on_log(event) -> None:
        lines.append(event.message.strip())

    highs.cbLogging += on_log
    try:
        status = highs.setOptionValue(key, value)
    finally:
        highs.cbLogging -= on_log
    if status == highspy.HighsStatus.kOk:
        return None
    return " ".join(line.removeprefix("ERROR:").strip() for line in lines if line)
