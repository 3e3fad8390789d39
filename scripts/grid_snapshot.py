"""Write tests/intelligence/fixtures/grid_snapshot.json: the answers of the before/after grid
(tests/intelligence/test_grid_snapshot.py) on the current code. Run it on main BEFORE a change
that must keep every figure, commit the snapshot, then make the change: the test proves
nothing moved.

    .venv/bin/python scripts/grid_snapshot.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    env = {**os.environ, "SAFERSTAT_WRITE_GRID_SNAPSHOT": "1"}
    test = "tests/intelligence/test_grid_snapshot.py"
    sys.exit(
        subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            env=env,
        )
    )
