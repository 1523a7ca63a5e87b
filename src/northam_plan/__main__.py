"""``python -m northam_plan``: the command line (:mod:`northam_plan.cli`)."""

from northam_plan.cli import main

if __name__ == "__main__":
    main()
