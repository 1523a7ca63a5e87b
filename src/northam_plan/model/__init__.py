"""The Pyomo model: :func:`build_model` assembles it from one module per constraint family."""

from northam_plan.model.build import COMPONENTS, build_model

__all__ = ["COMPONENTS", "build_model"]
