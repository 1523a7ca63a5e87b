"""``python -m northam_plan.cli``: the ``northam-plan`` command line."""

from northam_plan.cli import main

main()
