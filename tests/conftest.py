import os
import sys
from pathlib import Path

from hypothesis import Phase, Verbosity, settings

sys.path.insert(0, str(Path(__file__).parent))

# pyam's unit registry (iam-units) caches parsed pint files under ~/.cache with the absolute
# paths of the environment that wrote them; a cache left by another virtual environment (a
# deleted CI venv) breaks it. Keep the cache inside this environment.
os.environ.setdefault("IAM_UNITS_CACHE", str(Path(sys.prefix) / ".iam-units-cache"))

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
