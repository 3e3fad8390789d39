"""Census 2021 population by group for a partnership's local authorities."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..errors import NoDataError
from .coverage import COVERAGE_GROUPS

# --- census ---------------------------------------------------------------------------------


#: Local authorities whose code changed after the Census (boundary changes of 2023):
#: today's code -> the code Census 2021 tables use.
CENSUS_CODES = {"E08000038": "E08000016", "E08000039": "E08000019"}


def census_population(path: str | Path, lad_codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """{dimension: {group: count}} for the local authorities given (summed), from the tidy
    Census 2021 extract (demo_data/census/census2021_south_yorkshire.csv)."""
    path = Path(path)
    if not path.exists():
        raise NoDataError(f"No Census file at {path}")
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    codes = {CENSUS_CODES.get(code, code) for code in lad_codes}
    with path.open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            if rec["lad_code"] in codes:
                out[rec["dimension"]][rec["group"]] += int(rec["count"])
    if not out:
        raise NoDataError(f"No Census figures for {', '.join(sorted(codes)) or 'no area'}")
    return {
        dim: {g: out[dim][g] for g in COVERAGE_GROUPS[dim] if g in out[dim]}
        for dim in COVERAGE_GROUPS
        if dim in out
    }
