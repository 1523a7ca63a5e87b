"""The model: :func:`build_model` assembles it from one module per constraint family, as a Pyomo
model or (``backend="matrix"``) as the LP's arrays."""

from northam_plan.model.build import COMPONENTS, build_model

__all__ = ["COMPONENTS", "build_model"]
