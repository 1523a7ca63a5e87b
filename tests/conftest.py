import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# pyam's unit registry (iam-units) caches parsed pint files under ~/.cache with the absolute
# paths of the environment that wrote them; a cache left by another virtual environment (a
# deleted CI venv) breaks it. Keep the cache inside this environment.
os.environ.setdefault("IAM_UNITS_CACHE", str(Path(sys.prefix) / ".iam-units-cache"))
