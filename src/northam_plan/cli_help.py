"""How ``--help`` shows parameters: flags as flags, list arguments as ``CASE...``.

Typer's rich help prints a type beside every parameter, flags included (``--quiet -q <bool>``),
and a list argument as ``<list[Path]>``, as if they took values. :class:`Command` and
:class:`Group` (``cls=`` of the commands and of the app) show them the usual way instead:
a flag or a counter without a type, an argument by its upper-case name (``CASE``, ``[CASE]``
when optional, ``CASE...`` when it takes several), a list option by the type of one item.
"""

from __future__ import annotations

from typing import get_args

import typer.core


def _conventional(param) -> None:
    """Give one parameter the conventional help display (instance attributes shadow the
    methods Typer's help calls)."""
    if getattr(param, "_northam_plain", False):
        return
    param._northam_plain = True
    if isinstance(param, typer.core.TyperOption):
        if param.is_flag or param.count:
            param.display_type_rich = lambda ctx: None
            param.show_default = False  # a counter's 0, a flag's False say nothing
        elif param.multiple and param.metavar is None:  # repeatable: the type of one item
            items = get_args(param.type_descriptor.annotation)
            param.metavar = f"<{param._bare_type(items[0]).lower() if items else 'value'}>"
        return
    if isinstance(param, typer.core.TyperArgument):
        name = (param.metavar or param.name).upper().rstrip(".")
        param.metavar = name + ("..." if param.nargs != 1 else "")
        param.display_type_rich = lambda ctx: None
        param._usage_display_name = lambda: param.metavar if param.required else \
            f"[{param.metavar}]"


class Command(typer.core.TyperCommand):
    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            _conventional(param)
        return params


class Group(typer.core.TyperGroup):
    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            _conventional(param)
        return params
