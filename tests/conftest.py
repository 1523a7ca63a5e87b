import os
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, Verbosity, settings

sys.path.insert(0, str(Path(__file__).parent))

# Hypothesis: the same examples on every run and every machine (README's test command and CI
# give the same verdict), no example database, no deadline (a solve's time depends on the
# machine's load, not on the code), and no shrinking: a failure is reported at once with the
# example that failed and a blob to replay it (@reproduce_failure), instead of minutes of silent
# shrinking. Explicit @example cases run first. `HYPOTHESIS_PROFILE=dev` draws new random
# examples and shrinks failures, for hunting bugs locally.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    phases=[Phase.explicit, Phase.generate])
settings.register_profile(
    "dev", derandomize=False, deadline=None, print_blob=True, verbosity=Verbosity.normal)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Tests over ~4 s on 2 cores (measured with --durations), marked `slow` here in one place:
# README's test command and CI run them all; `python -m pytest -q -m "not slow"` leaves them
# out while working. A name here that its file no longer defines is an error (a renamed test
# would silently lose its mark). tests/test_install.py marks itself.
SLOW = {
    "test_reference.py": {"test_stochastic_case_is_between_the_reference_and_its_worst_scenario",
                          "test_security_scenarios_cost_more_and_report_security"},
    "test_notebooks.py": {"test_notebook_runs_top_to_bottom"},
    "test_resolve.py": {"test_generated_cases_re_solve_like_cold_ones"},
    "test_backends.py": {"test_both_backends_give_the_same_lp_and_optimum_on_the_reference_case",
                         "test_both_backends_give_the_same_lp_on_generated_cases"},
    "test_sweep.py": {"test_a_rerun_skips_what_is_solved_and_solves_what_changed",
                      # these share a 2-worker Dask LocalCluster (~6 s to start)
                      "test_sweep_on_a_local_cluster_matches_solves_in_process",
                      "test_a_broken_variation_fails_alone_on_the_cluster",
                      "test_local_cluster_leaves_no_process_behind",
                      "test_compare_accepts_the_sweep_folders"},
    "test_sweep_warm.py": {"test_every_warm_scenario_equals_a_cold_solve_of_its_case"},
    # a dask scheduler and two workers from the command line, two sweeps, a killed worker
    "test_sweep_cluster.py": {"test_a_sweep_on_a_command_line_cluster_survives_a_killed_worker"},
    "test_invariants.py": {"test_tightening_a_floor_cap_or_ban_never_lowers_the_objective",
                           "test_tracked_tariffs_and_content_shares_never_lower_the_objective"},
    "test_interrupt.py": {"test_ctrl_c_during_a_solve_keeps_the_earlier_result"},
    "test_report.py": {"test_page_renders_in_headless_chromium_without_console_errors"},
    "test_explore.py": {"test_moving_a_tariff_updates_the_headline_and_the_saved_case_reproduces_it",
                        "test_a_change_of_structure_is_rebuilt_and_says_so"},
}


def pytest_collection_modifyitems(config, items):
    checked = set()
    for item in items:
        names = SLOW.get(item.path.name, set())
        if item.path.name in SLOW and item.path.name not in checked:
            checked.add(item.path.name)
            gone = sorted(name for name in names if not hasattr(item.module, name))
            if gone:
                raise pytest.UsageError(f"tests/conftest.py marks as slow tests that "
                                        f"{item.path.name} does not define: {', '.join(gone)}")
        if getattr(item, "originalname", item.name) in names:
            item.add_marker(pytest.mark.slow)
