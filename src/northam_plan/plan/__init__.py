"""Solved plans: extraction into labelled arrays and tables, and writing them to disk."""

from northam_plan.plan.extract import Plan, extract_plan
from northam_plan.plan.write import write_plan

__all__ = ["Plan", "extract_plan", "write_plan"]
