"""``python -m northam_plan.decomposition CASE``: solve a two-stage case by scenario decomposition.

One process, or ``mpiexec -n K python -m northam_plan.decomposition CASE`` with K ≤ cores (each rank
holds some of the scenarios). Prints the bounds, iterations and seconds; ``--json`` prints
them as JSON. Exit codes as ``northam-plan solve``: 0 optimal, 1 gap not closed, 2 bad input
or the ``[mpi]`` extra missing.
"""

from __future__ import annotations

import argparse
import json
import sys

from northam_plan.errors import CaseError

EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT = 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m northam_plan.decomposition",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", help="case file (TOML) with a scenarios table")
    parser.add_argument("--rho", type=float, default=1.0,
                        help="factor of the cost-proportional PH penalties (default 1)")
    parser.add_argument("--ph-iterations", type=int, default=100)
    parser.add_argument("--ph-convergence", type=float, default=1e-4)
    parser.add_argument("--tol", type=float, default=1e-8,
                        help="relative gap at which the L-shaped finish stops")
    parser.add_argument("--polish-iterations", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--verbose", action="store_true", help="show mpi-sppy's log")
    args = parser.parse_args(argv)

    from northam_plan import load_case
    from northam_plan.decomposition import MissingExtra, solve_ph

    try:
        case = load_case(args.case)
        result = solve_ph(case, rho=args.rho, ph_iterations=args.ph_iterations,
                          ph_convergence=args.ph_convergence, tol=args.tol,
                          polish_iterations=args.polish_iterations, verbose=args.verbose)
    except CaseError as err:
        print(f"error: {err.describe()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingExtra as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from mpisppy import MPI

    if MPI.COMM_WORLD.Get_rank() == 0:
        if args.json:
            print(json.dumps(result.summary(), indent=2))
        else:
            print(f"status      {result.status} on {result.ranks} rank(s)")
            print(f"objective   {result.objective} M$ (inner bound)")
            print(f"outer bound {result.outer} M$, relative gap {result.gap:.2e}")
            print(f"PH          {result.ph_iterations} iterations, convergence "
                  f"{result.ph_convergence}, Lagrangian bound {result.lagrangian_bound}")
            print(f"L-shaped    {result.polish_iterations} iterations")
            print("seconds     " + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items()))
            if result.message:
                print(f"note        {result.message}")
    return 0 if result.optimal else EXIT_NOT_OPTIMAL


if __name__ == "__main__":
    sys.exit(main())
